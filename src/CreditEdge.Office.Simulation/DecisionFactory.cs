using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;

namespace CreditEdge.Office.Simulation;

/// <summary>
/// Decisions as a device running <see cref="ModelPackage"/> stores and syncs them: a golden applicant's input row and
/// probability, the package's score and outcome, reasons from its reason table, a fresh time-ordered id (as the
/// agent's scoring makes them: a version-7 GUID) and <c>createdAt</c> = now, so the office's <c>received_at</c> minus
/// <c>createdAt</c> is the end-to-end lag.
/// </summary>
public sealed class DecisionFactory
{
    private readonly ModelPackage _package;
    private readonly GoldenRecord[] _golden;
    private readonly ModelRef _model;

    public DecisionFactory(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        _package = package;
        _golden = File.ReadLines(Path.Combine(package.Directory, package.Manifest.Golden))
            .Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize(l, PackageJson.Default.GoldenRecord)!)
            .ToArray();
        if (_golden.Length == 0)
        {
            throw new ModelPackageException("golden", $"'{package.Directory}' has no golden applicants to simulate with");
        }

        var variant = package.Manifest.Variants[0];
        _model = new ModelRef(package.Manifest.Id, package.Manifest.Version, variant.Sha256, variant.Name);
    }

    public ModelRef Model => _model;

    public IReadOnlyList<string> FeatureNames => [.. _package.Manifest.Features.Select(f => f.Name)];

    public Decision Create(Random random, DateTimeOffset now, ModelRef? model = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        var applicant = _golden[random.Next(_golden.Length)];
        var probability = applicant.Expected.TryGetValue(_model.Variant, out var p) ? p : applicant.Expected.Values.First();
        var score = _package.Policy.Score(probability);
        var reasons = _package.Manifest.Reasons;
        var first = random.Next(reasons.Count);
        return new Decision
        {
            DecisionId = Guid.CreateVersion7(now).ToString("N"),
            ApplicationId = $"hmac-sha256:{Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()))}",
            Outcome = _package.Policy.Decide(score),
            Probability = probability,
            Score = score,
            Reasons = [.. Enumerable.Range(0, Math.Min(4, reasons.Count)).Select(i => reasons[(first + i) % reasons.Count])
                .Select(r => new Reason(r.Code, r.Feature, r.Text, r.ApplicantText ?? r.ApplicantTextHigh))],
            Model = model ?? _model,
            CreatedAt = now,
            Input = applicant.Input,
        };
    }
}
