using CreditEdge.TestKit;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>What every step of a comparison run shares: options, the scratch directory, the wrk script and bodies.</summary>
public sealed class RunContext(CompareArgs options, string workDirectory, string bodiesFile, string wrkScript)
{
    private int _instance;

    public CompareArgs Options { get; } = options;

    public string WorkDirectory { get; } = workDirectory;

    /// <summary>Starts a server of <paramref name="kind"/> on a free loopback port with fresh data of its own.</summary>
    public Task<ServerProcess> StartAsync(ServerKind kind, bool durable, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(WorkDirectory, $"{kind.ToString().ToLowerInvariant()}-{Interlocked.Increment(ref _instance):D3}");
        Directory.CreateDirectory(directory);
        var port = LoopbackPort.Free();
        var launch = kind switch
        {
            ServerKind.Agent => ServerLaunch.Agent(Options.AgentDll, port, Path.Combine(directory, "data"), durable),
            ServerKind.Peer => ServerLaunch.Peer(Options.PeerDirectory, Path.Combine(Repo.DefaultModel, "manifest.json"), port, Path.Combine(directory, PeerLogName), durable),
            _ => ServerLaunch.Hello(Options.HelloDll, port, directory),
        };
        Directory.CreateDirectory(launch.WorkingDirectory);
        return ServerProcess.StartAsync(launch, port, Path.Combine(directory, "server.log"), cancellationToken);
    }

    public Task<WrkRun> WrkAsync(ServerProcess server, int connections, TimeSpan duration, CancellationToken cancellationToken) =>
        WrkRun.RunAsync(server.BaseAddress, connections, duration, wrkScript, bodiesFile, cancellationToken);

    /// <summary>Reads what a stopped server stored: the agent's LiteDB files, or the peer's JSON-lines file and its line count.</summary>
    public static void MeasureStorage(ServerKind kind, ServerProcess stopped, ServerResults result)
    {
        var directory = stopped.Launch.WorkingDirectory;
        if (kind == ServerKind.Agent)
        {
            var db = Length(Path.Combine(directory, "decisions.db"));
            var log = Length(Path.Combine(directory, "decisions-log.db"));
            var journal = Length(Path.Combine(directory, "decisions.journal")) + Length(Path.Combine(directory, "decisions.journal-b"));
            result.StoredBytes = db + log + journal;
            result.StorageDetail = $"decisions.db {db:N0} B + decisions-log.db {log:N0} B + the journal's two files {journal:N0} B (a fixed size) after a clean stop";
        }
        else
        {
            var file = Path.Combine(directory, PeerLogName);
            result.StoredBytes = Length(file);
            result.Decisions = PeerDecisions(stopped);
            result.StorageDetail = $"{PeerLogName} {result.StoredBytes:N0} B";
        }
    }

    /// <summary>
    /// Deletes what a stopped server stored and flushes the page cache to disk (<c>sync</c>). Without this, the next
    /// server's fsyncs also wait for the previous one's dirty pages (an ext4 journal commit flushes them first), and the
    /// server measured after a 100k-decision run is measured on a disk still busy with it.
    /// </summary>
    public static void Discard(ServerProcess stopped)
    {
        Directory.Delete(stopped.Launch.WorkingDirectory, recursive: true);
        CompareRunner.Run("sync");
    }

    /// <summary>Lines in the peer's decision file: one per decision it answered.</summary>
    public static long PeerDecisions(ServerProcess peer)
    {
        var file = Path.Combine(peer.Launch.WorkingDirectory, PeerLogName);
        return File.Exists(file) ? File.ReadLines(file).LongCount() : 0;
    }

    private const string PeerLogName = "decisions.jsonl";

    private static long Length(string file) => File.Exists(file) ? new FileInfo(file).Length : 0;
}
