using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Scoring;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Threading;
using CreditEdge.Inference;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Observability;

/// <summary>
/// systemd's watchdog (README "On a board"): when the unit sets <c>WatchdogSec=</c>, systemd passes
/// <c>WATCHDOG_USEC</c> and <c>NOTIFY_SOCKET</c>; every half of that interval the agent sends <c>WATCHDOG=1</c> — but only
/// while its own health holds: a model is loaded, the decision store takes writes, and a probe decision goes through the
/// real scoring path (validation, ORT, policy, reasons) on the active model's first golden applicant (it is not stored).
/// A hung or broken agent stops petting the watchdog and systemd restarts it. Without those variables it does nothing.
/// </summary>
public sealed partial class SystemdWatchdog : BackgroundService
{
    private readonly ModelHost _models;
    private readonly LiteDecisionStore _store;
    private readonly ScoringService _scoring;
    private readonly TimeProvider _time;
    private readonly TimeSpan _stallAfter;
    private readonly ILogger<SystemdWatchdog> _logger;
    private (LoadedModel Model, byte[] Body)? _probe;
    private string? _lastProblem;

    private readonly IHostApplicationLifetime _lifetime;

    public SystemdWatchdog(ModelHost models, LiteDecisionStore store, ScoringService scoring, IOptions<StorageOptions> storage, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<SystemdWatchdog> logger)
    {
        _lifetime = lifetime;
        _stallAfter = storage.Value.StallAfter;
        _models = models;
        _store = store;
        _scoring = scoring;
        _time = time;
        _logger = logger;
    }

    /// <summary>Pings sent since start.</summary>
    public long Pings { get; private set; }

    /// <summary>Why the agent is not healthy now, or null when it is (the probe decision included).</summary>
    public string? Problem()
    {
        using var lease = _models.Acquire();
        if (lease.Model is not { } model)
        {
            return $"no model is loaded: {_models.LoadError ?? "none yet"}";
        }

        if (_store.WriteProblem(_stallAfter) is { } storeProblem)
        {
            return storeProblem;
        }

        if (_probe is not { } probe || !ReferenceEquals(probe.Model, model))
        {
            var features = GoldenReplay.Read(model.Package)[0].Record.Features.DeepClone();
            probe = (model, Encoding.UTF8.GetBytes(new JsonObject { ["features"] = features }.ToJsonString()));
            _probe = probe;
        }

        try
        {
            return _scoring.Decide(model.Engine, probe.Body, null, out var problems) is null
                ? $"the probe applicant was refused: {string.Join("; ", problems?.Select(p => p.ToString()) ?? [])}"
                : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $"the probe decision failed: {ex.Message}";
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!TryReadEnvironment(out var interval, out var socketPath))
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        Log.Enabled(_logger, interval.TotalSeconds);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var endpoint = new UnixDomainSocketEndPoint(socketPath);
        // the first ping comes one interval after the host started: READY=1 (sent as it started) always precedes it
        using var timer = new PeriodicTimer(interval, _time);
        while (await timer.TickOrStopAsync(stoppingToken))
        {
            var problem = Problem();
            if (problem is null)
            {
                try
                {
                    await socket.SendToAsync("WATCHDOG=1"u8.ToArray(), SocketFlags.None, endpoint, stoppingToken);
                    Pings++;
                }
                catch (SocketException ex)
                {
                    Log.SendFailed(_logger, ex.Message);
                }
            }

            if (problem != _lastProblem)
            {
                if (problem is null)
                {
                    Log.Healthy(_logger);
                }
                else
                {
                    Log.Withheld(_logger, problem);
                }

                _lastProblem = problem;
            }
        }
    }

    /// <summary>The ping interval (half of <c>WATCHDOG_USEC</c>) and the socket; false when systemd asked for no watchdog, or for another process.</summary>
    private static bool TryReadEnvironment(out TimeSpan interval, out string socketPath)
    {
        interval = default;
        socketPath = Environment.GetEnvironmentVariable("NOTIFY_SOCKET") ?? string.Empty;
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (socketPath.Length == 0 || !long.TryParse(usec, System.Globalization.CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0
            || (pid is not null && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            return false;
        }

        if (socketPath[0] == '@')
        {
            socketPath = "\0" + socketPath[1..]; // an abstract socket
        }

        interval = TimeSpan.FromTicks(microseconds * 10 / 2);
        return true;
    }


    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "systemd watchdog on: WATCHDOG=1 every {Seconds:F1} s while the agent is healthy")]
        public static partial void Enabled(ILogger logger, double seconds);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Error, Message = "Watchdog ping withheld: {Problem}; systemd restarts the agent if this lasts")]
        public static partial void Withheld(ILogger logger, string problem);

        [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Healthy again: watchdog pings resume")]
        public static partial void Healthy(ILogger logger);

        [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Watchdog ping could not be sent: {Reason}")]
        public static partial void SendFailed(ILogger logger, string reason);
    }
}
