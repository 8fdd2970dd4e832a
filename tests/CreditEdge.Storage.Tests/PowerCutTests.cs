using System.Security.Cryptography;
using CreditEdge.Core.Audit;
using CreditEdge.Core.Decisions;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>
/// A decision is acknowledged once its journal record is fsynced; LiteDB's log is fsynced only now and then. These tests
/// copy a running store's files as a power cut would leave them — the data file and the journal as they are (both
/// fsynced), the log only up to its last fsync, followed by the pages written since either lost or torn into garbage —
/// and open the copy: every acknowledged decision and event must be back, in an intact audit chain.
/// </summary>
public sealed class PowerCutTests : IDisposable
{
    private const long LogHeaderBytes = 8192; // LiteDB's encrypted stream keeps its salt in the file's first page
    private readonly TempDirectory _dir = new("store");
    private readonly TempDirectory _copy = new("after-power-cut");

    public void Dispose()
    {
        _dir.Dispose();
        _copy.Dispose();
    }

    [Theory]
    [InlineData("lost")]
    [InlineData("garbage")]
    public async Task Open_ThePagesWrittenToTheLogSinceItsLastFsyncLost_EveryAcknowledgedDecisionAndEventIsBack(string tail)
    {
        var logPath = _dir.Combine(DecisionStoreSettings.LogFile);
        long durableLog = 0;
        var settings = new DecisionStoreSettings
        {
            DataDirectory = _dir.Path,
            OnFileSynced = path =>
            {
                var length = File.Exists(logPath) ? new FileInfo(logPath).Length : 0; // on the thread that synced, before it writes more
                if (path == logPath)
                {
                    Interlocked.Exchange(ref durableLog, length);
                }
                else if (length < Interlocked.Read(ref durableLog))
                {
                    // emptied by a checkpoint (the journal starts over right after; the cut itself is not fsynced): only
                    // its header page, never rewritten, is on the disk for sure
                    Interlocked.Exchange(ref durableLog, LogHeaderBytes);
                }
            },
        };

        var acknowledged = new List<Decision>();
        long eventSequence;
        using (var store = LiteDecisionStore.Open(settings, NullLogger.Instance))
        {
            for (var i = 1; i <= 40; i++)
            {
                acknowledged.Add(await store.SaveAsync(SampleDecisions.Create(i, i % 3 == 0 ? $"key-{i}" : null), CancellationToken.None));
            }

            eventSequence = await store.AppendEventAsync(new AuditEvent("tamper-opened", DateTimeOffset.UtcNow, "enclosure opened"), CancellationToken.None);
            acknowledged.Add(await store.SaveAsync(SampleDecisions.Create(41), CancellationToken.None));
            store.Acknowledge([1, 2, 3]); // the broker's acknowledgements: journaled without an fsync of their own, then a decision's record fsynced after them
            acknowledged.Add(await store.SaveAsync(SampleDecisions.Create(42), CancellationToken.None));

            // LiteDB holds them all (the applier commits a moment after the answer), and its log has pages written since
            // its last fsync (else a few more decisions: a checkpoint had just made it all durable)
            for (var n = 43; LogWrittenSinceItsFsync(store, logPath, Interlocked.Read(ref durableLog)) is false; n++)
            {
                Assert.True(n < 200, "the log never had pages after its last fsync: the test would prove nothing");
                acknowledged.Add(await store.SaveAsync(SampleDecisions.Create(n), CancellationToken.None));
            }

            CopyAsAPowerCutLeavesIt(Interlocked.Read(ref durableLog), new FileInfo(logPath).Length, tail);
        }

        using var reopened = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _copy.Path }, NullLogger.Instance);
        Assert.All(acknowledged, decision => Assert.Equal(decision.Input, reopened.Find(decision.DecisionId)?.Input));
        Assert.Equal(acknowledged[8].DecisionId, reopened.FindByIdempotencyKey("key-9")?.DecisionId);
        Assert.Equal("tamper-opened", Assert.Single(reopened.ReadEvents(eventSequence - 1, 10)).Event.Type);
        Assert.Equal(acknowledged.Count - 3, reopened.Depth); // the acknowledged three stay acknowledged
        var audit = reopened.VerifyAuditChain();
        Assert.True(audit.Intact, audit.Problem);
        Assert.Equal(acknowledged.Count + 1, audit.LinksVerified);
        Assert.Equal(acknowledged.Count, reopened.Count());

        // and it goes on from there
        var next = await reopened.SaveAsync(SampleDecisions.Create(43), CancellationToken.None);
        Assert.NotNull(reopened.Find(next.DecisionId));
        Assert.True(reopened.VerifyAuditChain().Intact);
    }

    private static bool LogWrittenSinceItsFsync(LiteDecisionStore store, string logPath, long durableLog)
    {
        _ = store.Count(); // waits for the applier
        return new FileInfo(logPath).Length > durableLog;
    }

    private void CopyAsAPowerCutLeavesIt(long durableLog, long logNow, string tail)
    {
        foreach (var file in new[] { DecisionStoreSettings.DefaultKeyFile, DecisionStoreSettings.DatabaseFile, DecisionStoreSettings.JournalFile, DecisionStoreSettings.JournalFile + DecisionJournal.TwinSuffix })
        {
            File.Copy(_dir.Combine(file), _copy.Combine(file));
        }

        var log = new byte[tail == "lost" ? durableLog : logNow];
        using (var source = new FileStream(_dir.Combine(DecisionStoreSettings.LogFile), FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            source.ReadExactly(log, 0, (int)durableLog);
        }

        RandomNumberGenerator.Fill(log.AsSpan((int)durableLog));
        File.WriteAllBytes(_copy.Combine(DecisionStoreSettings.LogFile), log);
        new FileInfo(_copy.Combine(DecisionStoreSettings.DefaultKeyFile)).UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    }
}
