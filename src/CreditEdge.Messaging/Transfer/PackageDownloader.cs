using Microsoft.Extensions.Logging;

namespace CreditEdge.Messaging.Transfer;

/// <summary>
/// The device side of an over-the-air package transfer: fetches the chunks of one archive from the broker, where the
/// operator left them retained (<see cref="Topics.PackageChunk"/>), into <c>{DataDirectory}/staging/{archiveSha256}/</c>
/// (<see cref="ChunkStaging"/>), and joins them into <c>package.tar</c>.
/// <para>
/// Resumable: every chunk is verified against the plan's SHA-256 before it is written, and written durably (temporary file,
/// fsync, rename, directory fsync). A later run — after a lost link, a broker restart, or the agent killed and started again
/// — hashes the chunk files it finds, keeps the good ones and fetches only the rest: a finished chunk is never fetched twice.
/// A chunk delivered with the wrong bytes is discarded and asked for again, at most
/// <see cref="PackageTransferOptions.MaxChunkAttempts"/> times (then <c>chunk-hash</c>).
/// </para>
/// <para>
/// Limits, before anything is fetched: the archive may not exceed <see cref="PackageTransferOptions.MaxPackageBytes"/>
/// (<c>too-large</c>), and the staging file system must have at least 3 × the archive's size +
/// <see cref="PackageTransferOptions.FreeSpaceMargin"/> free, less the chunks already staged (<c>disk-space</c>): the chunks
/// (1 ×) and the joined archive (1 ×) are both on disk while joining, and the installer then extracts the archive (1 ×)
/// before the staging copy is deleted.
/// </para>
/// <para>
/// Its own connection, not the device's <see cref="BrokerLink"/>: a <see cref="TransferConnection"/> (client id
/// <c>{deviceId}-transfer</c>, clean session, same broker, certificates and connect policy). The device link keeps a
/// persistent session whose subscriptions are a fixed table sent again only when the broker lost the session, and it
/// acknowledges each message only after its handler: chunk subscriptions there would outlive a killed agent in the session
/// (the broker would queue chunks for it until the session expires), and a megabyte of chunks in its one dispatcher queue
/// would hold up commands and its echo probe. The transfer connection instead starts every connect with no subscriptions,
/// and this type subscribes a bounded window of missing chunk topics (<see cref="PackageTransferOptions.Window"/>; never a
/// wildcard, which would deliver finished chunks again), unsubscribes each chunk once written, subscribes the whole window
/// again after every reconnect, and again for a chunk not received within <see cref="PackageTransferOptions.ChunkTimeout"/>.
/// </para>
/// One download at a time per instance; the counters add up over the instance's downloads.
/// </summary>
public sealed partial class PackageDownloader
{
    private readonly FleetLinkOptions _link;
    private readonly string _deviceId;
    private readonly string _dataDirectory;
    private readonly PackageTransferOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long[] _refused = new long[Enum.GetValues<ChunkVerdict>().Length];
    private long _chunksFetched;
    private long _chunksReused;
    private long _bytesFetched;
    private long _deliveries;
    private long _resubscribes;
    private long _reconnects;
    private long _oversized;
    private long _dropped;

    /// <param name="link">The device's broker settings (<c>Mqtt</c>): broker, TLS files, credentials, keep-alive, reconnect delays.</param>
    /// <param name="deviceId">The device; the transfer connection's client id is <c>{deviceId}-transfer</c>.</param>
    /// <param name="dataDirectory">The agent's <c>DataDirectory</c>; staging goes under its <c>staging</c> folder.</param>
    public PackageDownloader(FleetLinkOptions link, string deviceId, string dataDirectory, PackageTransferOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(options);
        _link = link;
        _deviceId = deviceId;
        _dataDirectory = dataDirectory;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Chunks received from the broker with the right bytes and written.</summary>
    public long ChunksFetched => Interlocked.Read(ref _chunksFetched);

    /// <summary>Chunks found on disk from an earlier run, hashed again and kept.</summary>
    public long ChunksReused => Interlocked.Read(ref _chunksReused);

    /// <summary>Bytes of the chunks fetched (<see cref="ChunksFetched"/>).</summary>
    public long BytesFetched => Interlocked.Read(ref _bytesFetched);

    /// <summary>Messages received on the transfer connection, whatever became of them.</summary>
    public long Deliveries => Interlocked.Read(ref _deliveries);

    /// <summary>Chunk subscriptions sent again because the chunk had not come within <see cref="PackageTransferOptions.ChunkTimeout"/>.</summary>
    public long Resubscribes => Interlocked.Read(ref _resubscribes);

    /// <summary>Times the transfer connection was lost during a download and connected again.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Messages larger than a chunk, dropped by the transfer connection unread (the broker should not even send them: MQTT maximum packet size).</summary>
    public long Oversized => Interlocked.Read(ref _oversized);

    /// <summary>Messages dropped because the transfer connection's small inbox was full; their chunks are subscribed again.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages refused for <paramref name="verdict"/> (<see cref="ChunkVerdict.Duplicate"/> counts chunks received again).</summary>
    public long Refused(ChunkVerdict verdict) => Interlocked.Read(ref _refused[(int)verdict]);

    /// <summary>Every message refused: all verdicts but <see cref="ChunkVerdict.Written"/>.</summary>
    public long RefusedTotal => Enum.GetValues<ChunkVerdict>().Where(v => v != ChunkVerdict.Written).Sum(Refused);

    /// <summary>
    /// Fetches what is missing of <paramref name="plan"/>'s archive and returns the path of the verified
    /// <c>package.tar</c>. <paramref name="progress"/> is told chunks done / total on this task's flow (keep it quick): once
    /// after taking stock of the disk, then after each chunk written.
    /// </summary>
    /// <exception cref="PackageTransferException">The transfer cannot go on; its <see cref="PackageTransferException.Reason"/> says why.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; every chunk written so far stays on disk for the next run.</exception>
    public async Task<string> DownloadAsync(TransferPlan plan, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Validate();
        if (plan.Size > _options.MaxPackageBytes)
        {
            throw new PackageTransferException(PackageTransferException.Reasons.TooLarge,
                $"package {plan.ArchiveSha256} is {plan.Size} bytes; this device accepts at most {_options.MaxPackageBytes} (Transfer:MaxPackageBytes)");
        }

        if (plan.ChunkSize > _options.MaxChunkBytes)
        {
            throw new PackageTransferException(PackageTransferException.Reasons.TooLarge,
                $"package {plan.ArchiveSha256} comes in chunks of {plan.ChunkSize} bytes; this device accepts at most {_options.MaxChunkBytes} (Transfer:MaxChunkBytes)");
        }

        try
        {
            var staging = new ChunkStaging(plan, ChunkStaging.DirectoryFor(_dataDirectory, plan.ArchiveSha256));
            if (staging.HasArchive())
            {
                progress?.Report(new TransferProgress(plan.ChunkCount, plan.ChunkCount));
                return staging.ArchivePath;
            }

            var reused = staging.Resume();
            Interlocked.Add(ref _chunksReused, reused);
            EnsureFreeSpace(staging);
            Log.Starting(_logger, plan.ArchiveSha256, plan.Size, plan.ChunkCount, reused);
            progress?.Report(new TransferProgress(staging.ChunksDone, plan.ChunkCount));
            if (!staging.IsComplete)
            {
                await FetchAsync(staging, progress, cancellationToken);
            }

            var archive = staging.Assemble();
            Log.Completed(_logger, plan.ArchiveSha256, archive);
            return archive;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PackageTransferException(PackageTransferException.Reasons.Io, $"staging package {plan.ArchiveSha256} failed: {ex.Message}", ex);
        }
    }

    private void EnsureFreeSpace(ChunkStaging staging)
    {
        var plan = staging.Plan;
        var needed = (3 * plan.Size) + _options.FreeSpaceMargin - staging.BytesDone;
        var available = new DriveInfo(staging.Directory).AvailableFreeSpace;
        if (available < needed)
        {
            throw new PackageTransferException(PackageTransferException.Reasons.DiskSpace,
                $"package {plan.ArchiveSha256} needs {needed} bytes free in {staging.Directory} (3 × {plan.Size} for chunks, archive and extracted copy, + {_options.FreeSpaceMargin} margin, − {staging.BytesDone} already staged); {available} are free");
        }
    }

    private async Task FetchAsync(ChunkStaging staging, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var plan = staging.Plan;
        await using var connection = new TransferConnection(_link, $"{_deviceId}-transfer", plan.ChunkSize, 2 * _options.Window, _time, _logger);
        try
        {
            await FetchOverAsync(connection, staging, progress, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _oversized, connection.Oversized);
            Interlocked.Add(ref _dropped, connection.Dropped);
        }
    }

    private async Task FetchOverAsync(TransferConnection connection, ChunkStaging staging, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var plan = staging.Plan;
        var waiting = new Queue<int>(staging.Missing());
        var window = new Dictionary<int, DateTimeOffset>(); // chunk → when it was last subscribed
        var wrongDeliveries = new Dictionary<int, int>();
        var subscribedGeneration = 0L;
        while (!staging.IsComplete)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var generation = await connection.ConnectAsync(cancellationToken);
            if (generation != subscribedGeneration)
            {
                // a fresh session has no subscriptions: first what the last one delivered, then the whole window again
                while (connection.TryReceive(out var left))
                {
                    await HandleAsync(left!, staging, connection, window, wrongDeliveries, progress, cancellationToken);
                }

                if (subscribedGeneration != 0)
                {
                    Interlocked.Increment(ref _reconnects);
                }

                if (!await SubscribeAsync(connection, plan, window, [.. window.Keys], cancellationToken))
                {
                    continue;
                }

                subscribedGeneration = generation;
            }

            var added = new List<int>();
            while (window.Count < _options.Window && waiting.TryDequeue(out var next))
            {
                if (!staging.IsDone(next))
                {
                    window[next] = _time.GetUtcNow();
                    added.Add(next);
                }
            }

            if (!await SubscribeAsync(connection, plan, window, added, cancellationToken))
            {
                continue;
            }

            var oldest = window.Count == 0 ? _time.GetUtcNow() : window.Values.Min();
            var message = await connection.ReceiveAsync(oldest + _options.ChunkTimeout - _time.GetUtcNow(), _time, cancellationToken);
            if (message is not null)
            {
                await HandleAsync(message, staging, connection, window, wrongDeliveries, progress, cancellationToken);
            }

            var now = _time.GetUtcNow();
            var stalled = window.Where(w => now - w.Value >= _options.ChunkTimeout).Select(w => w.Key).ToList();
            if (stalled.Count > 0 && connection.IsConnected)
            {
                Interlocked.Add(ref _resubscribes, stalled.Count);
                Log.Resubscribing(_logger, plan.ArchiveSha256, stalled.Count, _options.ChunkTimeout.TotalSeconds);
                await SubscribeAsync(connection, plan, window, stalled, cancellationToken);
            }
        }
    }

    /// <summary>Subscribes the chunk topics and stamps them in the window; false when the link failed (it reconnects).</summary>
    private async Task<bool> SubscribeAsync(TransferConnection connection, TransferPlan plan, Dictionary<int, DateTimeOffset> window, List<int> chunks, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var chunk in chunks)
        {
            window[chunk] = now;
        }

        return await connection.SubscribeAsync(chunks.ConvertAll(c => Topics.PackageChunk(plan.ArchiveSha256, c)), cancellationToken);
    }

    private async Task HandleAsync(ChunkMessage message, ChunkStaging staging, TransferConnection connection, Dictionary<int, DateTimeOffset> window,
        Dictionary<int, int> wrongDeliveries, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _deliveries);
        var verdict = staging.Accept(message.Topic, message.Payload, out var index);
        if (verdict == ChunkVerdict.Written)
        {
            Interlocked.Increment(ref _chunksFetched);
            Interlocked.Add(ref _bytesFetched, message.Payload.Length);
            window.Remove(index);
            progress?.Report(new TransferProgress(staging.ChunksDone, staging.Plan.ChunkCount));
            await connection.UnsubscribeAsync(message.Topic, cancellationToken); // if the link failed, the next session has no subscriptions anyway
            return;
        }

        Interlocked.Increment(ref _refused[(int)verdict]);
        if (verdict == ChunkVerdict.Duplicate)
        {
            Log.Duplicate(_logger, message.Topic);
            return;
        }

        Log.Refused(_logger, message.Topic.Length > 200 ? message.Topic[..200] : message.Topic, message.Payload.Length, verdict);
        if (verdict is ChunkVerdict.HashMismatch or ChunkVerdict.WrongLength)
        {
            var wrong = wrongDeliveries[index] = wrongDeliveries.GetValueOrDefault(index) + 1;
            if (wrong >= _options.MaxChunkAttempts)
            {
                throw new PackageTransferException(PackageTransferException.Reasons.ChunkHash,
                    $"chunk {index} of package {staging.Plan.ArchiveSha256} came {wrong} times with bytes that do not match its SHA-256 {staging.Plan.ChunkSha256[index]} (last: {message.Payload.Length} bytes, {verdict})");
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3715, Level = LogLevel.Debug, Message = "Chunk on {Topic} is already on disk")]
        public static partial void Duplicate(ILogger logger, string topic);

        [LoggerMessage(EventId = 3711, Level = LogLevel.Information, Message = "Package {ArchiveSha256}: {Size} bytes in {ChunkCount} chunks, {Reused} already on disk")]
        public static partial void Starting(ILogger logger, string archiveSha256, long size, int chunkCount, int reused);

        [LoggerMessage(EventId = 3712, Level = LogLevel.Information, Message = "Package {ArchiveSha256} downloaded and verified: {Path}")]
        public static partial void Completed(ILogger logger, string archiveSha256, string path);

        [LoggerMessage(EventId = 3713, Level = LogLevel.Warning, Message = "Refused a message on {Topic} ({Length} bytes): {Verdict}")]
        public static partial void Refused(ILogger logger, string topic, int length, ChunkVerdict verdict);

        [LoggerMessage(EventId = 3714, Level = LogLevel.Information, Message = "Package {ArchiveSha256}: {Count} chunks not received within {TimeoutSeconds} s; subscribing them again")]
        public static partial void Resubscribing(ILogger logger, string archiveSha256, int count, double timeoutSeconds);
    }
}
