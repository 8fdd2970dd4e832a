using CreditEdge.Agent.Models;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Rollout;
using CreditEdge.Agent.Scoring;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Threading;
using CreditEdge.Hardware;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Rollout;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Hardware;

/// <summary>
/// The agent's side of the kiosk's pins (README "Status light, buttons and tamper switch"): the status light follows the
/// agent's state, each decision pulses its outcome lamp and buzzer, the sync button wakes the outbox, and the tamper
/// switch locks the kiosk — an enclosure already open at start locks it too.
/// </summary>
public sealed partial class HardwareService : BackgroundService
{
    /// <summary>How often the light is brought up to date with the agent's state.</summary>
    public static readonly TimeSpan LightInterval = TimeSpan.FromMilliseconds(250);

    private readonly GpioBoard _board;
    private readonly TamperLock _lock;
    private readonly ModelHost _models;
    private readonly LiteDecisionStore _store;
    private readonly ScoringService _scoring;
    private readonly FleetLink? _link;
    private readonly OutboxPump? _pump;
    private readonly ModelRollout? _rollout;
    private readonly HardwareOptions _options;
    private readonly TimeSpan _stallAfter;
    private readonly TimeProvider _time;
    private readonly ILogger<HardwareService> _logger;
    private CancellationToken _stopping;

    public HardwareService(GpioBoard board, TamperLock tamperLock, ModelHost models, LiteDecisionStore store, ScoringService scoring, IServiceProvider services,
        IOptions<HardwareOptions> options, IOptions<StorageOptions> storage, TimeProvider time, ILogger<HardwareService> logger)
    {
        _board = board;
        _lock = tamperLock;
        _models = models;
        _store = store;
        _scoring = scoring;
        _link = services.GetService<FleetLink>();
        _pump = services.GetService<OutboxPump>();
        _rollout = services.GetService<ModelRollout>();
        _options = options.Value;
        _stallAfter = storage.Value.StallAfter;
        _time = time;
        _logger = logger;
    }

    /// <summary>What the agent is doing now, as the light shows it.</summary>
    public AgentCondition Condition() => new(
        Started: true,
        ModelLoaded: _models.Current is not null,
        StoreWritable: _store.WriteProblem(_stallAfter) is null,
        Online: _link?.IsConnected ?? false,
        Updating: _rollout?.Status is { } status && ModelEvents.InProgress(status.State),
        Locked: _lock.Current is not null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        _lock.Changed += LockChanged;
        _scoring.Decided += _board.Outcomes.Signal;
        if (_board.SyncButton is { } button)
        {
            button.Pressed += SyncPressed;
            button.LongPressed += LongPressed;
        }

        if (_board.Tamper is { } tamper)
        {
            tamper.Changed += TamperChanged;
            if (tamper.IsOpen)
            {
                await _lock.LockAsync(OpenReason(atStart: true), stoppingToken);
            }
        }

        using var timer = new PeriodicTimer(LightInterval, _time);
        do
        {
            _board.Light.Show(LightStates.For(Condition()));
            if (_lock.Unrecorded > 0)
            {
                await _lock.RecordPendingAsync(stoppingToken);
            }
        }
        while (await timer.TickOrStopAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _scoring.Decided -= _board.Outcomes.Signal;
        await base.StopAsync(cancellationToken);
        _board.Light.Show(LightState.Off);
    }

    /// <summary>The office hears of it at once when the link is up (an alert, and the retained status naming the lock); else the status says so at the next connect.</summary>
    private void LockChanged()
    {
        if (_link is not { IsConnected: true } link)
        {
            return;
        }

        var alert = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = _lock.Current is null ? "unlocked" : "locked",
            ["deviceId"] = link.DeviceId,
            ["detail"] = _lock.RefusalReason ?? "the kiosk takes applications again",
            ["at"] = _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        _ = Task.Run(async () =>
        {
            try
            {
                await link.PublishAsync(Topics.Alerts(link.DeviceId), System.Text.Encoding.UTF8.GetBytes(alert.ToJsonString()), retain: false, _stopping);
                await link.PublishStatusAsync(_stopping);
            }
            catch (Exception ex) when (ex is FleetPublishException or OperationCanceledException)
            {
                LogAlertNotSent(_logger, ex.Message);
            }
        });
    }

    private string OpenReason(bool atStart) =>
        (atStart ? "the enclosure was open at start" : "the enclosure was opened")
        + (_board.Simulated is not null ? " (simulated GPIO: no switch is read, so it counts as open; set Hardware:TamperPin only where a switch is wired)" : string.Empty);

    private void TamperChanged(bool open)
    {
        LogTamper(_logger, open ? "opened" : "closed");
        if (open)
        {
            _ = Task.Run(() => _lock.LockAsync(OpenReason(atStart: false), _stopping));
        }
    }

    private void SyncPressed()
    {
        LogSyncPressed(_logger, _pump is null ? "offline mode: nothing to sync" : $"{_store.Depth} decisions waiting");
        _pump?.Nudge();
    }

    private void LongPressed()
    {
        if (_options.LocalUnlock != LocalUnlockProcedure.LongPress || _lock.Current is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await _lock.UnlockAsync("technician on site", "sync button held", _stopping);
            }
            catch (InvalidOperationException ex)
            {
                LogLocalUnlockRefused(_logger, ex.Message);
            }
        });
    }

    [LoggerMessage(EventId = 1513, Level = LogLevel.Warning, Message = "Lock alert not sent ({Reason}); the retained status names the lock at the next connect")]
    private static partial void LogAlertNotSent(ILogger logger, string reason);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Warning, Message = "Tamper switch: enclosure {State}")]
    private static partial void LogTamper(ILogger logger, string state);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Information, Message = "Sync button pressed: {What}")]
    private static partial void LogSyncPressed(ILogger logger, string what);

    [LoggerMessage(EventId = 1512, Level = LogLevel.Warning, Message = "Local unlock refused: {Reason}")]
    private static partial void LogLocalUnlockRefused(ILogger logger, string reason);
}
