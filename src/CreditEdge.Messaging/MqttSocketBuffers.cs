using MQTTnet;

namespace CreditEdge.Messaging;

/// <summary>
/// The socket buffers of every MQTT connection the product makes. MQTTnet sets <c>SO_RCVBUF</c> and <c>SO_SNDBUF</c> to its
/// <see cref="MqttClientTcpOptions.BufferSize"/> (8 KiB) before connecting, which on Linux fixes the receive buffer at
/// 16 KiB and turns TCP window scaling off for the connection. A subscriber behind a backlog (an office catching up on
/// thousands of decisions) can then fall into a window of one segment, each waiting out the 40 ms delayed ACK, and stay
/// there: <c>cedge fleet ingest</c> was seen taking 25 decisions a second for minutes with 3.5 MB queued in the broker's
/// socket (<c>ss -tmi</c>: <c>rb16384</c>, <c>rwnd_limited</c> 98.7 %). A larger buffer keeps scaling on; the kernel
/// doubles what is asked and caps it at <c>net.core.rmem_max</c> / <c>wmem_max</c>, so this is a ceiling, not an allocation.
/// </summary>
public static class MqttSocketBuffers
{
    /// <summary>What each connection asks for, in each direction.</summary>
    public const int Bytes = 1024 * 1024;

    /// <summary>Sets the TCP buffer size of <paramref name="options"/> (a no-op for a non-TCP channel); returns them.</summary>
    public static MqttClientOptions Apply(MqttClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is MqttClientTcpOptions tcp)
        {
            tcp.BufferSize = Bytes;
        }

        return options;
    }
}
