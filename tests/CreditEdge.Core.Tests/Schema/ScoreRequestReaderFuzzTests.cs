using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Schema;
using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Core.Tests.Schema;

/// <summary>
/// 100,000 hostile bodies (mutated real applications of the default package, and random bytes) through the request
/// reader: it never throws, a refusal always names known rules with a message, and an accepted body always fills a row
/// the model can take (finite, inside each feature's range, a valid code index).
/// </summary>
public sealed class ScoreRequestReaderFuzzTests
{
    private static readonly HashSet<string> Rules =
    [
        ValidationRules.Json, ValidationRules.BodySize, ValidationRules.UnknownField, ValidationRules.Duplicate, ValidationRules.Required,
        ValidationRules.Type, ValidationRules.Finite, ValidationRules.Range, ValidationRules.WholeNumber, ValidationRules.Code, ValidationRules.Length,
    ];

    [Fact]
    public void TryRead_HundredThousandHostileBodies_NeverThrowsAndEveryOutcomeIsWellFormed()
    {
        var package = ModelPackage.Load(RepoPaths.DefaultModel);
        var schema = package.Schema;
        var seeds = File.ReadLines(Path.Combine(RepoPaths.DefaultModel, "golden.jsonl")).Take(20)
            .Select(l => new JsonObject { ["applicationId"] = "kiosk-7-0001", ["features"] = JsonNode.Parse(l)!["features"]!.DeepClone() }.ToJsonString())
            .ToArray();
        var accepted = 0;
        var refused = 0;

        HostileBodies.From(seeds).Sample(body =>
        {
            var row = new float[schema.Count];
            var problems = new List<ValidationProblem>();
            var ok = ScoreRequestReader.TryRead(body, schema, row, out _, problems);
            if (ok)
            {
                Interlocked.Increment(ref accepted);
                Assert.Empty(problems);
                for (var i = 0; i < schema.Count; i++)
                {
                    var feature = schema.Features[i];
                    Assert.True(float.IsFinite(row[i]), $"{feature.Name} = {row[i]}");
                    if (feature.Kind == FeatureKind.Categorical)
                    {
                        Assert.InRange(row[i], 0, feature.Codes!.Count - 1);
                    }
                    else
                    {
                        Assert.InRange(row[i], feature.Min ?? double.MinValue, feature.Max ?? double.MaxValue);
                    }
                }
            }
            else
            {
                Interlocked.Increment(ref refused);
                Assert.NotEmpty(problems);
                Assert.All(problems, p =>
                {
                    Assert.Contains(p.Rule, Rules);
                    Assert.False(string.IsNullOrWhiteSpace(p.Message));
                    Assert.NotNull(p.Field); // may be "" when the body used "" as a name
                });
            }
        }, iter: 100_000, threads: 1);

        Assert.Equal(100_000, accepted + refused);
        Assert.True(accepted > 100 && refused > 50_000, $"{accepted} accepted, {refused} refused: the mutations should mostly break bodies but not always");
    }
}
