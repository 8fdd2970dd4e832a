namespace CreditEdge.Benchmarks.Compare;

/// <summary>How to start one of the compared servers as its own process on a loopback port.</summary>
public sealed record ServerLaunch(string Name, string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    /// <summary>Variables set for the process on top of the harness's own environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The runtime's settings the agent's systemd unit starts it with (its <c>Environment=DOTNET_…</c> lines in
    /// provisioning/creditedge-agent.service, such as the GC's gen0 budget): the agent is measured as a board runs it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> UnitRuntimeEnvironment(string unitFile)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(unitFile))
        {
            const string Prefix = "Environment=DOTNET_";
            if (line.StartsWith(Prefix, StringComparison.Ordinal) && line.IndexOf('=', Prefix.Length) is var equals and > 0)
            {
                environment[line["Environment=".Length..equals]] = line[(equals + 1)..];
            }
        }

        return environment;
    }

    /// <summary>
    /// The agent on a fresh data directory: a Release build's <c>creditedge-agent.dll</c> (run by <c>dotnet</c>) or a release
    /// artefact's executable. The fp32 variant is pinned so it runs the same model file as the Node peer (with <c>auto</c>
    /// it may pick int8 on this CPU). <c>Storage:Durable=false</c> acknowledges before the fsync.
    /// </summary>
    public static ServerLaunch Agent(string agent, int port, string dataDirectory, bool durable)
    {
        var dll = agent.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        return new(
            durable ? "agent" : "agent (non-durable)",
            dll ? "dotnet" : agent,
            [
                .. dll ? [agent] : Array.Empty<string>(),
                $"--DataDirectory={dataDirectory}",
                $"--Api:Urls=http://127.0.0.1:{port}",
                "--Models:Variant=fp32",
                $"--Storage:Durable={(durable ? "true" : "false")}",
            ],
            dataDirectory)
        {
            Environment = UnitRuntimeEnvironment(Path.Combine(Repo.Root, "provisioning", "creditedge-agent.service")),
        };
    }

    /// <summary>The Node peer (tests/node-peer/server.js), its decisions appended to <paramref name="logFile"/>.</summary>
    public static ServerLaunch Peer(string peerDirectory, string manifest, int port, string logFile, bool durable) => new(
        durable ? "Node peer" : "Node peer (non-durable)",
        "node",
        [
            Path.Combine(peerDirectory, "server.js"),
            $"--manifest={manifest}",
            $"--port={port}",
            $"--data={logFile}",
            $"--durable={(durable ? "true" : "false")}",
        ],
        Path.GetDirectoryName(logFile)!);

    /// <summary>The ASP.NET Core hello world (benchmarks/hello): the floor for a .NET web process's start.</summary>
    public static ServerLaunch Hello(string helloDll, int port, string workingDirectory) => new(
        "dotnet hello world",
        "dotnet",
        [helloDll, $"--urls=http://127.0.0.1:{port}"],
        workingDirectory);
}
