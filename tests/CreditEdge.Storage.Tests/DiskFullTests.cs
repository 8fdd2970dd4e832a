using CreditEdge.Core.Audit;
using CreditEdge.Core.Decisions;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>A real full disk (a 4 MiB tmpfs filled to the last block) under the encrypted decision store.</summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly SmallDisk _disk = new(sizeMiB: 4);

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task SaveAsync_DiskFillsThenSpaceReturns_RefusesThenRecoversByItselfAndLosesNothing()
    {
        var acknowledged = new List<string>();
        using (var store = CreateSut())
        {
            for (var i = 0; i < 50; i++)
            {
                acknowledged.Add((await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None)).DecisionId);
            }

            _disk.Fill();
            var refused = 0;
            for (var i = 50; i < 400 && refused == 0; i++)
            {
                try
                {
                    acknowledged.Add((await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None)).DecisionId);
                }
                catch (StorageException)
                {
                    refused++;
                }
            }

            Assert.Equal(1, refused);
            Assert.False(store.IsWritable);
            Assert.Contains("space", store.UnwritableReason, StringComparison.OrdinalIgnoreCase);

            // still full: the probe keeps failing, the store stays refused and readable
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(store.IsWritable);
            Assert.NotNull(store.Find(acknowledged[0]));

            _disk.Free();
            await Eventually.HoldsAsync(() => store.IsWritable, TimeSpan.FromSeconds(15), "the store to become writable again by its own probe");
            Assert.Null(store.UnwritableReason);
            acknowledged.Add((await store.SaveAsync(SampleDecisions.Create(1000), CancellationToken.None)).DecisionId);
        }

        using var reopened = CreateSut();
        Assert.All(acknowledged, id => Assert.NotNull(reopened.Find(id)));
        var audit = reopened.VerifyAuditChain();
        Assert.True(audit.Intact, audit.Problem);
        Assert.Equal(reopened.Count(), audit.LinksVerified);
    }

    [Fact]
    public async Task AppendEventAsync_DiskFull_FailsWithStorageExceptionThenSucceedsOnceSpaceReturns()
    {
        var tamper = new AuditEvent("tamper-opened", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "enclosure opened");
        using var store = CreateSut();
        await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);

        _disk.Fill();
        Exception? refused = null;
        for (var i = 0; i < 400 && refused is null; i++)
        {
            // a tamper event is small: the last free pages may take a few before the disk refuses one
            refused = await Record.ExceptionAsync(() => store.AppendEventAsync(tamper with { Detail = $"enclosure opened {i}" }, CancellationToken.None));
        }

        Assert.IsType<StorageException>(refused);
        Assert.False(store.IsWritable);

        _disk.Free();
        await Eventually.HoldsAsync(() => store.IsWritable, TimeSpan.FromSeconds(15), "the store to become writable again by its own probe");
        var sequence = await store.AppendEventAsync(tamper with { Detail = "retried" }, CancellationToken.None);
        Assert.Equal("retried", store.ReadEvents(sequence - 1, 1)[0].Event.Detail);
        var audit = store.VerifyAuditChain();
        Assert.True(audit.Intact, audit.Problem);
    }

    [Fact]
    public async Task Acknowledge_DiskFull_TheRefusedAcknowledgementIsNotKeptAndItsDecisionWaitsAgain()
    {
        long? refused = null;
        using (var store = CreateSut())
        {
            for (var i = 0; i < 300; i++)
            {
                await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
            }

            var waiting = store.Peek(300);
            _disk.Fill();
            foreach (var record in waiting)
            {
                try
                {
                    store.Acknowledge([record.Sequence]); // one commit each: the first the disk refuses is the one to watch
                }
                catch (StorageException)
                {
                    refused = record.Sequence;
                    break;
                }
            }

            Assert.NotNull(refused);
            _disk.Free();
            await Eventually.HoldsAsync(() => store.IsWritable, TimeSpan.FromSeconds(15), "the store to become writable again by its own probe");
            var next = waiting.First(r => r.Sequence > refused).Sequence;
            store.Acknowledge([next]); // a later acknowledgement writes the outbox mark again

            Assert.Contains(store.Peek(400), r => r.Sequence == refused); // the refused one was not kept: it is sent again
            Assert.DoesNotContain(store.Peek(400), r => r.Sequence == next);
        }

        using var reopened = CreateSut();
        Assert.Contains(reopened.Peek(400), r => r.Sequence == refused);
    }

    [Fact]
    public async Task Open_OnFullDisk_OpensReadableButNotWritableWithTheReason()
    {
        using (var store = CreateSut())
        {
            await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None);
        }

        _disk.Fill();
        using var full = CreateSut();

        Assert.False(full.IsWritable);
        Assert.Contains("space", full.UnwritableReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, full.Count());
    }

    [Fact]
    public async Task Open_StoreWithoutAJournalOnAFullDisk_OpensReadableRefusesWritesThenMakesItsJournalOnceThereIsSpace()
    {
        // a store written before the journal existed, opened for the first time on a full disk: no space for the journal
        string first;
        using (var store = CreateSut())
        {
            first = (await store.SaveAsync(SampleDecisions.Create(1), CancellationToken.None)).DecisionId;
        }

        File.Delete(_disk.Combine("data", DecisionStoreSettings.JournalFile));
        File.Delete(_disk.Combine("data", DecisionStoreSettings.JournalFile + DecisionJournal.TwinSuffix));
        _disk.Fill();
        var acknowledged = new List<string> { first };
        using (var store = CreateSut())
        {
            Assert.NotNull(store.Find(first));
            await Assert.ThrowsAsync<StorageException>(() => store.SaveAsync(SampleDecisions.Create(2), CancellationToken.None));
            Assert.False(store.IsWritable);

            _disk.Free();
            await Eventually.HoldsAsync(() => store.IsWritable, TimeSpan.FromSeconds(15), "the store to become writable again by its own probe");
            acknowledged.Add((await store.SaveAsync(SampleDecisions.Create(3), CancellationToken.None)).DecisionId);
        }

        Assert.True(new FileInfo(_disk.Combine("data", DecisionStoreSettings.JournalFile)).Length > 0);
        using var reopened = CreateSut();
        Assert.All(acknowledged, id => Assert.NotNull(reopened.Find(id)));
        Assert.Equal(2, reopened.Count());
        Assert.True(reopened.VerifyAuditChain().Intact);
    }

    private LiteDecisionStore CreateSut() =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _disk.Combine("data"), ProbeMinDelay = TimeSpan.FromMilliseconds(200), ProbeMaxDelay = TimeSpan.FromSeconds(1) }, NullLogger.Instance);
}
