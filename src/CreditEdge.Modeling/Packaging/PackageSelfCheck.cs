using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Schema;
using CreditEdge.Inference;

namespace CreditEdge.Modeling.Packaging;

/// <summary>
/// Reads a written package back the way the device does (<see cref="ModelPackage.Load"/>) and replays
/// <c>golden.jsonl</c> in a fresh ONNX Runtime session (<see cref="GoldenReplay"/>, as the device does): each record's request form must validate against the
/// manifest and give exactly its input row, and the model must reproduce each expected probability.
/// </summary>
public static class PackageSelfCheck
{
    /// <summary>Throws <see cref="ModelBuildException"/> naming the first disagreement; returns the records checked.</summary>
    public static int Verify(string directory)
    {
        ModelPackage package;
        try
        {
            package = ModelPackage.Load(directory);
        }
        catch (ModelPackageException ex)
        {
            throw new ModelBuildException($"self-check: the package does not load: {ex.Message}", ex);
        }

        IReadOnlyList<GoldenLine> golden;
        try
        {
            golden = GoldenReplay.Read(package);
        }
        catch (ModelPackageException ex)
        {
            throw new ModelBuildException($"self-check: {ex.Message}", ex);
        }

        var records = golden.Select(l => l.Record).ToArray();
        if (records.Length == 0)
        {
            throw new ModelBuildException("self-check: golden.jsonl is empty");
        }

        var width = package.Schema.Count;
        var row = new float[width];
        var problems = new List<ValidationProblem>();
        for (var i = 0; i < records.Length; i++)
        {
            var request = Encoding.UTF8.GetBytes(new JsonObject { ["features"] = records[i].Features.DeepClone() }.ToJsonString());
            problems.Clear();
            if (!ScoreRequestReader.TryRead(request, package.Schema, row, out _, problems))
            {
                throw new ModelBuildException($"self-check: golden record {i + 1} is refused by the manifest's schema: {problems[0].Message}");
            }

            if (!row.AsSpan().SequenceEqual(records[i].Input.ToArray()))
            {
                throw new ModelBuildException($"self-check: golden record {i + 1}: its request form does not give its input row");
            }
        }

        foreach (var variant in package.Manifest.Variants)
        {
            using var scorer = OnnxScorer.Load(package.PathOf(variant));
            if (scorer.FeatureCount != width)
            {
                throw new ModelBuildException($"self-check: '{variant.File}' takes {scorer.FeatureCount} features; the manifest lists {width}");
            }

            var replay = GoldenReplay.Run(golden, scorer, variant.Name);
            if (!replay.Passed || replay.Records != records.Length)
            {
                throw new ModelBuildException($"self-check: {replay.Failure ?? $"only {replay.Records} of {records.Length} golden records have an expected value for variant '{variant.Name}'"}");
            }
        }

        return records.Length;
    }
}
