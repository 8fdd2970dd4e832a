using System.Text;
using CreditEdge.Core.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreditEdge.Messaging;

/// <summary>
/// Publishes the outbox to <c>creditedge/devices/{id}/decisions</c> at QoS 1, oldest first, at most
/// <see cref="FleetLinkOptions.MaxInFlight"/> awaiting PUBACK at once, and removes each record only after its PUBACK.
/// A crash between PUBACK and removal re-sends at most one window; the central side de-duplicates by decision id.
/// </summary>
public sealed partial class OutboxPump : BackgroundService
{
    private readonly FleetLink _link;
    private readonly IOutbox _outbox;
    private readonly FleetLinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxPump> _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly string _topic;
    private long _published;

    public OutboxPump(FleetLink link, IOutbox outbox, IOptions<FleetLinkOptions> options, TimeProvider time, ILogger<OutboxPump> logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(options);
        _link = link;
        _outbox = outbox;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _topic = Topics.Decisions(link.DeviceId);
        _outbox.RecordsAdded += Nudge;
    }

    /// <summary>Records acknowledged by the broker since start.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Wakes the pump now (a decision was stored, or <c>sync-now</c> was asked).</summary>
    public void Nudge()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // already awake
        }
    }

    public override void Dispose()
    {
        _outbox.RecordsAdded -= Nudge;
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _link.WaitConnectedAsync(stoppingToken);
                await DrainAsync(stoppingToken);
                await WaitForWorkAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.DrainFailed(_logger, _outbox.Depth, ex);
                await Task.Delay(_options.ReconnectMinDelay, _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && _link.IsConnected)
        {
            var records = _outbox.Peek(_options.PublishBatchSize);
            if (records.Count == 0)
            {
                return;
            }

            foreach (var window in records.Chunk(_options.MaxInFlight))
            {
                var publishes = window
                    .Select(r => _link.PublishAsync(_topic, Encoding.UTF8.GetBytes(r.Payload), retain: false, cancellationToken, requireSubscriber: true))
                    .ToArray();
                try
                {
                    await Task.WhenAll(publishes);
                }
                finally
                {
                    // whatever got its PUBACK leaves the outbox, even when a later one in the window failed
                    var acknowledged = window.Where((_, i) => publishes[i].IsCompletedSuccessfully).Select(r => r.Sequence).ToArray();
                    _outbox.Acknowledge(acknowledged);
                    Interlocked.Add(ref _published, acknowledged.Length);
                }
            }
        }
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(_options.OutboxPollInterval, _time, poll.Token);
        var wake = _wake.WaitAsync(poll.Token);
        await Task.WhenAny(delay, wake);
        await poll.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Outbox drain interrupted with {Depth} records waiting; they stay and are retried")]
        public static partial void DrainFailed(ILogger logger, long depth, Exception exception);
    }
}
