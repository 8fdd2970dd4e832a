using System.Security.Cryptography;
using CreditEdge.Messaging.Transfer;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Messaging.Tests;

/// <summary>Random bytes split into chunks as the operator's <c>cedge fleet push</c> does, with their plan; publishes chunks retained.</summary>
public sealed class TestArchive
{
    private TestArchive(byte[] bytes, int chunkSize)
    {
        Bytes = bytes;
        var count = (bytes.Length + chunkSize - 1) / chunkSize;
        Plan = new TransferPlan(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, chunkSize,
            [.. Enumerable.Range(0, count).Select(i => Convert.ToHexStringLower(SHA256.HashData(Slice(bytes, chunkSize, i))))]);
    }

    public byte[] Bytes { get; }

    public TransferPlan Plan { get; }

    public int ChunkCount => Plan.ChunkCount;

    /// <summary>About 1 MB in 64 KiB chunks, the last one shorter: 16 chunks.</summary>
    public static TestArchive Create(int seed, int size = 1_000_003, int chunkSize = 64 * 1024)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return new TestArchive(bytes, chunkSize);
    }

    public byte[] Chunk(int index) => Slice(Bytes, Plan.ChunkSize, index);

    public string Topic(int index) => Topics.PackageChunk(Plan.ArchiveSha256, index);

    /// <summary>Publishes the chunks retained at QoS 1 (each after its PUBACK), with <paramref name="payload"/>'s bytes if given.</summary>
    public async Task PublishAsync(IMqttClient client, IEnumerable<int> indexes, Func<int, byte[]>? payload = null)
    {
        foreach (var index in indexes)
        {
            await PublishRawAsync(client, Topic(index), payload?.Invoke(index) ?? Chunk(index));
        }
    }

    public static async Task PublishRawAsync(IMqttClient client, string topic, byte[] payload)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .Build();
        var result = await client.PublishAsync(message);
        Assert.True(result.IsSuccess, $"publishing {topic}: {result.ReasonCode}");
    }

    private static byte[] Slice(byte[] bytes, int chunkSize, int index) =>
        bytes.AsSpan(index * chunkSize, Math.Min(chunkSize, bytes.Length - (index * chunkSize))).ToArray();
}
