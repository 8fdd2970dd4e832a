using MQTTnet;

namespace CreditEdge.Messaging.Tests;

/// <summary>
/// Every link asks the kernel for large socket buffers (<see cref="MqttSocketBuffers"/>): with MQTTnet's 8 KiB, Linux fixes
/// the receive window without scaling, and <c>cedge fleet ingest</c> behind a backlog fell to 25 decisions a second in
/// the 30-kill crash loop (1 run in 3 lost thousands of decisions to its deadline).
/// </summary>
public sealed class MqttSocketBuffersTests
{
    [Theory]
    [InlineData("mqtt://127.0.0.1:1883")]
    [InlineData("mqtts://broker.bank.example:8883")]
    public void LinkOptions_PlainAndTls_AskForOneMebibyteSocketBuffers(string broker)
    {
        var options = LinkClientOptions.Build(new FleetLinkOptions { Broker = broker }, "kiosk-a", will: null);

        var tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        Assert.Equal(1024 * 1024, tcp.BufferSize);
        Assert.True(tcp.BufferSize > new MqttClientTcpOptions().BufferSize, "more than MQTTnet's default");
    }
}
