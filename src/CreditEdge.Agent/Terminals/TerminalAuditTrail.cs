using System.Text.Json;
using CreditEdge.Core.Audit;
using CreditEdge.Core.IO;
using CreditEdge.Core.Terminals;
using CreditEdge.Storage;

namespace CreditEdge.Agent.Terminals;

/// <summary>
/// Records the registry's changes in the audit chain, each exactly once: <c>terminal-added</c> for every terminal and
/// <c>terminal-revoked</c> for every revoked one, at the time <c>cedge</c> made the change. <c>cedge</c> cannot open the
/// store while the agent runs, so the registry itself is the list of what is to be recorded; what was recorded is
/// known from the chain's own events (read once at start) and from <c>terminals-audited.json</c>, which the agent
/// writes after each append — the chain covers a crash before that write, the file covers events retention deleted.
/// Called by one loop only (<see cref="TerminalRegistryWatcher"/>).
/// </summary>
public sealed class TerminalAuditTrail
{
    public const string FileName = "terminals-audited.json";
    public const string AddedType = "terminal-added";
    public const string RevokedType = "terminal-revoked";
    public const string TerminalDataKey = "terminal";

    private const int EventPage = 1000;

    private readonly LiteDecisionStore _store;
    private readonly string _path;
    private readonly ILogger _logger;
    private HashSet<string>? _recorded;

    public TerminalAuditTrail(LiteDecisionStore store, string dataDirectory, ILogger logger)
    {
        _store = store;
        _path = Path.Combine(Path.GetFullPath(dataDirectory), FileName);
        _logger = logger;
    }

    /// <summary>Appends what <paramref name="registry"/> holds and the chain does not; a <see cref="StorageException"/> leaves the rest for the next call.</summary>
    public async Task RecordAsync(TerminalRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _recorded ??= LoadRecorded();
        foreach (var entry in registry.Entries)
        {
            await RecordAsync(AddedType, entry.Id, entry.CreatedAt, $"terminal {entry.Id} added", cancellationToken);
            if (entry.RevokedAt is { } revoked)
            {
                await RecordAsync(RevokedType, entry.Id, revoked, $"terminal {entry.Id} revoked", cancellationToken);
            }
        }
    }

    private async Task RecordAsync(string type, string terminalId, DateTimeOffset at, string detail, CancellationToken cancellationToken)
    {
        var key = Key(type, terminalId);
        if (_recorded!.Contains(key))
        {
            return;
        }

        await _store.AppendEventAsync(new AuditEvent(type, at, detail, new Dictionary<string, string> { [TerminalDataKey] = terminalId }), cancellationToken);
        _recorded.Add(key);
        Log.TerminalEventRecorded(_logger, type, terminalId);
        try
        {
            AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(_recorded.Order(StringComparer.Ordinal).ToArray(), TerminalAgentJson.Default.StringArray));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the event is in the chain, which is read at the next start: nothing is recorded twice
            Log.TerminalAuditFileNotWritten(_logger, _path, ex.Message);
        }
    }

    private HashSet<string> LoadRecorded()
    {
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(_path) && JsonSerializer.Deserialize(File.ReadAllBytes(_path), TerminalAgentJson.Default.StringArray) is { } keys)
            {
                recorded.UnionWith(keys);
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            Log.TerminalAuditFileNotRead(_logger, _path, ex.Message);
        }

        long after = 0;
        while (true)
        {
            var page = _store.ReadEvents(after, EventPage);
            foreach (var (sequence, auditEvent) in page)
            {
                after = sequence;
                if (auditEvent.Type is AddedType or RevokedType && auditEvent.Data?.GetValueOrDefault(TerminalDataKey) is { } terminal)
                {
                    recorded.Add(Key(auditEvent.Type, terminal));
                }
            }

            if (page.Count < EventPage)
            {
                return recorded;
            }
        }
    }

    private static string Key(string type, string terminalId) => type + ":" + terminalId;
}
