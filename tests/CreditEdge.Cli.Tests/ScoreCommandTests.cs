using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

public sealed class ScoreCommandTests : IDisposable
{
    private const double Tolerance = 1e-5;

    private static readonly string[] Outcomes = ["approve", "refer", "decline"];

    private static readonly GoldenRecord[] Golden = File.ReadLines(Path.Combine(RepoPaths.DefaultModel, "golden.jsonl"))
        .Where(l => l.Length > 0)
        .Take(3)
        .Select(l => JsonSerializer.Deserialize(l, PackageJson.Default.GoldenRecord)!)
        .ToArray();

    private readonly TempDirectory _temp = new("cedge-score");

    public void Dispose() => _temp.Dispose();

    private static string Request(GoldenRecord record, string applicationId) =>
        new JsonObject { ["applicationId"] = applicationId, ["features"] = record.Features.DeepClone() }.ToJsonString();

    [Fact]
    public void Score_ThreeGoldenRequests_PrintsTheirExpectedProbabilities()
    {
        var input = _temp.Combine("requests.jsonl");
        File.WriteAllLines(input, [Request(Golden[0], "g-1"), Request(Golden[1], "g-2"), Golden[2].Features.ToJsonString()]);

        var result = Cedge.Run("score", RepoPaths.DefaultModel, "--input", input);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        var lines = result.OutputLines;
        Assert.Equal(3, lines.Length);
        for (var i = 0; i < 3; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var root = json.RootElement;
            Assert.Equal($"line {i + 1}", root.GetProperty("input").GetString());
            Assert.Equal(Golden[i].Expected[VariantOf(root)], root.GetProperty("probability").GetDouble(), Tolerance);
            Assert.Contains(root.GetProperty("outcome").GetString(), Outcomes);
            Assert.True(root.GetProperty("score").GetInt32() > 0);
            Assert.InRange(root.GetProperty("reasons").GetArrayLength(), 0, 4);
            foreach (var reason in root.GetProperty("reasons").EnumerateArray())
            {
                // the applicant's plain-language text, and the feature-name text for staff, as the agent's API gives them
                var staffText = reason.GetProperty("staffText").GetString();
                Assert.EndsWith($"({reason.GetProperty("feature").GetString()})", staffText, StringComparison.Ordinal);
                Assert.DoesNotContain($"({reason.GetProperty("feature").GetString()})", reason.GetProperty("text").GetString(), StringComparison.Ordinal);
            }
        }

        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("g-1", first.RootElement.GetProperty("applicationId").GetString());
    }

    [Fact]
    public void Score_JsonArrayFile_ScoresEachItem()
    {
        var input = _temp.Combine("requests.json");
        File.WriteAllText(input, $"[\n  {Request(Golden[0], "a")},\n  {Request(Golden[1], "b")}\n]\n");

        var result = Cedge.Run("score", RepoPaths.DefaultModel, "--input", input);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.OutputLines.Length);
        using var second = JsonDocument.Parse(result.OutputLines[1]);
        Assert.Equal("item 2", second.RootElement.GetProperty("input").GetString());
        Assert.Equal(Golden[1].Expected[VariantOf(second.RootElement)], second.RootElement.GetProperty("probability").GetDouble(), Tolerance);
    }

    [Fact]
    public void Score_InvalidLine_NamesLineAndFieldAndExitsNonZero()
    {
        var bad = Golden[1].Features.DeepClone().AsObject();
        bad["AGE"] = "old";
        var input = _temp.Combine("requests.jsonl");
        File.WriteAllLines(input, [Request(Golden[0], "ok"), new JsonObject { ["features"] = bad }.ToJsonString(), Request(Golden[2], "ok-too")]);

        var result = Cedge.Run("score", RepoPaths.DefaultModel, "--input", input);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cedge: line 2: ", line, StringComparison.Ordinal);
        Assert.Contains("features.AGE", line, StringComparison.Ordinal);
        // the valid lines are still scored, and the invalid one is reported in place
        Assert.Equal(3, result.OutputLines.Length);
        using var second = JsonDocument.Parse(result.OutputLines[1]);
        Assert.Equal("features.AGE", second.RootElement.GetProperty("errors")[0].GetProperty("field").GetString());
        using var third = JsonDocument.Parse(result.OutputLines[2]);
        Assert.Equal(Golden[2].Expected[VariantOf(third.RootElement)], third.RootElement.GetProperty("probability").GetDouble(), Tolerance);
    }

    [Fact]
    public void Score_LineNotJson_NamesTheLine()
    {
        var input = _temp.Combine("requests.jsonl");
        File.WriteAllLines(input, [Request(Golden[0], "ok"), "", "{not json"]);

        var result = Cedge.Run("score", RepoPaths.DefaultModel, "--input", input);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("cedge: line 3: body", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Score_MissingInputFile_UsageErrorOnOneLine()
    {
        var result = Cedge.Run("score", RepoPaths.DefaultModel, "--input", _temp.Combine("nope.jsonl"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("cedge: ", Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    /// <summary>The variant that scored (auto picks per CPU), whose golden expectation the probability must meet.</summary>
    private static string VariantOf(JsonElement decision) => decision.GetProperty("model").GetProperty("variant").GetString()!;
}
