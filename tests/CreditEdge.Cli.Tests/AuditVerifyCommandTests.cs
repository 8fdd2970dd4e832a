using CreditEdge.Core.Audit;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Cli.Tests;

public sealed class AuditVerifyCommandTests : IDisposable
{
    private readonly TempDirectory _data = new("cedge-audit");

    public void Dispose() => _data.Dispose();

    private LiteDecisionStore OpenStore() => LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _data.Path }, NullLogger.Instance);

    private async Task<string> WriteDecisionsAsync(int count)
    {
        using var store = OpenStore();
        for (var i = 1; i <= count; i++)
        {
            await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
        }

        return store.VerifyAuditChain().HeadHash;
    }

    [Fact]
    public async Task AuditVerify_StoreWrittenByTheStore_SaysIntactWithHead()
    {
        var head = await WriteDecisionsAsync(5);

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"5 links intact (links 1…5), head {head}", Assert.Single(result.OutputLines));
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task AuditVerify_ExplicitKeyFile_Works()
    {
        await WriteDecisionsAsync(2);
        var keyFile = _data.Combine("elsewhere.key");
        File.Move(_data.Combine(DecisionStoreSettings.DefaultKeyFile), keyFile);

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path, "--key-file", keyFile);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("2 links intact", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_DecisionEditedBehindTheChain_ExitsOneNamingTheFirstBrokenLink()
    {
        await WriteDecisionsAsync(4);
        TamperWithDecision(3);

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cedge: audit chain broken: link 3: ", line, StringComparison.Ordinal);
        Assert.Contains("2 links intact", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_StoreWithEvents_CountsThemAndListsOneLineEach()
    {
        var at = new DateTimeOffset(2026, 11, 30, 9, 5, 0, TimeSpan.FromHours(1));
        string head;
        using (var store = OpenStore())
        {
            await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
            await store.AppendEventAsync(new AuditEvent("tamper-opened", at, "enclosure opened (switch 2)"), CancellationToken.None);
            await store.AppendEventAsync(new AuditEvent("tamper-unlocked", at.AddMinutes(3), "unlocked by operator op-17\nat the front desk"), CancellationToken.None);
            await store.SaveAsync(SampleDecisions.Create(2), CancellationToken.None);
            head = store.VerifyAuditChain().HeadHash;
        }

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                $"4 links intact (links 1…4), head {head}",
                "2 events verified:",
                "link 2  2026-11-30 08:05:00Z  tamper-opened  enclosure opened (switch 2)",
                "link 3  2026-11-30 08:08:00Z  tamper-unlocked  unlocked by operator op-17 at the front desk",
            ],
            result.OutputLines);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task AuditVerify_MoreEventsThanListed_CountsAllAndListsTheLast()
    {
        var at = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        using (var store = OpenStore())
        {
            for (var i = 1; i <= AuditReport.MaxLastEvents + 5; i++)
            {
                await store.AppendEventAsync(new AuditEvent("tamper-opened", at.AddMinutes(i), $"opened {i}"), CancellationToken.None);
            }
        }

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"{AuditReport.MaxLastEvents + 5} events verified, the last {AuditReport.MaxLastEvents}:", result.OutputLines[1]);
        Assert.Equal(AuditReport.MaxLastEvents + 2, result.OutputLines.Length);
        Assert.EndsWith("tamper-opened  opened 6", result.OutputLines[2], StringComparison.Ordinal);
        Assert.EndsWith($"tamper-opened  opened {AuditReport.MaxLastEvents + 5}", result.OutputLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_EventEditedBehindTheChain_ExitsOneNamingTheLink()
    {
        using (var store = OpenStore())
        {
            await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
            await store.AppendEventAsync(new AuditEvent("tamper-opened", DateTimeOffset.UnixEpoch, "enclosure opened"), CancellationToken.None);
            await store.SaveAsync(SampleDecisions.Create(2), CancellationToken.None);
        }

        var password = File.ReadAllText(_data.Combine(DecisionStoreSettings.DefaultKeyFile)).Trim();
        using (var db = new LiteDatabase(new ConnectionString { Filename = _data.Combine(DecisionStoreSettings.DatabaseFile), Password = password }))
        {
            var audit = db.GetCollection("audit");
            var link = audit.FindById(2);
            link["event"] = link["event"].AsString.Replace("tamper-opened", "maintenance", StringComparison.Ordinal);
            audit.Update(link);
        }

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.StartsWith("cedge: audit chain broken: link 2: event does not match its recorded hash (1 links intact", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_WhileAnotherProcessHoldsTheStore_RefusedWithOneLine()
    {
        await WriteDecisionsAsync(1);
        using var agentStore = OpenStore();

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cedge: ", line, StringComparison.Ordinal);
        Assert.Contains("in use by another CreditEdge process", line, StringComparison.Ordinal);
    }

    /// <summary>Rewrites the <paramref name="n"/>-th stored decision (by id order) the way an attacker with the key would.</summary>
    private void TamperWithDecision(int n)
    {
        var password = File.ReadAllText(_data.Combine(DecisionStoreSettings.DefaultKeyFile)).Trim();
        using var db = new LiteDatabase(new ConnectionString { Filename = _data.Combine(DecisionStoreSettings.DatabaseFile), Password = password });
        var decisions = db.GetCollection("decisions");
        var doc = decisions.FindAll().OrderBy(d => d["_id"].AsString, StringComparer.Ordinal).ElementAt(n - 1);
        doc["z"] = DecisionCompression.Compress(StoredDocuments.DecisionJson(doc)!.Replace("\"app-", "\"app-X", StringComparison.Ordinal));
        decisions.Update(doc);
    }

    [Fact]
    public void AuditVerify_NoStoreInDirectory_RefusedAndCreatesNothing()
    {
        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no decision store", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(_data.Combine(DecisionStoreSettings.DatabaseFile)));
        Assert.False(File.Exists(_data.Combine(DecisionStoreSettings.DefaultKeyFile)));
    }
}

public sealed class AuditVerifyDamagedStoreTests : IDisposable
{
    private readonly TempDirectory _data = new("cedge-audit-damaged");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AuditVerify_DamagedStore_ReportsWhatItReadWritesTheSalvageAndLeavesTheFileAsItWas()
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _data.Path }, NullLogger.Instance))
        {
            for (var i = 1; i <= 300; i++)
            {
                var decision = await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
                written[decision.DecisionId] = System.Text.Json.JsonSerializer.Serialize(decision, CreditEdge.Core.Decisions.DecisionJson.Default.Decision);
            }
        }

        // the last page the store cannot be verified without: found, not assumed, so a LiteDB layout change cannot fool the test
        var path = _data.Combine(DecisionStoreSettings.DatabaseFile);
        var original = File.ReadAllBytes(path);
        byte[]? damaged = null;
        for (var page = original.Length / 8192 - 1; page > 1 && damaged is null; page--)
        {
            var candidate = (byte[])original.Clone();
            System.Security.Cryptography.RandomNumberGenerator.Fill(candidate.AsSpan(page * 8192, 8192));
            File.WriteAllBytes(path, candidate);
            try
            {
                _ = LiteDecisionStore.VerifyStopped(new DecisionStoreSettings { DataDirectory = _data.Path });
            }
            catch (DamagedStoreException)
            {
                damaged = candidate;
            }
        }

        Assert.NotNull(damaged);
        var salvageFile = _data.Combine("salvaged.jsonl");

        var result = Cedge.Run("audit", "verify", "--data-dir", _data.Path, "--salvage", salvageFile);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("cedge: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("is damaged", result.Error, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(path));
        var summary = result.OutputLines[0];
        Assert.StartsWith("read what it could: ", summary, StringComparison.Ordinal);
        var lines = File.ReadAllLines(salvageFile);
        Assert.Contains($"{lines.Length} decisions readable", summary, StringComparison.Ordinal);
        Assert.True(lines.Length >= 250, $"salvaged {lines.Length} of 300");
        Assert.All(lines, line => Assert.Equal(written[System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("decisionId").GetString()!], line));
        Assert.Equal($"{lines.Length} readable decisions written to {salvageFile}", result.OutputLines[^1]);
    }
}
