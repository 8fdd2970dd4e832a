namespace CreditEdge.Office.FleetPage;

/// <summary><c>GET /api/fleet/devices</c>: every device the office has a status from.</summary>
internal sealed record DevicesResponse(DateTimeOffset At, int Online, int Offline, IReadOnlyList<FleetDeviceRow> Devices);

/// <summary>
/// One device: its retained status (state, agent, active model, lock), when the office last heard from it (status,
/// telemetry or decision), the model it is being moved to and where that stands (its latest model event, else its
/// status's rollout), and the highest feature PSI of its latest telemetry.
/// </summary>
internal sealed record FleetDeviceRow(
    string DeviceId,
    string State,
    DateTimeOffset LastSeen,
    string? AgentVersion,
    string? ModelId,
    string? ModelVersion,
    string? Variant,
    string? DesiredModelId,
    string? DesiredVersion,
    string? RolloutState,
    string? RolloutCheck,
    string? Locked,
    double? MaxPsi);

/// <summary><c>GET /api/fleet/rollouts</c>: one row per pushed model version, newest push first.</summary>
internal sealed record RolloutsResponse(IReadOnlyList<RolloutRow> Rollouts);

/// <summary>
/// Devices that reported events for this version, by the step each is at now: <c>received</c>; <c>downloading</c>
/// (downloading, downloaded, verified, validated or shadowing); <c>active</c> (active or probation-passed);
/// <c>rejected</c>; <c>rolledBack</c>.
/// </summary>
internal sealed record RolloutRow(string ModelId, string Version, long Sequence, int Devices, int Received, int Downloading, int Active, int Rejected, int RolledBack, DateTimeOffset LastEventAt);

/// <summary><c>GET /api/fleet/decisions?hours=N</c>: decisions per hour (by <c>createdAt</c>) and outcome, every hour of the window present.</summary>
internal sealed record DecisionVolumeResponse(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HourVolume> Hours, IReadOnlyDictionary<string, long> Totals);

internal sealed record HourVolume(DateTimeOffset Hour, long Approve, long Refer, long Decline);

/// <summary><c>GET /api/fleet/drift?device=ID&amp;hours=N</c>: PSI per feature over time, with the page's thresholds.</summary>
internal sealed record DriftResponse(string DeviceId, double Watch, double Act, IReadOnlyList<DriftSeries> Features);

internal sealed record DriftSeries(string Feature, IReadOnlyList<DriftPoint> Points);

internal sealed record DriftPoint(DateTimeOffset At, double Psi);
