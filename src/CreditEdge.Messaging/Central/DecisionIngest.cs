using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Messaging.Central;

/// <summary>
/// The office's consumer: every device's <c>decisions</c> topic, appended once per decision id to a JSON-lines file.
/// Devices re-send after crashes and broker restarts, and the broker re-delivers what was not acknowledged (at least
/// once); this turns that into exactly one line per decision, across its own restarts too (ids already in the file are
/// loaded at start). A line is written, flushed and fsynced before its message is acknowledged (PUBACK), so a decision
/// the broker has forgotten is on disk, and one that is not on disk is still queued in the persistent session.
/// </summary>
public sealed partial class DecisionIngest : IAsyncDisposable
{
    public const string DecisionsFilter = "creditedge/devices/+/decisions";

    private readonly HashSet<string> _seen;
    private readonly FileStream _out;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _failed = new();
    private long _duplicates;
    private Exception? _fault;

    private DecisionIngest(FileStream output, HashSet<string> seen, ILogger logger)
    {
        _out = output;
        _seen = seen;
        _logger = logger;
    }

    /// <summary>Decisions in the file (those there at start included).</summary>
    public long Unique { get { lock (_seen) { return _seen.Count; } } }

    /// <summary>Messages dropped because their decision id was already in the file.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>
    /// Opens (or creates) the file and loads the ids in it. A last line without its newline was torn by a crash mid-write;
    /// it was never acknowledged, so it is cut off and the broker delivers that decision again.
    /// </summary>
    public static DecisionIngest Open(string outputFile, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputFile);
        var output = new FileStream(outputFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var torn = CutTornLine(output);
            if (torn > 0)
            {
                Log.TornLineCut(logger, outputFile, torn);
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            output.Position = 0;
            using (var reader = new StreamReader(output, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, leaveOpen: true))
            {
                while (reader.ReadLine() is { } line)
                {
                    if (line.Length > 0 && TryDecisionId(Encoding.UTF8.GetBytes(line), out var id))
                    {
                        seen.Add(id);
                    }
                }
            }

            output.Seek(0, SeekOrigin.End);
            return new DecisionIngest(output, seen, logger);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Consumes through an office link (<paramref name="clientId"/>'s persistent session, kept by the broker for
    /// <paramref name="sessionExpiry"/> while away) until <paramref name="stoppingToken"/> is cancelled. Connection loss is
    /// not an error: the link reconnects with the device's policy. Throws <see cref="IOException"/> if the file cannot be
    /// written (nothing after that is acknowledged).
    /// </summary>
    public async Task RunAsync(CentralConnection connection, string clientId, TimeSpan sessionExpiry, TimeProvider time, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _failed.Token);
        using var link = CentralClient.Create(connection.LinkOptions(sessionExpiry), clientId, time, _logger);
        link.Subscribe(DecisionsFilter, HandleAsync);
        await link.RunAsync(stop.Token);
        if (_fault is not null)
        {
            throw new IOException($"writing {_out.Name} failed: {_fault.Message}", _fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _out.DisposeAsync();
        _failed.Dispose();
    }

    /// <summary>Returns normally (so the message is acknowledged) only once the decision is durably in the file or was already there.</summary>
    internal async Task HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // stopping: leave it queued for the next session
        if (_fault is not null)
        {
            throw new IOException($"writing {_out.Name} failed earlier", _fault);
        }

        if (!TryDecisionId(message.Payload.Span, out var id))
        {
            Log.NotADecision(_logger, message.Topic);
            return; // nothing to keep: acknowledged and dropped
        }

        lock (_seen)
        {
            if (_seen.Contains(id))
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
        }

        var line = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(message.Payload.Span).ReplaceLineEndings(string.Empty) + "\n");
        try
        {
            await _out.WriteAsync(line, CancellationToken.None); // never torn by a stop
            _out.Flush(flushToDisk: true); // write + fsync before the PUBACK
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _fault = ex;
            Log.WriteFailed(_logger, _out.Name, ex);
            await _failed.CancelAsync();
            throw;
        }

        lock (_seen)
        {
            _seen.Add(id);
        }
    }

    /// <summary>Cuts the file back to its last newline; returns the bytes cut.</summary>
    private static long CutTornLine(FileStream output)
    {
        var length = output.Length;
        var end = length;
        var one = new byte[1];
        while (end > 0)
        {
            output.Position = end - 1;
            if (output.Read(one, 0, 1) == 1 && one[0] == (byte)'\n')
            {
                break;
            }

            end--;
        }

        if (end == length)
        {
            return 0;
        }

        output.SetLength(end);
        output.Flush(flushToDisk: true);
        return length - end;
    }

    private static bool TryDecisionId(ReadOnlySpan<byte> json, out string id)
    {
        id = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("decisionId", out var value) && value.ValueKind == JsonValueKind.String
                && value.GetString() is { Length: > 0 } found)
            {
                id = found;
                return true;
            }
        }
        catch (JsonException)
        {
            // not JSON: not a decision
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3401, Level = LogLevel.Warning, Message = "{File} ended in a torn line ({Bytes} bytes, never acknowledged); cut off, the broker delivers that decision again")]
        public static partial void TornLineCut(ILogger logger, string file, long bytes);

        [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "A message on {Topic} is not a decision (no decisionId); dropped")]
        public static partial void NotADecision(ILogger logger, string topic);

        [LoggerMessage(EventId = 3403, Level = LogLevel.Error, Message = "Writing {File} failed; stopping, nothing more is acknowledged")]
        public static partial void WriteFailed(ILogger logger, string file, Exception exception);
    }
}
