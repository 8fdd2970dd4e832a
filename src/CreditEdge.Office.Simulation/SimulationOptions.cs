namespace CreditEdge.Office.Simulation;

/// <summary>What <see cref="FleetSimulator"/> runs: how many devices, against which broker, at what rate, for how long.</summary>
public sealed record SimulationOptions
{
    /// <summary><c>mqtt://host:port</c>.</summary>
    public required Uri Broker { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Simulated devices, each its own MQTT 5 client (<c>sim-0001</c>…).</summary>
    public int Devices { get; init; } = 1000;

    /// <summary>Client ids are this prefix and the device's number, four digits: <c>sim-0001</c>.</summary>
    public string DevicePrefix { get; init; } = "sim-";

    /// <summary>
    /// Decisions per second for the whole fleet, spread evenly over the devices; null = kiosk rates (each device one
    /// decision every <see cref="KioskMinInterval"/>…<see cref="KioskMaxInterval"/>).
    /// </summary>
    public double? Rate { get; init; }

    public TimeSpan KioskMinInterval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan KioskMaxInterval { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long decisions are sent, once every device is connected.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Devices connect this many at a time, so the broker is not stampeded.</summary>
    public int ConnectWave { get; init; } = 50;

    /// <summary>Each device's telemetry period (staggered over the fleet); drift rides on every message.</summary>
    public TimeSpan TelemetryInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Per device and telemetry period, the chance that a model update runs through its events.</summary>
    public double ModelUpdateChance { get; init; } = 0.02;

    /// <summary>Decisions awaiting their PUBACK across the fleet; beyond this the sender waits (the ingest's pace shows).</summary>
    public int MaxInFlight { get; init; } = 4000;

    /// <summary>The broker keeps each device's session this long.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The package whose golden applicants, policy, reason table and feature names the decisions use.</summary>
    public required string PackageDirectory { get; init; }

    public int Seed { get; init; } = 13;

    /// <summary>Leave the fleet connected-then-vanished instead of stopping cleanly: the broker publishes each Will (offline).</summary>
    public bool Vanish { get; init; }
}
