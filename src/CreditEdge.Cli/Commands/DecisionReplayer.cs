using System.Globalization;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Inference;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// Re-decides stored decisions on the model that made them: the package variant whose file has the decision's
/// <see cref="ModelRef.Sha256"/>, opened once in ONNX Runtime behind the agent's <see cref="DecisionEngine"/>, and compares
/// probability (within <see cref="ModelContract.GoldenTolerance"/>), score, outcome and reason codes in order.
/// </summary>
internal sealed class DecisionReplayer : IDisposable
{
    private readonly Dictionary<string, List<(ModelPackage Package, ModelVariant Variant)>> _bySha = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(ModelPackage Package, string Variant), DecisionEngine> _engines = [];
    private readonly List<OnnxScorer> _scorers = [];

    public DecisionReplayer(IEnumerable<ModelPackage> packages)
    {
        foreach (var package in packages)
        {
            foreach (var variant in package.Manifest.Variants)
            {
                if (!_bySha.TryGetValue(variant.Sha256, out var holders))
                {
                    _bySha[variant.Sha256] = holders = [];
                }

                holders.Add((package, variant));
            }
        }
    }

    /// <summary>
    /// Replays <paramref name="decision"/>; false when no given package holds its model. <paramref name="differences"/> is
    /// empty when the replay is identical, otherwise one phrase per difference ("outcome refer → decline").
    /// </summary>
    public bool TryReplay(Decision decision, out IReadOnlyList<string> differences)
    {
        ArgumentNullException.ThrowIfNull(decision);
        differences = [];
        if (!_bySha.TryGetValue(decision.Model.Sha256, out var holders))
        {
            return false;
        }

        // the same file in several packages: the one the decision names, or else the first given
        var (package, variant) = holders.FirstOrDefault(h => h.Package.Manifest.Id == decision.Model.Id && h.Package.Manifest.Version == decision.Model.Version, holders[0]);
        var engine = EngineFor(package, variant);
        if (decision.Input.Count != package.Schema.Count)
        {
            differences = [$"input has {decision.Input.Count} values; {package.Manifest.Id} {package.Manifest.Version} takes {package.Schema.Count}"];
            return true;
        }

        var reasons = new Reason[ReasonAttribution.MaxReasons];
        Verdict verdict;
        try
        {
            verdict = engine.Decide(decision.Input.ToArray(), reasons);
        }
        catch (ModelPackageException ex)
        {
            differences = [$"no decision on replay ({ex.Message})"];
            return true;
        }

        var found = new List<string>(4);
        var c = CultureInfo.InvariantCulture;
        if (!(Math.Abs(verdict.Probability - decision.Probability) <= ModelContract.GoldenTolerance))
        {
            found.Add(string.Create(c, $"probability {decision.Probability:G7} → {verdict.Probability:G7}"));
        }

        if (verdict.Score != decision.Score)
        {
            found.Add(string.Create(c, $"score {decision.Score} → {verdict.Score}"));
        }

        if (verdict.Outcome != decision.Outcome)
        {
            found.Add($"outcome {Name(decision.Outcome)} → {Name(verdict.Outcome)}");
        }

        var stored = Codes(decision.Reasons);
        var replayed = Codes(reasons.AsSpan(0, verdict.ReasonCount).ToArray());
        if (stored != replayed)
        {
            found.Add($"reasons {stored} → {replayed}");
        }

        differences = found;
        return true;
    }

    public void Dispose() => _scorers.ForEach(s => s.Dispose());

    private DecisionEngine EngineFor(ModelPackage package, ModelVariant variant)
    {
        if (!_engines.TryGetValue((package, variant.Name), out var engine))
        {
            var scorer = OnnxScorer.Load(package.PathOf(variant));
            _scorers.Add(scorer);
            engine = new DecisionEngine(package, scorer, new ModelRef(package.Manifest.Id, package.Manifest.Version, variant.Sha256, variant.Name));
            _engines[(package, variant.Name)] = engine;
        }

        return engine;
    }

    private static string Codes(IReadOnlyList<Reason> reasons) => reasons.Count == 0 ? "(none)" : string.Join(",", reasons.Select(r => r.Code));

    private static string Name(Outcome outcome) => outcome switch
    {
        Outcome.Approve => "approve",
        Outcome.Refer => "refer",
        _ => "decline",
    };
}
