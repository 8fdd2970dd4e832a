using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;

namespace CreditEdge.Agent.Api;

/// <summary>
/// <c>GET /v1/model</c>: the active package and what a request must carry; <see cref="Policy"/> holds the cutoffs the
/// kiosk page shows a score's band by.
/// </summary>
public sealed record ModelResponse(
    string Id,
    string Version,
    long Sequence,
    string Sha256,
    string Variant,
    IReadOnlyList<FeatureDefinition> Features,
    IReadOnlyList<NonInputField> NonInputs,
    VariantChoice VariantChoice,
    string ExecutionProvider,
    ScorePolicy Policy);
