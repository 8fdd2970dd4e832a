using CreditEdge.Messaging.Transfer;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Messaging.Tests;

/// <summary>
/// The device's package download against a real Mosquitto (persistence on), with real files: an about 1 MB archive in 16
/// retained chunks of 64 KiB published by a plain MQTT client as the operator's <c>cedge fleet push</c> does.
/// </summary>
public sealed class PackageDownloaderTests
{
    private const string Device = "kiosk-ota";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DownloadAsync_AllChunksRetained_ArchiveEqualsOriginal()
    {
        var archive = TestArchive.Create(seed: 1);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount));
        using var data = new TempDirectory("ota");
        var progress = new Recorded();
        var sut = CreateSut(broker, data);

        var path = await sut.DownloadAsync(archive.Plan, progress, Timeout());

        Assert.Equal(Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "package.tar"), path);
        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(16, archive.ChunkCount);
        Assert.Equal(archive.ChunkCount, sut.ChunksFetched);
        Assert.Equal(archive.ChunkCount, sut.Deliveries);
        Assert.Equal(0, sut.ChunksReused);
        Assert.Equal(archive.Bytes.Length, sut.BytesFetched);
        Assert.Equal(0, sut.RefusedTotal);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(path)!, "chunks")), "chunk files are deleted once joined");
        Assert.Equal(Enumerable.Range(0, archive.ChunkCount + 1).ToList(), progress.Reports.Select(r => r.ChunksDone).ToList());
        Assert.Equal(100, progress.Reports[^1].Percent);
    }

    [Fact]
    public async Task DownloadAsync_BrokerRestartedMidTransfer_ResumesWithoutFetchingAnyChunkTwice()
    {
        // window 4: chunks 0-7 come, then the download waits on 8-11, published only after the restart; 12-15 were
        // published before it and come from the broker's persisted retained messages
        var archive = TestArchive.Create(seed: 2);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, [.. Enumerable.Range(0, 8), .. Enumerable.Range(12, 4)]);
        using var data = new TempDirectory("ota");
        var sut = CreateSut(broker, data, o => o.Window = 4);

        var download = sut.DownloadAsync(archive.Plan, null, Timeout());
        await Eventually.HoldsAsync(() => sut.ChunksFetched == 8 || download.IsCompleted, Patience, "the first 8 chunks");
        Assert.False(download.IsCompleted, "the download must still wait for chunks 8-11");
        await broker.StopAsync();
        await broker.StartAsync();
        await PublishAsync(broker, archive, Enumerable.Range(8, 4));
        var path = await download.WaitAsync(Patience);

        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(path));
        Assert.True(sut.Reconnects >= 1, "the transfer connection must have been lost and connected again");
        Assert.Equal(archive.ChunkCount, sut.ChunksFetched);
        Assert.Equal(archive.ChunkCount, sut.Deliveries); // not one chunk came twice
        Assert.Equal(archive.Bytes.Length, sut.BytesFetched);
    }

    [Fact]
    public async Task DownloadAsync_DownloaderCancelledAfterFiveChunks_NextInstanceReusesThemAndFetchesOnlyTheRest()
    {
        var archive = TestArchive.Create(seed: 3);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount));
        using var data = new TempDirectory("ota");
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Timeout());
        var first = CreateSut(broker, data);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.DownloadAsync(archive.Plan, new Recorded(p =>
        {
            if (p.ChunksDone == 5)
            {
                kill.Cancel();
            }
        }), kill.Token));
        var staged = Directory.GetFiles(Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "chunks"));
        Assert.Equal(5, first.ChunksFetched);
        Assert.Equal(5, staged.Length);

        var second = CreateSut(broker, data);
        var path = await second.DownloadAsync(archive.Plan, null, Timeout());

        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(5, second.ChunksReused);
        Assert.Equal(archive.ChunkCount - 5, second.ChunksFetched);
        Assert.Equal(archive.ChunkCount - 5, second.Deliveries);
    }

    [Fact]
    public async Task DownloadAsync_HalfWrittenAndDamagedChunkFilesFromEarlierRun_RefetchesOnlyThose()
    {
        var archive = TestArchive.Create(seed: 4);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount));
        using var data = new TempDirectory("ota");
        var chunks = Directory.CreateDirectory(Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "chunks")).FullName;
        for (var i = 0; i < 6; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(chunks, $"{i:D5}"), archive.Chunk(i));
        }

        var damaged = archive.Chunk(2);
        damaged[100] ^= 0xFF;
        await File.WriteAllBytesAsync(Path.Combine(chunks, "00002"), damaged);
        await File.WriteAllBytesAsync(Path.Combine(chunks, "00006.tmp"), archive.Chunk(6)); // killed before the rename
        var sut = CreateSut(broker, data);

        var path = await sut.DownloadAsync(archive.Plan, null, Timeout());

        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(5, sut.ChunksReused);
        Assert.Equal(archive.ChunkCount - 5, sut.ChunksFetched);
    }

    [Fact]
    public async Task DownloadAsync_WrongBytesRetainedThenCorrected_Completes()
    {
        var archive = TestArchive.Create(seed: 5);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount), i => i == 3 ? Flipped(archive.Chunk(3)) : archive.Chunk(i));
        using var data = new TempDirectory("ota");
        var sut = CreateSut(broker, data, o => o.MaxChunkAttempts = 100);

        var download = sut.DownloadAsync(archive.Plan, null, Timeout());
        await Eventually.HoldsAsync(() => sut.Refused(ChunkVerdict.HashMismatch) >= 1 || download.IsCompleted, Patience, "the wrong chunk 3 to be refused");
        Assert.False(download.IsCompleted, "a wrong chunk must not complete the download");
        Assert.False(File.Exists(Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "chunks", "00003")), "a wrong chunk is never written");
        await PublishAsync(broker, archive, [3]);
        var path = await download.WaitAsync(Patience);

        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(archive.ChunkCount, sut.ChunksFetched);
        Assert.Equal(sut.Refused(ChunkVerdict.HashMismatch), sut.RefusedTotal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DownloadAsync_WrongBytesNeverCorrected_FailsWithChunkHashAfterBoundedAttempts(bool wrongLength)
    {
        var archive = TestArchive.Create(seed: 6);
        await using var broker = await MosquittoBroker.StartNewAsync();
        var wrong = wrongLength ? archive.Chunk(3)[..^1] : Flipped(archive.Chunk(3));
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount), i => i == 3 ? wrong : archive.Chunk(i));
        using var data = new TempDirectory("ota");
        var sut = CreateSut(broker, data, o =>
        {
            o.MaxChunkAttempts = 3;
            o.ChunkTimeout = TimeSpan.FromMilliseconds(300);
        });

        var failure = await Assert.ThrowsAsync<PackageTransferException>(() => sut.DownloadAsync(archive.Plan, null, Timeout()));

        Assert.Equal("chunk-hash", failure.Reason);
        Assert.Equal(3, sut.Refused(wrongLength ? ChunkVerdict.WrongLength : ChunkVerdict.HashMismatch));
        Assert.Equal(3, sut.RefusedTotal);
        var chunks = Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "chunks");
        Assert.False(File.Exists(Path.Combine(chunks, "00003")), "a wrong chunk is never written");
        Assert.All(Directory.GetFiles(chunks), f => Assert.Equal(archive.Chunk(int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture)), File.ReadAllBytes(f)));
        Assert.False(File.Exists(Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "package.tar")));
    }

    [Fact]
    public async Task DownloadAsync_OversizedPayloadOnChunkTopic_NeverSentToTheDevice()
    {
        // chunk 0 is first a payload bigger than a chunk: the transfer connection's maximum packet size keeps the broker
        // from sending it at all (not received, not copied, not hashed); then the real chunk comes
        var archive = TestArchive.Create(seed: 7);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount), i => i == 0 ? new byte[(64 * 1024) + 5000] : archive.Chunk(i));
        using var data = new TempDirectory("ota");
        var sut = CreateSut(broker, data, o => o.ChunkTimeout = TimeSpan.FromMilliseconds(500));

        var download = sut.DownloadAsync(archive.Plan, null, Timeout());
        await Eventually.HoldsAsync(() => sut.ChunksFetched == archive.ChunkCount - 1 || download.IsCompleted, Patience, "every chunk but 0");
        Assert.False(download.IsCompleted);
        await PublishAsync(broker, archive, [0]);
        var path = await download.WaitAsync(Patience);

        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(archive.ChunkCount, sut.ChunksFetched);
        // every delivery was a chunk written or the same chunk again (a loaded machine can let a chunk pass its timeout and be
        // subscribed again); nothing else reached the device
        Assert.Equal(sut.Refused(ChunkVerdict.Duplicate), sut.RefusedTotal);
        Assert.Equal(archive.ChunkCount, sut.Deliveries - sut.Refused(ChunkVerdict.Duplicate));
        Assert.Equal(0, sut.Oversized); // the broker never sent it: had it, the connection would have dropped and counted it
    }

    [Fact]
    public async Task DownloadAsync_PackageOverSizeLimit_RefusedBeforeAnyFetch()
    {
        var archive = TestArchive.Create(seed: 8);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount));
        using var data = new TempDirectory("ota");
        var sut = CreateSut(broker, data, o => o.MaxPackageBytes = archive.Bytes.Length - 1);

        var failure = await Assert.ThrowsAsync<PackageTransferException>(() => sut.DownloadAsync(archive.Plan, null, Timeout()));

        Assert.Equal("too-large", failure.Reason);
        Assert.Equal(0, sut.Deliveries);
        Assert.False(Directory.Exists(Path.Combine(data.Path, "staging")), "nothing is staged for a refused package");

        var allowed = CreateSut(broker, data, o => o.MaxPackageBytes = archive.Bytes.Length); // the limit is inclusive
        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(await allowed.DownloadAsync(archive.Plan, null, Timeout())));
    }

    [Fact]
    public async Task DownloadAsync_LessFreeDiskThanThreeTimesThePackage_RefusedBeforeAnyFetch()
    {
        // a real 4 MiB file system: 3 × ~1 MB + 2 MiB margin does not fit, 3 × ~1 MB + no margin does
        var archive = TestArchive.Create(seed: 9);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, archive.ChunkCount));
        using var disk = new SmallDisk(4);
        var sut = CreateSut(broker, disk.Path, o => o.FreeSpaceMargin = 2 * 1024 * 1024);

        var failure = await Assert.ThrowsAsync<PackageTransferException>(() => sut.DownloadAsync(archive.Plan, null, Timeout()));

        Assert.Equal("disk-space", failure.Reason);
        Assert.Equal(0, sut.Deliveries);
        Assert.Empty(Directory.GetFiles(disk.Path, "*", SearchOption.AllDirectories));

        var fits = CreateSut(broker, disk.Path, o => o.FreeSpaceMargin = 0);
        Assert.Equal(archive.Bytes, await File.ReadAllBytesAsync(await fits.DownloadAsync(archive.Plan, null, Timeout())));
    }

    [Fact]
    public async Task DownloadAsync_Cancelled_StopsPromptlyAndKeepsFinishedChunks()
    {
        // only half the chunks are there: without cancellation the download would wait for the rest (a minute per resubscribe)
        var archive = TestArchive.Create(seed: 10);
        await using var broker = await MosquittoBroker.StartNewAsync();
        await PublishAsync(broker, archive, Enumerable.Range(0, 8));
        using var data = new TempDirectory("ota");
        using var stop = new CancellationTokenSource();
        var sut = CreateSut(broker, data, o => o.ChunkTimeout = TimeSpan.FromMinutes(1));

        var download = sut.DownloadAsync(archive.Plan, null, stop.Token);
        await Eventually.HoldsAsync(() => sut.ChunksFetched == 8 || download.IsCompleted, Patience, "the 8 published chunks");
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download.WaitAsync(TimeSpan.FromSeconds(10)));
        var chunks = Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "chunks");
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"{i:D5}").ToList(), Directory.GetFiles(chunks).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList());
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(archive.Chunk(i), File.ReadAllBytes(Path.Combine(chunks, $"{i:D5}"))));
        Assert.False(File.Exists(Path.Combine(data.Path, "staging", archive.Plan.ArchiveSha256, "package.tar")));
    }

    private static PackageDownloader CreateSut(MosquittoBroker broker, TempDirectory data, Action<PackageTransferOptions>? configure = null) =>
        CreateSut(broker, data.Path, configure);

    private static PackageDownloader CreateSut(MosquittoBroker broker, string dataDirectory, Action<PackageTransferOptions>? configure = null)
    {
        var link = new FleetLinkOptions
        {
            Broker = broker.Url,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        };
        var options = new PackageTransferOptions { ChunkTimeout = TimeSpan.FromSeconds(2) };
        configure?.Invoke(options);
        return new PackageDownloader(link, Device, dataDirectory, options, TimeProvider.System, NullLogger.Instance);
    }

    private static async Task PublishAsync(MosquittoBroker broker, TestArchive archive, IEnumerable<int> indexes, Func<int, byte[]>? payload = null)
    {
        await using var operatorClient = await MqttProbe.ConnectAsync(broker.Port, $"operator-{Guid.NewGuid():N}");
        await archive.PublishAsync(operatorClient.Client, indexes, payload);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    private static byte[] Flipped(byte[] chunk)
    {
        var copy = chunk.ToArray();
        copy[chunk.Length / 2] ^= 0x5A;
        return copy;
    }

    /// <summary>Progress recorded as it is reported (synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class Recorded(Action<TransferProgress>? then = null) : IProgress<TransferProgress>
    {
        public List<TransferProgress> Reports { get; } = [];

        public void Report(TransferProgress value)
        {
            Reports.Add(value);
            then?.Invoke(value);
        }
    }
}
