using System.Text;
using System.Text.Json;
using MQTTnet;

namespace CreditEdge.Messaging.Central;

/// <summary>
/// The office's consumer: a persistent MQTT session on every device's <c>decisions</c> topic, appending each decision
/// once to a JSON-lines file. Devices re-send after crashes and broker restarts (at-least-once); this turns that into
/// exactly-once records by decision id, across its own restarts too (ids already in the file are loaded at start).
/// </summary>
public sealed class DecisionIngest : IAsyncDisposable
{
    public const string DecisionsFilter = "creditedge/devices/+/decisions";

    private readonly HashSet<string> _seen;
    private readonly StreamWriter _out;
    private readonly SemaphoreSlim _write = new(1, 1);
    private IMqttClient? _client;
    private long _duplicates;

    private DecisionIngest(string outputFile, HashSet<string> seen)
    {
        _seen = seen;
        _out = new StreamWriter(new FileStream(outputFile, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    public long Unique { get { lock (_seen) { return _seen.Count; } } }

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public static async Task<DecisionIngest> StartAsync(Uri broker, string outputFile, string clientId, string? username, string? password, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(outputFile))
        {
            foreach (var line in File.ReadLines(outputFile))
            {
                if (line.Length > 0 && TryDecisionId(line, out var id))
                {
                    seen.Add(id);
                }
            }
        }

        var ingest = new DecisionIngest(outputFile, seen);
        ingest._client = await CentralClient.ConnectAsync(broker, clientId, persistent: true, username, password, ingest.OnMessageAsync, [DecisionsFilter], cancellationToken);
        return ingest;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is { IsConnected: true })
        {
            await _client.DisconnectAsync();
        }

        _client?.Dispose();
        await _out.DisposeAsync();
        _write.Dispose();
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var json = e.ApplicationMessage.ConvertPayloadToString() ?? string.Empty;
        if (!TryDecisionId(json, out var id))
        {
            return; // not a decision record: nothing to keep
        }

        bool added;
        lock (_seen)
        {
            added = _seen.Add(id);
        }

        if (!added)
        {
            Interlocked.Increment(ref _duplicates);
            return;
        }

        await _write.WaitAsync();
        try
        {
            // flushed before the handler returns, so the PUBACK follows the write
            await _out.WriteLineAsync(json.ReplaceLineEndings(string.Empty));
            await _out.FlushAsync();
        }
        finally
        {
            _write.Release();
        }
    }

    private static bool TryDecisionId(string json, out string id)
    {
        id = string.Empty;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("decisionId", out var value) && value.GetString() is { Length: > 0 } found)
            {
                id = found;
                return true;
            }
        }
        catch (JsonException)
        {
            // fall through
        }

        return false;
    }
}
