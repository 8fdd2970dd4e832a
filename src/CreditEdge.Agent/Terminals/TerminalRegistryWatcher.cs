using CreditEdge.Agent.Observability;
using CreditEdge.Agent.Options;
using CreditEdge.Core.Terminals;
using CreditEdge.Core.Threading;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Terminals;

/// <summary>
/// Keeps the gate's keys in step with <c>terminals.json</c> without a restart: every <see cref="PollInterval"/> (on the
/// injected <see cref="TimeProvider"/>) it compares the file's length and modification time and re-reads it when they
/// changed. A damaged or unreadable file keeps the last good keys, logs a warning (event 1014) and sets the gauge
/// <c>creditedge_terminal_registry_ok</c> to 0 until a good file is read. After each read, the registry's additions and
/// revocations are recorded in the audit chain (<see cref="TerminalAuditTrail"/>).
/// </summary>
public sealed class TerminalRegistryWatcher : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly IReadOnlyList<string> _configHashes;
    private readonly LiteDecisionStore _store;
    private readonly string _dataDirectory;
    private readonly AgentMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<TerminalRegistryWatcher> _logger;
    private volatile TerminalKeys _keys;
    private TerminalRegistry _registry = TerminalRegistry.Empty;
    private (bool Exists, long Length, DateTime Modified) _stamp;

    public TerminalRegistryWatcher(IOptions<AgentOptions> agent, IOptions<ApiOptions> api, LiteDecisionStore store, AgentMetrics metrics, TimeProvider time, ILogger<TerminalRegistryWatcher> logger)
    {
        _dataDirectory = agent.Value.DataDirectory;
        _path = TerminalRegistry.PathIn(_dataDirectory);
        _configHashes = [.. api.Value.TerminalKeyHashes];
        _store = store;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _keys = TerminalKeys.From(TerminalRegistry.Empty, _configHashes);
        Reload();
    }

    /// <summary>The keys the gate accepts now.</summary>
    public TerminalKeys Keys => _keys;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var audit = new TerminalAuditTrail(_store, _dataDirectory, _logger);
        using var timer = new PeriodicTimer(PollInterval, _time);
        do
        {
            try
            {
                if (Stamp() != _stamp)
                {
                    Reload();
                }

                await audit.RecordAsync(_registry, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // a full disk refusing an audit event, a failing read: the next tick tries again
                Log.TerminalAuditPending(_logger, ex.Message);
            }
        }
        while (await timer.TickOrStopAsync(stoppingToken));
    }

    private void Reload()
    {
        _stamp = Stamp();
        try
        {
            var registry = TerminalRegistry.Read(_path);
            var keys = TerminalKeys.From(registry, _configHashes);
            _registry = registry;
            _keys = keys;
            _metrics.TerminalRegistryRead(ok: true);
            if (_stamp.Exists)
            {
                Log.TerminalRegistryLoaded(_logger, _path, keys.Active, keys.Revoked);
            }
        }
        catch (Exception ex) when (ex is TerminalRegistryException or IOException or UnauthorizedAccessException)
        {
            _metrics.TerminalRegistryRead(ok: false);
            Log.TerminalRegistryUnreadable(_logger, _path, ex.Message, _keys.Active);
        }
    }

    private (bool Exists, long Length, DateTime Modified) Stamp()
    {
        var file = new FileInfo(_path);
        return file.Exists ? (true, file.Length, file.LastWriteTimeUtc) : (false, 0, default);
    }
}
