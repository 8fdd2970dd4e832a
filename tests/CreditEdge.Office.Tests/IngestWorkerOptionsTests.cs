using CreditEdge.Office.Ingest;
using MQTTnet;

namespace CreditEdge.Office.Tests;

/// <summary>The office's MQTT connections, as the device's (see <c>MqttSocketBuffersTests</c> in the messaging tests).</summary>
public sealed class IngestWorkerOptionsTests
{
    [Fact]
    public void ClientOptions_AskForOneMebibyteSocketBuffers()
    {
        var options = IngestWorker.ClientOptions(new OfficeOptions { Broker = "mqtt://127.0.0.1:1883" }, "office-0");

        var tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        Assert.Equal(1024 * 1024, tcp.BufferSize); // MQTTnet's 8 KiB turns window scaling off: a worker behind a backlog crawls
    }
}
