using System.Text.Json;
using System.Text.Json.Serialization;
using CreditEdge.Agent.Options;
using CreditEdge.Core.Audit;
using CreditEdge.Core.IO;
using CreditEdge.Hardware;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Hardware;

/// <summary>
/// The kiosk's lock (README "Tamper switch"): when the enclosure opens, scoring is refused (503 naming the lock) until
/// an operator unlocks it with a signed order (<c>cedge fleet unlock</c>) or the configured local procedure. The lock is
/// a file in the data directory, written and fsynced before anything else, so a restart — or a kill — keeps the kiosk
/// locked. Locking and unlocking are audit-chain events; one the store cannot take now (a full disk) is kept and
/// appended when it can, and an unlock that cannot be recorded does not happen.
/// </summary>
public sealed partial class TamperLock : IDisposable
{
    public const string FileName = "tamper-lock.json";

    private readonly string _path;
    private readonly LiteDecisionStore _store;
    private readonly GpioBoard _board;
    private readonly TimeProvider _time;
    private readonly ILogger<TamperLock> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<AuditEvent> _unrecorded = [];
    private volatile LockState? _current;

    public TamperLock(IOptions<AgentOptions> agent, LiteDecisionStore store, GpioBoard board, TimeProvider time, ILogger<TamperLock> logger)
    {
        _path = Path.Combine(Path.GetFullPath(agent.Value.DataDirectory), FileName);
        _store = store;
        _board = board;
        _time = time;
        _logger = logger;
        _current = Load(_path, time);
        if (_current is { } state)
        {
            LogStillLocked(_logger, state.Reason, state.LockedAt);
        }
    }

    /// <summary>Raised after the kiosk was locked or unlocked.</summary>
    public event Action? Changed;

    /// <summary>The lock, or null while the kiosk is unlocked.</summary>
    public LockState? Current => _current;

    /// <summary>Why scoring is refused, or null while the kiosk is unlocked.</summary>
    public string? RefusalReason => _current is { } state
        ? $"the kiosk is locked: {state.Reason} at {state.LockedAt:yyyy-MM-dd HH:mm:ss}Z; an operator must unlock it (cedge fleet unlock)"
        : null;

    /// <summary>Events still to be appended to the audit chain (the store could not take them yet).</summary>
    public int Unrecorded
    {
        get
        {
            lock (_unrecorded)
            {
                return _unrecorded.Count;
            }
        }
    }

    /// <summary>Locks the kiosk (a no-op when it is locked already). Never throws for a failing disk: the lock holds in memory then.</summary>
    public async Task LockAsync(string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is not null)
            {
                return;
            }

            var state = new LockState(_time.GetUtcNow(), reason);
            _current = state; // refuse from this instant, even if the file cannot be written
            try
            {
                AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(state, TamperLockJson.Default.LockState));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogNotPersisted(_logger, ex.Message);
            }

            LogLocked(_logger, reason);
            Remember(new AuditEvent("tamper-opened", state.LockedAt, reason));
            await RecordPendingHeldAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        Changed?.Invoke();
    }

    /// <summary>
    /// Unlocks the kiosk: refused (<see cref="InvalidOperationException"/>, its message says why) while the enclosure is
    /// still open, when the kiosk is not locked, or when the audit chain cannot record the unlock.
    /// </summary>
    public async Task UnlockAsync(string by, string method, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is null)
            {
                throw new InvalidOperationException("the kiosk is not locked");
            }

            if (_board.Tamper is { IsOpen: true })
            {
                throw new InvalidOperationException("the enclosure is still open: close it, then unlock");
            }

            await RecordPendingHeldAsync(cancellationToken);
            try
            {
                await _store.AppendEventAsync(new AuditEvent("tamper-unlocked", _time.GetUtcNow(), $"unlocked by {by} ({method})",
                    new Dictionary<string, string> { ["by"] = by, ["method"] = method }), cancellationToken);
            }
            catch (StorageException ex)
            {
                throw new InvalidOperationException($"the unlock could not be recorded in the audit chain, so the kiosk stays locked: {ex.Message}", ex);
            }

            File.Delete(_path);
            DirectorySync.Flush(Path.GetDirectoryName(_path)!);
            _current = null;
            LogUnlocked(_logger, by, method);
        }
        finally
        {
            _gate.Release();
        }

        Changed?.Invoke();
    }

    /// <summary>Appends the events the store could not take before; the hardware service calls it now and then.</summary>
    public async Task RecordPendingAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await RecordPendingHeldAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// <see cref="RecordPendingAsync"/> for a caller that holds the gate: one appender at a time, so no event is appended twice.
    /// </summary>
    private async Task RecordPendingHeldAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            AuditEvent next;
            lock (_unrecorded)
            {
                if (_unrecorded.Count == 0)
                {
                    return;
                }

                next = _unrecorded[0];
            }

            try
            {
                await _store.AppendEventAsync(next, cancellationToken);
            }
            catch (StorageException ex)
            {
                LogEventPending(_logger, next.Type, ex.Message);
                return;
            }

            lock (_unrecorded)
            {
                _unrecorded.RemoveAt(0);
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    private void Remember(AuditEvent auditEvent)
    {
        lock (_unrecorded)
        {
            _unrecorded.Add(auditEvent);
        }
    }

    /// <summary>The persisted lock; a lock file that cannot be read still locks (fail safe).</summary>
    private static LockState? Load(string path, TimeProvider time)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), TamperLockJson.Default.LockState)
                ?? new LockState(time.GetUtcNow(), "the lock file is empty");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return new LockState(time.GetUtcNow(), $"the lock file '{path}' cannot be read ({ex.Message})");
        }
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Critical, Message = "Kiosk LOCKED: {Reason}; scoring is refused until an operator unlocks it")]
    private static partial void LogLocked(ILogger logger, string reason);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Kiosk unlocked by {By} ({Method})")]
    private static partial void LogUnlocked(ILogger logger, string by, string method);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Kiosk still locked since {LockedAt:u}: {Reason}")]
    private static partial void LogStillLocked(ILogger logger, string reason, DateTimeOffset lockedAt);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Error, Message = "The lock could not be written to disk ({Reason}); it holds until the agent restarts")]
    private static partial void LogNotPersisted(ILogger logger, string reason);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Error, Message = "Audit event {Type} not recorded yet ({Reason}); retried")]
    private static partial void LogEventPending(ILogger logger, string type, string reason);
}

/// <summary>Why and since when the kiosk is locked.</summary>
public sealed record LockState(DateTimeOffset LockedAt, string Reason);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LockState))]
internal sealed partial class TamperLockJson : JsonSerializerContext;
