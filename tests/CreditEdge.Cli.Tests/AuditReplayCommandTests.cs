using System.Globalization;
using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Inference;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Cli.Tests;

/// <summary>
/// <c>cedge audit replay</c> on real stores: decisions made by the agent's decision engine on real ORT sessions of committed
/// packages, saved through <see cref="LiteDecisionStore"/> into a temp directory, then replayed.
/// </summary>
public sealed class AuditReplayCommandTests : IDisposable
{
    private static readonly string KernelLimits = Path.Combine(RepoPaths.Root, "tests", "packages", "kernel-limits");

    private readonly TempDirectory _data = new("cedge-replay");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AuditReplay_DecisionsOfTwoPackagesAndBothVariants_AllIdenticalExitsZero()
    {
        // more than one page of the store (256) and every model: default fp32 + int8 and kernel-limits fp32
        var decisions = await WriteMixedStoreAsync();

        var result = Cedge.Run("audit", "replay", "--data-dir", _data.Path, "--packages", RepoPaths.DefaultModel, KernelLimits);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Equal($"{decisions.Count} decisions replayed: {decisions.Count} identical, 0 differ, 0 without package", Assert.Single(result.OutputLines));
        Assert.True(decisions.Count > 300);
    }

    [Fact]
    public async Task AuditReplay_DecisionsStoredWithAlteredVerdicts_EachReportedWithIdExitsOne()
    {
        using var model = LoadedModel.Load(RepoPaths.DefaultModel, "fp32");
        var made = GoldenInputs(RepoPaths.DefaultModel).Take(40).Select(input => Decide(model, input)).ToList();
        var withReasons = made.Where(d => d.Reasons.Count >= 2).ToArray();
        Assert.True(withReasons.Length >= 4);
        var (probabilityOff, verdictOff, reasonsOff, withinTolerance) = (withReasons[0], withReasons[1], withReasons[2], withReasons[3]);
        var otherOutcome = (Outcome)(((int)verdictOff.Outcome + 1) % 3);
        var swapped = new[] { reasonsOff.Reasons[1], reasonsOff.Reasons[0] }.Concat(reasonsOff.Reasons.Skip(2)).ToArray();
        var stored = made.Select(d =>
            d == probabilityOff ? d with { Probability = d.Probability + 3e-5 }
            : d == verdictOff ? d with { Score = d.Score - 7, Outcome = otherOutcome }
            : d == reasonsOff ? d with { Reasons = swapped }
            : d == withinTolerance ? d with { Probability = d.Probability + 4e-6 }
            : d).ToList();
        await SaveAsync(stored);

        var result = Cedge.Run("audit", "replay", "--data-dir", _data.Path, "--packages", RepoPaths.DefaultModel);

        Assert.Equal(1, result.ExitCode);
        var c = CultureInfo.InvariantCulture;
        string[] expected =
        [
            string.Create(c, $"{probabilityOff.DecisionId}: probability {probabilityOff.Probability + 3e-5:G7} → {probabilityOff.Probability:G7}"),
            $"{verdictOff.DecisionId}: score {verdictOff.Score - 7} → {verdictOff.Score}, outcome {Name(otherOutcome)} → {Name(verdictOff.Outcome)}",
            $"{reasonsOff.DecisionId}: reasons {Codes(swapped)} → {Codes(reasonsOff.Reasons)}",
        ];
        var lines = result.OutputLines;
        Assert.Equal(expected.Order(StringComparer.Ordinal), lines[..^1].Order(StringComparer.Ordinal));
        Assert.Equal($"{made.Count} decisions replayed: {made.Count - 3} identical, 3 differ, 0 without package", lines[^1]);
        Assert.StartsWith("cedge: 3 of 40 decisions did not replay identically", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task AuditReplay_PackageLeftOut_ItsDecisionsReportedWithoutPackageExitsOne()
    {
        var decisions = await WriteMixedStoreAsync();
        var leftOut = decisions.Where(d => d.Model.Id == "kernel-limits").ToArray();
        Assert.NotEmpty(leftOut);

        var result = Cedge.Run("audit", "replay", "--data-dir", _data.Path, "--packages", RepoPaths.DefaultModel);

        Assert.Equal(1, result.ExitCode);
        var sha = ModelPackage.Load(KernelLimits).Variant("fp32").Sha256;
        var expected = leftOut.Select(d => $"{d.DecisionId}: no package with model sha256 {sha} (kernel-limits 1.0.0 fp32) was given");
        var lines = result.OutputLines;
        Assert.Equal(expected.Order(StringComparer.Ordinal), lines[..^1].Order(StringComparer.Ordinal));
        var replayed = decisions.Count - leftOut.Length;
        Assert.Equal($"{decisions.Count} decisions replayed: {replayed} identical, 0 differ, {leftOut.Length} without package", lines[^1]);
        Assert.StartsWith("cedge: ", Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void AuditReplay_DataDirectoryMissing_RefusedOnOneLineCreatesNothing()
    {
        var absent = _data.Combine("absent");

        var result = Cedge.Run("audit", "replay", "--data-dir", absent, "--packages", RepoPaths.DefaultModel);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith("cedge: ", Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(absent));
    }

    [Fact]
    public void AuditReplay_NoStoreInDataDirectory_RefusedOnOneLineCreatesNothing()
    {
        var result = Cedge.Run("audit", "replay", "--data-dir", _data.Path, "--packages", RepoPaths.DefaultModel);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("no decision store", Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data.Path));
    }

    /// <summary>Stores decisions of default fp32 (200), default int8 (120) and kernel-limits fp32 (its golden set), as the agent would.</summary>
    private async Task<List<Decision>> WriteMixedStoreAsync()
    {
        var decisions = new List<Decision>();
        foreach (var (directory, variant, take) in new[] { (RepoPaths.DefaultModel, "fp32", 200), (RepoPaths.DefaultModel, "int8", 120), (KernelLimits, "fp32", int.MaxValue) })
        {
            using var model = LoadedModel.Load(directory, variant);
            decisions.AddRange(GoldenInputs(directory).Take(take).Select(input => Decide(model, input)));
        }

        await SaveAsync(decisions);
        return decisions;
    }

    private async Task SaveAsync(IEnumerable<Decision> decisions)
    {
        using var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _data.Path }, NullLogger.Instance);
        await Task.WhenAll(decisions.Select(d => store.SaveAsync(d, CancellationToken.None)));
    }

    private static IEnumerable<float[]> GoldenInputs(string package) =>
        File.ReadLines(Path.Combine(package, "golden.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize(l, PackageJson.Default.GoldenRecord)!.Input.ToArray());

    /// <summary>A decision assembled the way the agent's ScoringService assembles it.</summary>
    private static Decision Decide(LoadedModel model, float[] row)
    {
        var reasons = new Reason[ReasonAttribution.MaxReasons];
        var verdict = model.Engine.Decide(row, reasons);
        var now = DateTimeOffset.UtcNow;
        return new Decision
        {
            DecisionId = Guid.CreateVersion7(now).ToString("N"),
            ApplicationId = null,
            IdempotencyKey = null,
            Outcome = verdict.Outcome,
            Probability = verdict.Probability,
            Score = verdict.Score,
            Reasons = reasons[..verdict.ReasonCount],
            Model = model.Engine.Model,
            CreatedAt = now,
            Input = row,
        };
    }

    private static string Codes(IEnumerable<Reason> reasons) => string.Join(",", reasons.Select(r => r.Code));

    private static string Name(Outcome outcome) => outcome.ToString().ToLowerInvariant();
}
