using System.Text.Json;
using CreditEdge.Core.Threading;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreditEdge.Messaging;

/// <summary>Publishes a retained telemetry report every <see cref="TelemetryOptions.Interval"/> while the link is up.</summary>
public sealed partial class TelemetryPublisher : BackgroundService
{
    private readonly FleetLink _link;
    private readonly ITelemetrySource _source;
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TelemetryPublisher> _logger;

    public TelemetryPublisher(FleetLink link, ITelemetrySource source, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<TelemetryPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _link = link;
        _source = source;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Collects and publishes one report now; false when the link is down (nothing is collected then).</summary>
    public async Task<bool> PublishOnceAsync(CancellationToken cancellationToken)
    {
        if (!_link.IsConnected)
        {
            return false;
        }

        var report = _source.Collect();
        await _link.PublishAsync(Topics.Telemetry(_link.DeviceId), JsonSerializer.SerializeToUtf8Bytes(report, MessagingJson.Wire.TelemetryReport), retain: true, cancellationToken);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        while (await timer.TickOrStopAsync(stoppingToken))
        {
            try
            {
                await PublishOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.PublishFailed(_logger, ex);
            }
        }
    }


    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Telemetry publish failed; next attempt at the next interval")]
        public static partial void PublishFailed(ILogger logger, Exception exception);
    }
}
