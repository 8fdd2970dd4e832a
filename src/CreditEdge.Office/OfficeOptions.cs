using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Office;

/// <summary>The office service (configuration section <c>Office</c>; README "The office service"). Every default is named here.</summary>
public sealed class OfficeOptions : IValidatableObject
{
    public const string SectionName = "Office";

    /// <summary>The broker the devices publish to: <c>mqtt://host:port</c> or <c>mqtts://host:port</c>. Required.</summary>
    [Required(ErrorMessage = "Office:Broker is required (mqtt://host:port or mqtts://host:port)")]
    [RegularExpression(@"^mqtts?://[^\s/:]+(:\d{1,5})?/?$", ErrorMessage = "Office:Broker must be mqtt://host:port or mqtts://host:port")]
    public string Broker { get; set; } = string.Empty;

    /// <summary>Npgsql connection string of the office database. Required.</summary>
    [Required(ErrorMessage = "Office:Database is required (an Npgsql connection string, e.g. Host=127.0.0.1;Database=office;Username=office)")]
    public string Database { get; set; } = string.Empty;

    /// <summary>Ingest workers, each its own MQTT client on the shared subscriptions. Default 2.</summary>
    [Range(1, 64, ErrorMessage = "Office:Workers must be 1-64")]
    public int Workers { get; set; } = 2;

    /// <summary>Shared-subscription group (<c>$share/{Group}/…</c>). Default <c>office</c>.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Office:Group must be 1-64 letters, digits, '.', '_' or '-'")]
    public string Group { get; set; } = "office";

    /// <summary>
    /// MQTT client ids are <c>{ClientIdPrefix}-{n}</c> (n from 0): the same id finds the same broker session (and what
    /// was queued for it) after a restart. Two office processes must use different prefixes. Default <c>office</c>.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,48}$", ErrorMessage = "Office:ClientIdPrefix must be 1-48 letters, digits, '.', '_' or '-'")]
    public string ClientIdPrefix { get; set; } = "office";

    /// <summary>Most messages a worker commits in one transaction. Default 500.</summary>
    [Range(1, 10_000, ErrorMessage = "Office:BatchSize must be 1-10000")]
    public int BatchSize { get; set; } = 500;

    /// <summary>How long a worker waits for more messages after the first of a batch. Default 20 ms.</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Unacknowledged messages a worker holds at most (its MQTT 5 Receive Maximum and its queue's capacity): when the
    /// database is slow or down the broker keeps the rest. Default 1000.
    /// </summary>
    [Range(1, 65_535, ErrorMessage = "Office:MaxInFlight must be 1-65535")]
    public int MaxInFlight { get; set; } = 1000;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>HTTP listen address(es) for /healthz, /readyz, /metrics (and the fleet page). Default <c>http://127.0.0.1:5090</c>.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5090";

    /// <summary>How long the broker keeps a worker's session (and queues for it) while it is away. Default 7 days.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>First retry delay of a failed batch commit or connect; doubles up to <see cref="RetryMaxDelay"/>. Default 200 ms.</summary>
    public TimeSpan RetryMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between retries of a failed batch commit or connect. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a connected worker checks that it still receives: it publishes a probe (QoS 0) to its own
    /// <c>creditedge/office/{clientId}/echo</c> topic. Default 15 s.
    /// </summary>
    public TimeSpan EchoInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A probe not back within this while connected means the receive path stalled: the worker reconnects. Default 10 s.</summary>
    public TimeSpan EchoTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public Uri BrokerUri() => new(Broker);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Database))
        {
            string? problem = null;
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(Database);
            }
            catch (ArgumentException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                yield return new ValidationResult($"Office:Database is not an Npgsql connection string: {problem}", [nameof(Database)]);
            }
        }

        if (BatchDelay < TimeSpan.Zero || BatchDelay > TimeSpan.FromSeconds(60))
        {
            yield return new ValidationResult($"Office:BatchDelay {BatchDelay} must be 0-60 s", [nameof(BatchDelay)]);
        }

        if (EchoInterval <= TimeSpan.Zero || EchoTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Office:EchoInterval and Office:EchoTimeout must be above 0", [nameof(EchoInterval)]);
        }

        if (RetryMinDelay <= TimeSpan.Zero || RetryMaxDelay < RetryMinDelay)
        {
            yield return new ValidationResult("Office:RetryMinDelay must be above 0 and at most Office:RetryMaxDelay", [nameof(RetryMinDelay)]);
        }
    }
}
