using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>
/// Reasons in the API: <c>text</c> is the package's plain-language applicant text (by direction against the reason's
/// reference), <c>staffText</c> the feature-name text of the manifest. Real agent, real ORT, the default package.
/// </summary>
public sealed class ReasonTextApiTests : IDisposable
{
    private readonly TempDirectory _data = new("agent-texts");
    private readonly TempDirectory _package = new("agent-texts-package");

    public void Dispose()
    {
        _data.Dispose();
        _package.Dispose();
    }

    /// <summary>The applicant text the manifest gives a reason for this input row: High above the reference, Low below, else the general one.</summary>
    private static string ExpectedApplicantText(ReasonCode row, float value) =>
        (value > row.Reference ? row.ApplicantTextHigh : value < row.Reference ? row.ApplicantTextLow : null)
        ?? row.ApplicantText ?? row.Text;

    private static async Task<JsonElement> ScoreAsync(RunningAgent agent, GoldenRecord record)
    {
        using var content = new StringContent(GoldenSet.RequestBody(record), Encoding.UTF8, "application/json");
        var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task PostScore_GoldenApplicants_TextIsThePlainLanguageTextAndStaffTextTheManifests()
    {
        var manifest = ModelPackage.ReadManifest(Path.Combine(RepoPaths.DefaultModel, ModelPackage.ManifestFile));
        var order = manifest.Features.Select(f => f.Name).ToList();
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var reasonsSeen = 0;
        var directional = 0;

        foreach (var record in GoldenSet.Records.Take(40))
        {
            var decision = await ScoreAsync(agent, record);
            foreach (var reason in decision.GetProperty("reasons").EnumerateArray())
            {
                var row = manifest.Reasons.Single(r => r.Code == reason.GetProperty("code").GetString());
                var value = record.Input[order.IndexOf(row.Feature)];
                var text = reason.GetProperty("text").GetString();
                Assert.Equal(row.Feature, reason.GetProperty("feature").GetString());
                Assert.Equal(row.Text, reason.GetProperty("staffText").GetString());
                Assert.Equal(ExpectedApplicantText(row, value), text);
                Assert.NotEqual(row.Text, text);
                directional += text == row.ApplicantTextHigh || text == row.ApplicantTextLow ? 1 : 0;
                reasonsSeen++;
            }
        }

        Assert.True(reasonsSeen > 20, $"only {reasonsSeen} reasons in 40 golden decisions");
        Assert.True(directional > 0, "no reason took a direction-specific text");
    }

    [Fact]
    public async Task GetDecision_Stored_ReturnsTheSameTexts()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);
        var decision = await ScoreAsync(agent, GoldenSet.Records[3]);

        var stored = JsonDocument.Parse(await agent.Client.GetStringAsync(new Uri($"/v1/decisions/{decision.GetProperty("decisionId").GetString()}", UriKind.Relative))).RootElement;

        Assert.Equal(decision.GetProperty("reasons").GetRawText(), stored.GetProperty("reasons").GetRawText());
    }

    [Fact]
    public async Task PostScore_PackageWithoutApplicantTexts_TextIsTheStaffText()
    {
        PackageForge.CopyDefault(_package.Path);
        PackageForge.EditManifest(_package.Path, m =>
        {
            foreach (var reason in m["reasons"]!.AsArray())
            {
                var row = reason!.AsObject();
                row.Remove("applicantText");
                row.Remove("applicantTextHigh");
                row.Remove("applicantTextLow");
            }
        });
        await using var agent = await RunningAgent.StartAsync(_data.Path, $"--ModelDirectory={_package.Path}");
        var seen = 0;

        foreach (var record in GoldenSet.Records.Take(10))
        {
            foreach (var reason in (await ScoreAsync(agent, record)).GetProperty("reasons").EnumerateArray())
            {
                Assert.Equal(reason.GetProperty("staffText").GetString(), reason.GetProperty("text").GetString());
                Assert.EndsWith($"({reason.GetProperty("feature").GetString()})", reason.GetProperty("text").GetString(), StringComparison.Ordinal);
                seen++;
            }
        }

        Assert.True(seen > 0);
    }

    [Fact]
    public async Task GetModel_DefaultPackage_FeaturesCarryLabelUnitAndCodeLabels()
    {
        await using var agent = await RunningAgent.StartAsync(_data.Path);

        var model = JsonNode.Parse(await agent.Client.GetStringAsync(new Uri("/v1/model", UriKind.Relative)))!;
        var features = model["features"]!.AsArray().ToDictionary(f => (string)f!["name"]!);

        Assert.Equal("Credit limit", (string?)features["CREDIT_LIMIT"]!["label"]);
        Assert.Equal("NT$", (string?)features["CREDIT_LIMIT"]!["unit"]);
        Assert.Equal("Graduate school", (string?)features["EDUCATION"]!["codeLabels"]!["1"]);
        Assert.Null(features["EDUCATION"]!["unit"]);
    }
}
