namespace CreditEdge.Messaging;

/// <summary>The MQTT topics of CONTRACT.md, plus the links' own echo topics.</summary>
public static class Topics
{
    public const string Root = "creditedge";

    public static string Status(string deviceId) => $"{Root}/devices/{deviceId}/status";

    public static string Decisions(string deviceId) => $"{Root}/devices/{deviceId}/decisions";

    public static string Telemetry(string deviceId) => $"{Root}/devices/{deviceId}/telemetry";

    /// <summary>Device alerts (QoS 1, not retained): the kiosk enclosure opened, the kiosk unlocked.</summary>
    public static string Alerts(string deviceId) => $"{Root}/devices/{deviceId}/alerts";

    public static string ModelEvents(string deviceId) => $"{Root}/devices/{deviceId}/model/events";

    public static string GroupDesired(string group) => $"{Root}/groups/{group}/model/desired";

    public static string DeviceDesired(string deviceId) => $"{Root}/devices/{deviceId}/model/desired";

    /// <summary>
    /// One chunk of a package archive, retained by the broker so devices fetch it whenever they come online, without the
    /// operator: <c>creditedge/packages/{sha256 of the archive}/chunks/{index}</c>, payload the chunk's raw bytes.
    /// </summary>
    public static string PackageChunk(string archiveSha256, int index) => $"{Root}/packages/{archiveSha256}/chunks/{index}";

    public static string Command(string deviceId, string name) => $"{Root}/devices/{deviceId}/commands/{name}";

    /// <summary>
    /// Where a requester asks <paramref name="deviceId"/> to answer one command (the MQTT 5 response topic):
    /// <c>creditedge/replies/{deviceId}/{requestId}</c>. The shipped ACL lets a device write replies only under its own id.
    /// </summary>
    public static string Reply(string deviceId, string requestId) => $"{Root}/replies/{deviceId}/{requestId}";

    /// <summary>All commands addressed to a device.</summary>
    public static string Commands(string deviceId) => $"{Root}/devices/{deviceId}/commands/+";

    /// <summary>
    /// The link publishes a probe here and expects it back: if it does not come back while connected, the receive
    /// path has stalled and the link reconnects.
    /// </summary>
    public static string Echo(string deviceId) => $"{Root}/devices/{deviceId}/echo";

    /// <summary>The echo topic of an office client (<c>cedge fleet ingest</c>, <c>cedge fleet status</c>), by its MQTT client id.</summary>
    public static string OfficeEcho(string clientId) => $"{Root}/office/{clientId}/echo";

    /// <summary>The last level of a topic (a command's name).</summary>
    public static string LastLevel(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var slash = topic.LastIndexOf('/');
        return slash < 0 ? topic : topic[(slash + 1)..];
    }
}
