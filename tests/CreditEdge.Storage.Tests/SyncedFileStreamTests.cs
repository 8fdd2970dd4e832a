using CreditEdge.TestKit;

namespace CreditEdge.Storage.Tests;

/// <summary>
/// The stream under LiteDB holds page writes until a flush, a read or its limit, then writes each page's latest version
/// in file order; after a write the disk refused it takes nothing more.
/// </summary>
public sealed class SyncedFileStreamTests : IDisposable
{
    private const int Page = SyncedFileStream.PageSize;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Flush_PagesWrittenOutOfOrderAndTwice_EachReachesTheFileOnceInItsLatestVersion()
    {
        var path = _dir.Combine("data.db");
        using var stream = new SyncedFileStream(path);
        WritePage(stream, 3, 0x33);
        WritePage(stream, 1, 0x11);
        WritePage(stream, 3, 0x3A); // a later version of page 3
        WritePage(stream, 2, 0x22);

        Assert.Equal(0, new FileInfo(path).Length); // held, not yet written
        Assert.Equal(4L * Page, stream.Length); // but counted

        stream.Flush();

        var file = File.ReadAllBytes(path);
        Assert.Equal(4 * Page, file.Length);
        Assert.All(file[..Page], b => Assert.Equal(0, b));
        Assert.All(file[Page..(2 * Page)], b => Assert.Equal(0x11, b));
        Assert.All(file[(2 * Page)..(3 * Page)], b => Assert.Equal(0x22, b));
        Assert.All(file[(3 * Page)..], b => Assert.Equal(0x3A, b));
    }

    [Fact]
    public void WriteOut_HeldPages_ReachTheFileWithoutAFlush()
    {
        var path = _dir.Combine("log.db");
        var synced = 0;
        using var stream = new SyncedFileStream(path, _ => synced++);
        WritePage(stream, 0, 0x05);

        stream.WriteOut();

        Assert.Equal(Page, new FileInfo(path).Length);
        Assert.All(File.ReadAllBytes(path), b => Assert.Equal(0x05, b));
        Assert.Equal(0, synced); // handed to the operating system, not fsynced
    }

    [Fact]
    public void Read_AfterHeldWrites_SeesThemAndWritesThemFirst()
    {
        var path = _dir.Combine("log.db");
        using var stream = new SyncedFileStream(path);
        WritePage(stream, 0, 0x01);
        WritePage(stream, 1, 0x02);

        var read = ReadPage(stream, 1);

        Assert.All(read, b => Assert.Equal(0x02, b));
        Assert.Equal(2 * Page, new FileInfo(path).Length);
    }

    [Fact]
    public void Read_SequentialPagesThenAnOverwrite_ReadAheadNeverServesAStalePage()
    {
        var path = _dir.Combine("log.db");
        using var stream = new SyncedFileStream(path);
        for (var i = 0; i < 100; i++)
        {
            WritePage(stream, i, (byte)i);
        }

        stream.Flush();
        for (var i = 0; i < 100; i++)
        {
            Assert.All(ReadPage(stream, i), b => Assert.Equal((byte)i, b));
        }

        ReadPage(stream, 40);
        ReadPage(stream, 41); // sequential: page 42 on is now read ahead
        WritePage(stream, 42, 0xEE);
        Assert.All(ReadPage(stream, 42), b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void Read_ReadAheadThenTheFileCut_NothingIsReadPastTheNewEnd()
    {
        var path = _dir.Combine("log.db");
        using var stream = new SyncedFileStream(path);
        for (var i = 0; i < 10; i++)
        {
            WritePage(stream, i, (byte)(i + 1));
        }

        stream.Flush();
        ReadPage(stream, 0);
        ReadPage(stream, 1); // sequential: pages 2… are now read ahead

        stream.SetLength(2L * Page); // as LiteDB empties its log after a checkpoint

        var page = new byte[Page];
        stream.Position = 2L * Page;
        Assert.Equal(0, stream.Read(page, 0, Page));
        Assert.All(page, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Write_NotAWholePage_GoesAfterWhatIsHeldAtItsPosition()
    {
        var path = _dir.Combine("data.db");
        using var stream = new SyncedFileStream(path);
        WritePage(stream, 1, 0x11);
        stream.Position = 0;
        stream.Write([0x7F, 0x01, 0x02]); // a header, as LiteDB's encrypted stream writes its salt

        stream.Flush();

        var file = File.ReadAllBytes(path);
        Assert.Equal([0x7F, 0x01, 0x02], file[..3]);
        Assert.All(file[Page..], b => Assert.Equal(0x11, b));
    }

    [Fact]
    public void Flush_DiskRefusesTheHeldPages_LaterWritesAreRefusedEvenOnceThereIsSpace()
    {
        using var disk = new SmallDisk(sizeMiB: 4);
        var path = disk.Combine("log.db");
        using (var stream = new SyncedFileStream(path))
        {
            WritePage(stream, 0, 0x01);
            stream.Flush();
            disk.Fill();
            for (var i = 1; i <= 8; i++)
            {
                WritePage(stream, i, 0x02);
            }

            Assert.ThrowsAny<IOException>(stream.Flush);
            disk.Free();

            // a later page of the same transaction must never land after the hole the refused pages left
            Assert.ThrowsAny<IOException>(() => WritePage(stream, 9, 0x03));
            Assert.ThrowsAny<IOException>(stream.Flush);
            Assert.ThrowsAny<IOException>(() => ReadPage(stream, 0));
        }

        Assert.True(new FileInfo(path).Length < 9L * Page, $"the file is {new FileInfo(path).Length} bytes: a page after the refused ones was written");
    }

    [Fact]
    public void Flush_WithABeforeWriteHook_TheHookRunsBeforeAnyByteReachesTheFile()
    {
        // the data file's hook makes the log durable first: a checkpoint cut short must find the log it copies from
        var path = _dir.Combine("data.db");
        var lengthsSeen = new List<long>();
        using var stream = new SyncedFileStream(path, beforeWrite: () => lengthsSeen.Add(new FileInfo(path).Length));
        WritePage(stream, 0, 0x01);
        WritePage(stream, 1, 0x02);
        stream.Flush();
        Assert.Equal([0L], lengthsSeen);
        Assert.Equal(2L * Page, new FileInfo(path).Length);

        stream.Flush(); // nothing held: nothing to write, no hook
        Assert.Single(lengthsSeen);

        stream.Position = 10;
        stream.Write([0x7F], 0, 1); // a byte outside the pages (LiteDB's invalid-state mark) too
        Assert.Equal([0L, 2L * Page], lengthsSeen);
    }

    [Fact]
    public void Flush_TheBeforeWriteHookThrows_NothingReachesTheFile()
    {
        var path = _dir.Combine("data.db");
        using var stream = new SyncedFileStream(path, beforeWrite: () => throw new IOException("the log could not be made durable"));
        WritePage(stream, 0, 0x01);
        Assert.Throws<IOException>(stream.Flush);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void SetLength_WithAnAfterSetLengthHook_TheHookRunsOnceTheFileHasItsNewLength()
    {
        var path = _dir.Combine("log.db");
        var events = new List<string>();
        using var stream = new SyncedFileStream(path, afterSetLength: length => events.Add($"cut {length} {new FileInfo(path).Length}"));
        WritePage(stream, 0, 0x01);
        WritePage(stream, 1, 0x02);
        stream.SetLength(Page);
        Assert.Equal([$"cut {Page} {Page}"], events);
    }

    [Fact]
    public void Sync_HeldPages_ReturnsTheLengthItMadeDurable()
    {
        var path = _dir.Combine("log.db");
        using var stream = new SyncedFileStream(path);
        WritePage(stream, 0, 0x01);
        WritePage(stream, 2, 0x02);
        Assert.Equal(3L * Page, stream.Sync());
    }

    [Fact]
    public void Abandon_HeldPages_NeverReachTheFileAndNothingMoreIsTaken()
    {
        var path = _dir.Combine("log.db");
        using (var stream = new SyncedFileStream(path))
        {
            WritePage(stream, 0, 0x01);
            stream.Flush();
            WritePage(stream, 1, 0x02);
            stream.Abandon();
            Assert.ThrowsAny<IOException>(() => WritePage(stream, 2, 0x03));
            Assert.ThrowsAny<IOException>(stream.Flush);
        }

        Assert.Equal(Page, new FileInfo(path).Length); // not even at dispose
    }

    private static void WritePage(SyncedFileStream stream, int index, byte fill)
    {
        var page = new byte[Page];
        Array.Fill(page, fill);
        stream.Position = (long)index * Page;
        stream.Write(page, 0, Page);
    }

    private static byte[] ReadPage(SyncedFileStream stream, int index)
    {
        var page = new byte[Page];
        stream.Position = (long)index * Page;
        Assert.Equal(Page, stream.Read(page, 0, Page));
        return page;
    }
}
