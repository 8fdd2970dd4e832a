using System.Globalization;
using CreditEdge.Agent.Options;
using CreditEdge.Core.Packages;
using CreditEdge.Inference;

namespace CreditEdge.Agent;

/// <summary>
/// <c>creditedge-agent replay-golden [PACKAGE_DIR …]</c>: opens every variant of each package (default: the embedded
/// one) exactly as the agent does at load, replays <c>golden.jsonl</c> on this CPU and prints, per variant, the records
/// replayed, the largest |Δ| and the µs per decision. Exit 0 when every variant of every package reproduces golden within
/// 1e-5, 1 otherwise. A technician's check that a board runs a package, and the proof CI runs on each kernel path.
/// </summary>
internal static class GoldenReplayCommand
{
    public const string Name = "replay-golden";

    public static int Run(IReadOnlyList<string> directories, TextWriter output, TextWriter error)
    {
        var c = CultureInfo.InvariantCulture;
        var packages = directories.Count > 0 ? directories : [new AgentOptions().ModelDirectory];
        output.WriteLine($"kernel path: {CpuKernelPath.Describe()}");
        var failed = false;
        foreach (var directory in packages)
        {
            try
            {
                using var model = LoadedModel.Load(directory, VariantSelection.Auto);
                var m = model.Package.Manifest;
                foreach (var trial in model.Choice.Trials)
                {
                    var cost = trial.MicrosecondsPerDecision is { } us ? string.Create(c, $", {us:F1} µs/decision") : string.Empty;
                    var verdict = trial.Passed ? "pass" : $"FAIL: {trial.Failure}";
                    output.WriteLine(string.Create(c, $"{m.Id} {m.Version} {trial.Name}: {trial.GoldenRecords} golden records, max |Δ| {trial.MaxDelta:0.0##E+0}{cost} — {verdict}"));
                    failed |= !trial.Passed;
                }

                output.WriteLine($"{m.Id} {m.Version}: auto runs {model.Choice.Variant} ({model.Choice.Reason})");
            }
            catch (ModelPackageException ex)
            {
                error.WriteLine($"creditedge-agent: {directory}: model package refused ({ex.Check}): {ex.Message}");
                failed = true;
            }
        }

        return failed ? 1 : 0;
    }
}
