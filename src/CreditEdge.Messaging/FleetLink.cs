using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreditEdge.Messaging;

/// <summary>
/// The device's one MQTT 5 connection to the central broker, run as a hosted service: a <see cref="BrokerLink"/> (reconnect
/// loop, persistent session, receive-path probe, acknowledgement after the handlers) with the device id as client id and the
/// device's retained status as its presence (birth message, Last Will, goodbye on a clean stop).
/// </summary>
public sealed class FleetLink : BackgroundService
{
    private readonly BrokerLink _link;
    private readonly DevicePresence _presence;

    public FleetLink(IOptions<FleetLinkOptions> options, DeviceIdentity identity, IDeviceStatusSource status, TimeProvider time, ILogger<FleetLink> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(identity);
        DeviceId = identity.DeviceId;
        _presence = new DevicePresence(DeviceId, status, time);
        _link = new BrokerLink(options.Value, DeviceId, Topics.Echo(DeviceId), _presence, time, logger);
    }

    public string DeviceId { get; }

    public bool IsConnected => _link.IsConnected;

    /// <summary>Messages handed to handlers since start.</summary>
    public long Received => _link.Received;

    /// <summary>Times the receive path was found stalled and the client replaced.</summary>
    public long Stalls => _link.Stalls;

    public long Reconnects => _link.Reconnects;

    /// <summary>Registers a handler for a topic filter; call before the host starts.</summary>
    public void Subscribe(string topicFilter, Func<ReceivedMessage, CancellationToken, Task> handler) => _link.Subscribe(topicFilter, handler);

    /// <inheritdoc cref="BrokerLink.SubscribeToState"/>
    public void SubscribeToState(string topicFilter, Func<ReceivedMessage, CancellationToken, Task> handler) => _link.SubscribeToState(topicFilter, handler);

    /// <summary>Completes when the link is up (immediately if it is).</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _link.WaitConnectedAsync(cancellationToken);

    /// <inheritdoc cref="BrokerLink.PublishAsync"/>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken,
        string? responseTopic = null, ReadOnlyMemory<byte> correlationData = default, bool requireSubscriber = false) =>
        _link.PublishAsync(topic, payload, retain, cancellationToken, responseTopic, correlationData, requireSubscriber: requireSubscriber);

    /// <summary>Publishes the retained status again (e.g. after a model switch), when connected; false when not.</summary>
    public async Task<bool> PublishStatusAsync(CancellationToken cancellationToken)
    {
        if (!_link.IsConnected)
        {
            return false;
        }

        await _presence.OnConnectedAsync(_link, cancellationToken);
        return true;
    }

    public override void Dispose()
    {
        _link.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _link.RunAsync(stoppingToken);
}
