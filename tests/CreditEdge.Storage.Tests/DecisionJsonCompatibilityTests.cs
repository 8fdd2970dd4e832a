using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>
/// Reasons gained an optional applicant text. Decisions stored before it (no <c>applicantText</c> key) must read back
/// and serialize to the very same bytes, so their audit-chain links still verify.
/// </summary>
public sealed class DecisionJsonCompatibilityTests : IDisposable
{
    /// <summary>A decision's canonical JSON as the agent stored it before reasons had an applicant text.</summary>
    private const string OldDecisionJson =
        """{"decisionId":"0193a1b2c3d4e5f60718293a4b5c6d7e","applicationId":"hmac-sha256:ce1d0625aa","idempotencyKey":"demo-1","outcome":"decline","probability":0.6125,"score":471,"reasons":[{"code":"R04","feature":"PAYMENTDELAY_1","text":"Recent repayment delay (PAYMENTDELAY_1)"},{"code":"R01","feature":"CREDIT_LIMIT","text":"Credit limit (CREDIT_LIMIT)"}],"model":{"id":"taiwan-credit","version":"1.1.0","sha256":"f54d442b00000000000000000000000000000000000000000000000000000000","variant":"fp32"},"createdAt":"2026-11-30T08:00:01+00:00","input":[20000,2,24,2,2,0,0,0,0,3913,3102,689,0,0,0,0,689,0,0,0,0]}""";

    private readonly TempDirectory _dir = new("decision-json");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Deserialize_DecisionStoredBeforeApplicantTexts_SerializesToTheSameBytesAndHash()
    {
        var decision = JsonSerializer.Deserialize(OldDecisionJson, DecisionJson.Default.Decision)!;

        var again = JsonSerializer.Serialize(decision, DecisionJson.Default.Decision);

        Assert.All(decision.Reasons, r => Assert.Null(r.ApplicantText));
        Assert.Equal(OldDecisionJson, again);
        Assert.Equal(AuditChain.Link(AuditChain.Genesis, OldDecisionJson), AuditChain.Link(AuditChain.Genesis, again));
    }

    [Fact]
    public void Serialize_ReasonWithApplicantText_WritesItAndReadsItBack()
    {
        var decision = JsonSerializer.Deserialize(OldDecisionJson, DecisionJson.Default.Decision)! with
        {
            Reasons = [new Reason("R01", "CREDIT_LIMIT", "Credit limit (CREDIT_LIMIT)", "Your credit limit is low compared with approved applicants")],
        };

        var json = JsonSerializer.Serialize(decision, DecisionJson.Default.Decision);
        var back = JsonSerializer.Deserialize(json, DecisionJson.Default.Decision)!;

        Assert.Contains("""{"code":"R01","feature":"CREDIT_LIMIT","text":"Credit limit (CREDIT_LIMIT)","applicantText":"Your credit limit is low compared with approved applicants"}""", json, StringComparison.Ordinal);
        Assert.Equal(decision.Reasons, back.Reasons);
    }

    [Fact]
    public async Task Store_OldAndNewDecisionsInOneChain_ReadBackUnchangedAndChainVerifies()
    {
        var old = JsonSerializer.Deserialize(OldDecisionJson, DecisionJson.Default.Decision)!;
        var fresh = SampleDecisions.Create(2) with
        {
            Reasons = [new Reason("R04", "PAYMENTDELAY_1", "Recent repayment delay (PAYMENTDELAY_1)", "Your most recent repayment was late")],
        };
        using (var store = CreateSut())
        {
            await store.SaveAsync(old, CancellationToken.None);
            await store.SaveAsync(fresh, CancellationToken.None);
        }

        using var reopened = CreateSut();
        var report = reopened.VerifyAuditChain();

        Assert.True(report.Intact, report.Problem);
        Assert.Equal(2, report.LinksVerified);
        Assert.Equal(OldDecisionJson, JsonSerializer.Serialize(reopened.Find(old.DecisionId)!, DecisionJson.Default.Decision));
        Assert.Equal("Your most recent repayment was late", reopened.Find(fresh.DecisionId)!.Reasons[0].ApplicantText);
    }

    private LiteDecisionStore CreateSut() => LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);
}
