using System.Text;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using LiteDB;

namespace CreditEdge.Storage.Tests;

/// <summary>
/// The journal reads back exactly the records appended since its last start over, in order, encrypted on disk; a torn
/// last record and everything left from before a start over are never read as current.
/// </summary>
public sealed class DecisionJournalTests : IDisposable
{
    private const string Password = "journal-test-key";
    private readonly TempDirectory _dir = new("journal");

    public void Dispose() => _dir.Dispose();

    private string JournalPath => _dir.Combine(DecisionStoreSettings.JournalFile);

    [Fact]
    public void Open_RecordsAppendedThenReopened_ReadsThemInOrderWithTheDurableLogLength()
    {
        using (var journal = Open(out var durable, out var records))
        {
            Assert.Null(durable); // a new journal has no start record yet
            Assert.Empty(records);
            Assert.True(journal.IsBroken); // and takes no record before one
            Assert.ThrowsAny<IOException>(() => journal.Append(Record(1), sync: true));

            journal.StartOver(8192);
            for (var i = 1; i <= 5; i++)
            {
                journal.Append(Record(i), sync: i % 2 == 1);
            }
        }

        using var reopened = Open(out var durableLog, out var read);
        Assert.Equal(8192L, durableLog);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], read.Select(r => r["b"].AsInt64));
        Assert.Equal(Payload(3), read[2]["payload"].AsString);

        reopened.Append(Record(6), sync: true); // appends go on after the last record read
        reopened.Dispose();
        using var third = Open(out _, out var again);
        Assert.Equal(6, again.Count);
    }

    [Fact]
    public void StartOver_TheEarlierRecordsStayOnDiskButAreNeverReadAgain()
    {
        using (var journal = Open(out _, out _))
        {
            journal.StartOver(8192);
            for (var i = 1; i <= 20; i++)
            {
                journal.Append(Record(i), sync: false);
            }

            journal.Applied(20); // LiteDB holds them all
            journal.StartOver(16384); // its start record is shorter than what it overwrites: the old records follow it on disk
            journal.Append(Record(21), sync: true);
        }

        using var reopened = Open(out var durable, out var records);
        Assert.Equal(16384L, durable);
        Assert.Equal([21L], records.Select(r => r["b"].AsInt64));
    }

    [Fact]
    public void StartOver_BatchesNotYetApplied_AreWrittenAgainAfterTheStartRecord()
    {
        // a checkpoint started by another thread's commit can start the journal over between a batch's record and the
        // commit that applies it: that record must survive the start over
        using (var journal = Open(out _, out _))
        {
            journal.StartOver(8192);
            for (var i = 1; i <= 5; i++)
            {
                journal.Append(Record(i), sync: true);
            }

            journal.Applied(3);
            journal.StartOver(24576);
            journal.Append(Record(6), sync: true);
        }

        using var reopened = Open(out var durable, out var records);
        Assert.Equal(24576L, durable);
        Assert.Equal([4L, 5L, 6L], records.Select(r => r["b"].AsInt64));
        Assert.Equal(Payload(4), records[0]["payload"].AsString);
    }

    [Fact]
    public void StartOver_CutShortByACrash_TheEpochBeforeIsReadWithEveryRecordItHad()
    {
        // a start over writes the twin file; until its start record and the records it carries are on the disk, the
        // file in use must still read as it was — a crash can tear even one write
        using (var journal = Open(out _, out _))
        {
            journal.StartOver(8192); // epoch 1, in the journal's own file
            for (var i = 1; i <= 4; i++)
            {
                journal.Append(Record(i), sync: true);
            }

            journal.Applied(1);
            journal.StartOver(16384); // epoch 2, in the twin: carries 2, 3 and 4
        }

        var twin = JournalPath + DecisionJournal.TwinSuffix;
        using (var file = new FileStream(twin, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 200; // inside the carried records: torn
            file.Write(new byte[300]);
        }

        using var reopened = Open(out var durable, out var records);
        Assert.Equal(8192L, durable);
        Assert.Equal([1L, 2L, 3L, 4L], records.Select(r => r["b"].AsInt64));

        // and the next start over goes to the twin again, leaving this epoch readable until it is done
        reopened.StartOver(24576);
        reopened.Dispose();
        using var third = Open(out var thirdDurable, out var carried);
        Assert.Equal(24576L, thirdDurable);
        Assert.Equal([1L, 2L, 3L, 4L], carried.Select(r => r["b"].AsInt64)); // Applied(1) was in the other process: all carried
    }

    [Theory]
    [InlineData("cut")]
    [InlineData("flip")]
    public void Open_TheLastRecordTornByACrash_ReadsEveryRecordBeforeIt(string damage)
    {
        long before;
        using (var journal = Open(out _, out _))
        {
            journal.StartOver(8192);
            journal.Append(Record(1), sync: true);
            journal.Append(Record(2), sync: true);
            before = journal.Length;
            journal.Append(Record(3), sync: true);
        }

        using (var file = new FileStream(JournalPath, FileMode.Open, FileAccess.ReadWrite))
        {
            if (damage == "cut")
            {
                // the record's first bytes reached the disk, the rest is what was there before (zeros)
                file.Position = before + 40;
                file.Write(new byte[200]);
            }
            else
            {
                file.Position = before + 30;
                var b = file.ReadByte();
                file.Position = before + 30;
                file.WriteByte((byte)(b ^ 0x01));
            }
        }

        using var reopened = Open(out _, out var records);
        Assert.Equal([1L, 2L], records.Select(r => r["b"].AsInt64));
        Assert.Equal(before, reopened.Length); // the next append takes the torn record's place
    }

    [Fact]
    public void Append_OnDisk_NothingOfTheRecordIsReadableWithoutTheKey()
    {
        using (var journal = Open(out _, out _))
        {
            journal.StartOver(8192);
            journal.Append(Record(1), sync: true);
        }

        var bytes = File.ReadAllBytes(JournalPath);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Payload(1))));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("payload"u8));

        using var other = DecisionJournal.Open(JournalPath, "another-key", durable: true, onSynced: null, out var durable, out var records);
        Assert.Null(durable);
        Assert.Empty(records);
    }

    [Fact]
    public void Append_PastTheWrittenSpace_TheFileGrowsByWholeChunksSyncedOnce()
    {
        var synced = 0;
        using var journal = DecisionJournal.Open(JournalPath, Password, durable: true, onSynced: _ => synced++, out _, out _);
        journal.StartOver(8192);
        Assert.Equal(DecisionJournal.Chunk, new FileInfo(JournalPath).Length); // written once at the first record
        var big = new BsonDocument { ["b"] = 1L, ["payload"] = new string('x', DecisionJournal.Chunk) };
        synced = 0;
        journal.Append(big, sync: true);
        Assert.Equal(2L * DecisionJournal.Chunk, new FileInfo(JournalPath).Length);
        Assert.Equal(2, synced); // the grown file's fsync, then the record's
    }

    private static BsonDocument Record(long batch) => new() { ["b"] = batch, ["payload"] = Payload(batch) };

    private static string Payload(long batch) => $"decision-{batch}-applicant-income";

    private DecisionJournal Open(out long? durableLogLength, out List<BsonDocument> records) =>
        DecisionJournal.Open(JournalPath, Password, durable: true, onSynced: null, out durableLogLength, out records);
}
