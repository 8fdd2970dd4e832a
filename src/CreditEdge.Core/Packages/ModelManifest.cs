using System.Text.Json.Nodes;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Packages;

/// <summary>The <c>manifest.json</c> of a model package: everything the device needs to know about the model.</summary>
public sealed record ModelManifest
{
    /// <summary>Version of this manifest format.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Model identity, stable across versions, e.g. <c>taiwan-credit</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Human version, e.g. <c>1.0.0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>Monotonically increasing; a device never installs a lower sequence without a signed rollback.</summary>
    public required long Sequence { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? Description { get; init; }

    /// <summary>Model inputs in the order of the ONNX input's second dimension.</summary>
    public required IReadOnlyList<FeatureDefinition> Features { get; init; }

    /// <summary>Identifiers and protected attributes a request may carry; never model inputs.</summary>
    public IReadOnlyList<NonInputField> NonInputs { get; init; } = [];

    public required ScorePolicy Policy { get; init; }

    /// <summary>One row per feature.</summary>
    public required IReadOnlyList<ReasonCode> Reasons { get; init; }

    public ReferenceDistributions Reference { get; init; } = new();

    /// <summary>Evaluation figures as the toolchain wrote them.</summary>
    public JsonObject? Metrics { get; init; }

    public required IReadOnlyList<ModelVariant> Variants { get; init; }

    /// <summary>File of golden inputs and expected probabilities, relative to the package.</summary>
    public string Golden { get; init; } = "golden.jsonl";
}
