namespace CreditEdge.Agent.Api;

/// <summary>
/// <c>GET /v1/status</c>: what the kiosk page's badge shows. <see cref="Online"/> is the MQTT link to the fleet broker
/// (false when no broker is configured); <see cref="Problems"/> says why the agent is not <see cref="Ready"/>.
/// </summary>
public sealed record StatusResponse(
    bool Ready,
    IReadOnlyList<string> Problems,
    bool Online,
    bool BrokerConfigured,
    StatusModel? Model,
    string DeviceId);
