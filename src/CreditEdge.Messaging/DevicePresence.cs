using System.Text.Json;

namespace CreditEdge.Messaging;

/// <summary>The device's retained status: "online" on every connect, "offline" as its Last Will and on a clean stop.</summary>
/// <remarks>
/// The three of one connection carry its <see cref="DeviceStatus.ConnectedAt"/>: the Will is built first (at each connect
/// attempt), so that is when the connection was opened.
/// </remarks>
internal sealed class DevicePresence(string deviceId, IDeviceStatusSource status, TimeProvider time) : ILinkPresence
{
    private DateTimeOffset _connectedAt = time.GetUtcNow();

    public LinkWill? Will()
    {
        _connectedAt = time.GetUtcNow();
        return new(Topics.Status(deviceId), Serialize(Offline()));
    }

    public Task OnConnectedAsync(BrokerLink link, CancellationToken cancellationToken) =>
        link.PublishAsync(Topics.Status(deviceId), Serialize(status.Online() with { ConnectedAt = _connectedAt }), retain: true, cancellationToken);

    /// <summary>A normal disconnect does not trigger the Will, so a clean stop says "offline" itself.</summary>
    public Task OnStoppingAsync(BrokerLink link, CancellationToken cancellationToken) =>
        link.PublishAsync(Topics.Status(deviceId), Serialize(Offline()), retain: true, cancellationToken);

    private DeviceStatus Offline() => status.Online() with { State = "offline", At = time.GetUtcNow(), ConnectedAt = _connectedAt };

    private static byte[] Serialize(DeviceStatus value) => JsonSerializer.SerializeToUtf8Bytes(value, MessagingJson.Wire.DeviceStatus);
}
