using System.Text.Json;
using CreditEdge.TestKit;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Inference.Tests;

/// <summary>
/// What any ONNX runtime would compute, with no CreditEdge code in between: a bare ORT session per variant file, the
/// golden file parsed as plain JSON, input "features" [N, F] and output "probability" [N, 1] named literally here as
/// the README's package contract names them.
/// </summary>
public sealed class PlainOrtSessionTests
{
    public static TheoryData<string> Packages => [RepoPaths.DefaultModel, Path.Combine(RepoPaths.Root, "tests", "packages", "kernel-limits")];

    [Theory]
    [MemberData(nameof(Packages))]
    public void PlainSession_CommittedPackage_ReproducesGoldenForEveryVariant(string directory)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")));
        var golden = File.ReadLines(Path.Combine(directory, "golden.jsonl")).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l)).ToArray();
        var variants = manifest.RootElement.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["fp32", "int8"], variants.Select(v => v.GetProperty("name").GetString()));
        try
        {
            foreach (var variant in variants)
            {
                var name = variant.GetProperty("name").GetString()!;
                using var session = new InferenceSession(Path.Combine(directory, variant.GetProperty("file").GetString()!));
                foreach (var (record, line) in golden.Select((g, i) => (g.RootElement, i + 1)))
                {
                    var input = record.GetProperty("input").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                    using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, input.Length]);
                    using var runOptions = new RunOptions();
                    using var outputs = session.Run(runOptions, ["features"], [tensor], ["probability"]);
                    var probability = outputs[0].GetTensorDataAsSpan<float>()[0];
                    var expected = record.GetProperty("expected").GetProperty(name).GetDouble();
                    Assert.True(Math.Abs(probability - expected) <= 1e-5, $"{name} line {line}: {probability} vs {expected}");
                }
            }
        }
        finally
        {
            foreach (var document in golden)
            {
                document.Dispose();
            }
        }
    }
}
