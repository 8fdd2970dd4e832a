using System.Text.Json;

namespace CreditEdge.Messaging;

/// <summary>The device's retained status: "online" on every connect, "offline" as its Last Will and on a clean stop.</summary>
internal sealed class DevicePresence(string deviceId, IDeviceStatusSource status, TimeProvider time) : ILinkPresence
{
    public LinkWill? Will() => new(Topics.Status(deviceId), Serialize(Offline()));

    public Task OnConnectedAsync(BrokerLink link, CancellationToken cancellationToken) =>
        link.PublishAsync(Topics.Status(deviceId), Serialize(status.Online()), retain: true, cancellationToken);

    /// <summary>A normal disconnect does not trigger the Will, so a clean stop says "offline" itself.</summary>
    public Task OnStoppingAsync(BrokerLink link, CancellationToken cancellationToken) =>
        link.PublishAsync(Topics.Status(deviceId), Serialize(Offline()), retain: true, cancellationToken);

    private DeviceStatus Offline() => status.Online() with { State = "offline", At = time.GetUtcNow() };

    private static byte[] Serialize(DeviceStatus value) => JsonSerializer.SerializeToUtf8Bytes(value, MessagingJson.Wire.DeviceStatus);
}
