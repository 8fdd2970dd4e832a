using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Messaging;

/// <summary>The link to the central broker (configuration section <c>Mqtt</c>). Every duration has a sensible default.</summary>
public sealed class FleetLinkOptions
{
    public const string SectionName = "Mqtt";

    /// <summary><c>mqtt://host:port</c> or <c>mqtts://host:port</c>; empty = offline mode (default).</summary>
    [RegularExpression(@"^$|^mqtts?://[^\s/:]+(:\d{1,5})?/?$", ErrorMessage = "Mqtt:Broker must be empty or mqtt://host:port or mqtts://host:port")]
    public string Broker { get; set; } = string.Empty;

    /// <summary>Fleet group for model rollouts. Default <c>default</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Mqtt:Group must be 1-64 letters, digits, '.', '_' or '-'")]
    public string Group { get; set; } = "default";

    /// <summary>User name (password-file brokers); with client certificates the broker takes the certificate's CN instead.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>mqtts: the device's client certificate (PEM) and its key (PEM).</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>mqtts: CA certificate (PEM) that signed the broker's certificate; default: the system's trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>MQTT keep-alive. Default 30 s.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the broker keeps the device's session (subscriptions, queued QoS 1) while it is away. Default 7 days.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>First reconnect delay; doubles with jitter up to <see cref="ReconnectMaxDelay"/>. Default 1 s.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between reconnect attempts. Default 60 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for one connect attempt. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the link checks that it still receives (echo probe). Default 15 s.</summary>
    public TimeSpan EchoInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An echo not back within this while connected means the receive path stalled: reconnect. Default 10 s.</summary>
    public TimeSpan EchoTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Outbox records read per pass. Default 256.</summary>
    [Range(1, 10_000)]
    public int PublishBatchSize { get; set; } = 256;

    /// <summary>QoS 1 publishes awaiting PUBACK at once. Default 64.</summary>
    [Range(1, 1_000)]
    public int MaxInFlight { get; set; } = 64;

    /// <summary>How often the outbox is checked when nothing wakes the pump. Default 2 s.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public bool Enabled => !string.IsNullOrWhiteSpace(Broker);

    public Uri BrokerUri() => new(Broker);
}
