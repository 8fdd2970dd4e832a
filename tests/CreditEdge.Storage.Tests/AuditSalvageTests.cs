using System.Security.Cryptography;
using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>A stopped agent's store is verified read-only; a damaged one is left as it was and read as far as it can be.</summary>
public sealed class AuditSalvageTests : IDisposable
{
    private const int Page = 8192;
    private readonly TempDirectory _dir = new("salvage");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task VerifyStoppedAndSalvage_EachPageGarbledInTurn_NeverWriteAndReturnOnlyTrueDecisions()
    {
        var written = await WriteAsync(300);
        var dataPath = _dir.Combine(DecisionStoreSettings.DatabaseFile);
        var logPath = _dir.Combine(DecisionStoreSettings.LogFile);
        var original = File.ReadAllBytes(dataPath);
        var log = File.ReadAllBytes(logPath);
        var failing = 0;
        var mostlyRecovered = 0;
        for (var page = 2; page < original.Length / Page; page += 2)
        {
            var damaged = (byte[])original.Clone();
            RandomNumberGenerator.Fill(damaged.AsSpan(page * Page, Page));
            File.WriteAllBytes(dataPath, damaged);

            bool intact;
            try
            {
                intact = LiteDecisionStore.VerifyStopped(Settings()).Intact;
            }
            catch (DamagedStoreException)
            {
                intact = false;
            }

            var salvage = AuditSalvage.Read(_dir.Path, keyFile: null);

            Assert.Equal(damaged, File.ReadAllBytes(dataPath));
            Assert.Equal(log, File.ReadAllBytes(logPath));
            Assert.All(salvage.ReadableDecisions, d => Assert.Equal(written[d.DecisionId], Json(d)));
            Assert.Equal(salvage.ReadableDecisions.Count, salvage.ReadableDecisions.Select(d => d.DecisionId).Distinct().Count());
            if (!intact)
            {
                failing++;
                mostlyRecovered += salvage.ReadableDecisions.Count >= 250 ? 1 : 0;
            }
            else
            {
                Assert.Equal(300, salvage.LinksVerified); // damage the store does not notice is in a page it does not use
            }
        }

        Assert.True(failing >= 10, $"only {failing} garbled pages were noticed");
        Assert.True(mostlyRecovered * 2 >= failing, $"salvage read ≥ 250 of 300 decisions for only {mostlyRecovered} of {failing} damaged stores");
    }

    [Fact]
    public async Task Salvage_DataPageGarbled_ReportsTheUnreadableRangeAndVerifiesTheRest()
    {
        var written = await WriteAsync(300);
        var dataPath = _dir.Combine(DecisionStoreSettings.DatabaseFile);
        var original = File.ReadAllBytes(dataPath);
        SalvageReport? found = null;
        for (var page = original.Length / Page - 1; page > 1 && found is null; page--)
        {
            var damaged = (byte[])original.Clone();
            RandomNumberGenerator.Fill(damaged.AsSpan(page * Page, Page));
            File.WriteAllBytes(dataPath, damaged);
            var salvage = AuditSalvage.Read(_dir.Path, keyFile: null);
            if (salvage.UnreadableLinks.Count == 1 && salvage.LinksVerified > 0)
            {
                found = salvage;
            }
        }

        Assert.NotNull(found);
        var (from, to) = Assert.Single(found.UnreadableLinks);
        Assert.Equal(300, found.Links);
        Assert.Equal(from - 1, found.LinksVerified); // unbroken up to the gap
        Assert.Equal(300 - to, found.LinksHoldingAfterGaps); // and every link after it holds
        Assert.Empty(found.BrokenLinks);
        Assert.Contains($"unreadable: links {from}…{to}", found.Describe(), StringComparer.Ordinal);
        Assert.All(found.ReadableDecisions, d => Assert.Equal(written[d.DecisionId], Json(d)));
    }

    [Fact]
    public async Task VerifyStopped_IntactStore_VerifiesWithoutWritingAndRefusesWhileOpen()
    {
        await WriteAsync(20);
        var before = File.ReadAllBytes(_dir.Combine(DecisionStoreSettings.DatabaseFile));

        var report = LiteDecisionStore.VerifyStopped(Settings());

        Assert.True(report.Intact, report.Problem);
        Assert.Equal(20, report.LinksVerified);
        Assert.Equal(before, File.ReadAllBytes(_dir.Combine(DecisionStoreSettings.DatabaseFile)));
        using var running = LiteDecisionStore.Open(Settings(), NullLogger.Instance);
        var refused = Assert.Throws<StorageException>(() => LiteDecisionStore.VerifyStopped(Settings()));
        Assert.Contains("in use by another CreditEdge process", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Salvage_HeaderGarbled_SaysNothingCouldBeRead()
    {
        await WriteAsync(20);
        var dataPath = _dir.Combine(DecisionStoreSettings.DatabaseFile);
        var bytes = File.ReadAllBytes(dataPath);
        RandomNumberGenerator.Fill(bytes.AsSpan(Page, 512));
        File.WriteAllBytes(dataPath, bytes);

        var salvage = AuditSalvage.Read(_dir.Path, keyFile: null);

        Assert.NotNull(salvage.OpenFailure);
        Assert.Empty(salvage.ReadableDecisions);
        Assert.StartsWith("nothing could be read: ", Assert.Single(salvage.Describe()), StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(dataPath));
    }

    private static string Json(Decision d) => JsonSerializer.Serialize(d, DecisionJson.Default.Decision);

    private async Task<Dictionary<string, string>> WriteAsync(int count)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        using var store = LiteDecisionStore.Open(Settings(), NullLogger.Instance);
        for (var i = 1; i <= count; i++)
        {
            var decision = await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
            written[decision.DecisionId] = Json(decision);
        }

        return written;
    }

    private DecisionStoreSettings Settings() => new() { DataDirectory = _dir.Path };
}
