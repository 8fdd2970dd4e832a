using System.Text.Json;
using CreditEdge.Core.IO;
using CreditEdge.Messaging.Rollout;

namespace CreditEdge.Agent.Rollout;

/// <summary>
/// <c>&lt;DataDirectory&gt;/rollout.json</c>: the sequence of the last update that finished (activated, rejected or rolled
/// back) — a desired message at or below it is a replay or a downgrade — and the latest status for the retained status
/// message. Written with temp file + fsync + rename + directory fsync; a damaged file reads as "nothing finished yet",
/// which only makes the device look at the retained desired message again.
/// </summary>
public sealed class RolloutStateFile
{
    public const string FileName = "rollout.json";

    private readonly string _path;
    private readonly object _gate = new();

    public RolloutStateFile(string dataDirectory)
    {
        _path = Path.Combine(dataDirectory, FileName);
        (Finished, Current) = Read(_path);
    }

    /// <summary>Sequence of the last update that finished; 0 when none.</summary>
    public long Finished { get; private set; }

    public RolloutStatus? Current { get; private set; }

    /// <summary>Records <paramref name="status"/>; when <paramref name="finished"/>, its sequence becomes <see cref="Finished"/>.</summary>
    public void Save(RolloutStatus status, bool finished)
    {
        lock (_gate)
        {
            var done = finished ? Math.Max(Finished, status.Sequence) : Finished;
            var json = JsonSerializer.SerializeToUtf8Bytes(new Stored(done, status), RolloutJson.Default.Stored);
            AtomicFile.Write(_path, json);
            Finished = done;
            Current = status;
        }
    }

    private static (long, RolloutStatus?) Read(string path)
    {
        try
        {
            var stored = JsonSerializer.Deserialize(File.ReadAllBytes(path), RolloutJson.Default.Stored);
            return stored is null ? (0, null) : (stored.Finished, stored.Status);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return (0, null);
        }
    }

    internal sealed record Stored(long Finished, RolloutStatus? Status);
}
