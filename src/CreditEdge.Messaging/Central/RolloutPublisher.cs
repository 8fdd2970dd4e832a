using CreditEdge.Core.Packages.Rollout;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Messaging.Central;

/// <summary>
/// The operator's half of a model rollout: puts a package archive's chunks on the broker, each retained at QoS 1 on
/// <see cref="Topics.PackageChunk"/> and acknowledged before the next, and only then the signed desired-model message,
/// retained on the target's desired topic — so a device that sees the message finds every chunk already there. Connects
/// as an office client (same reconnect policy, TLS and credentials) with a throwaway session.
/// </summary>
public static class RolloutPublisher
{
    /// <summary>MIME type of a chunk's payload (raw archive bytes).</summary>
    public const string ChunkContentType = "application/octet-stream";

    /// <summary>MIME type of the desired-model message (a COSE_Sign1, RFC 9052).</summary>
    public const string DesiredContentType = "application/cose; cose-type=\"cose-sign1\"";

    /// <summary>The desired topic of a target.</summary>
    public static string DesiredTopic(DesiredTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Kind == DesiredTargetKind.Group ? Topics.GroupDesired(target.Name) : Topics.DeviceDesired(target.Name);
    }

    /// <summary>
    /// Publishes every chunk of <paramref name="archivePath"/> (read one chunk at a time, checked against
    /// <paramref name="chunks"/>), then <paramref name="desiredMessage"/> on <paramref name="desiredTopic"/>. A publish
    /// the broker refuses throws <see cref="FleetPublishException"/> naming the topic and reason; no connection within
    /// <paramref name="connectTimeout"/> throws <see cref="FleetConnectException"/>. <paramref name="progress"/> gets one line per step.
    /// </summary>
    public static async Task PublishAsync(CentralConnection connection, string archivePath, PackageChunks chunks, string desiredTopic,
        ReadOnlyMemory<byte> desiredMessage, TimeSpan connectTimeout, Action<string> progress, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(progress);
        using var link = CentralClient.Create(connection.LinkOptions(sessionExpiry: TimeSpan.Zero), $"cedge-push-{Guid.NewGuid():N}", time, logger);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = link.RunAsync(stop.Token);
        try
        {
            await CentralClient.WaitConnectedAsync(link, connection, connectTimeout, time, stop.Token);

            await PublishChunksAsync(link, archivePath, chunks, stop.Token);
            progress($"published {chunks.ChunkHashes.Count} chunks (retained) on {Topics.PackageChunk(chunks.Sha256, 0)} … /{chunks.ChunkHashes.Count - 1}");
            await link.PublishAsync(desiredTopic, desiredMessage, retain: true, stop.Token, contentType: DesiredContentType);
            progress($"published the desired model (retained) on {desiredTopic}");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    private static async Task PublishChunksAsync(BrokerLink link, string archivePath, PackageChunks chunks, CancellationToken cancellationToken)
    {
        await using var archive = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        if (archive.Length != chunks.Size)
        {
            throw new IOException($"'{archivePath}' has {archive.Length} bytes; its chunks were computed over {chunks.Size}");
        }

        var buffer = new byte[chunks.ChunkSize];
        for (var index = 0; index < chunks.ChunkHashes.Count; index++)
        {
            var length = PackageChunks.LengthOf(chunks.Size, chunks.ChunkSize, index);
            await archive.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(buffer.AsSpan(0, length)));
            if (hash != chunks.ChunkHashes[index])
            {
                throw new IOException($"chunk {index} of '{archivePath}' changed since its hash was computed");
            }

            await link.PublishAsync(Topics.PackageChunk(chunks.Sha256, index), buffer.AsMemory(0, length), retain: true, cancellationToken,
                contentType: ChunkContentType);
        }
    }
}
