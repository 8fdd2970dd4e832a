using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CreditEdge.TestKit;

/// <summary>
/// A real Mosquitto on a free loopback port with persistence on, started directly (so the pid is the broker's) and
/// stopped by pid. <see cref="KillAsync"/> and <see cref="StartAsync"/> restart it on the same port and data.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";

    private readonly TempDirectory _dir = new("mosquitto");
    private readonly string? _extraConfig;
    private Process? _process;

    private MosquittoBroker(int port, string? extraConfig)
    {
        Port = port;
        _extraConfig = extraConfig;
    }

    public int Port { get; }

    public string Url => $"mqtt://127.0.0.1:{Port}";

    public string Directory => _dir.Path;

    /// <summary>Starts a broker. <paramref name="extraConfig"/> lines are appended to the generated config (e.g. ACL, password file).</summary>
    public static async Task<MosquittoBroker> StartNewAsync(string? extraConfig = null)
    {
        var broker = CreateStopped(extraConfig);
        await broker.StartAsync();
        return broker;
    }

    /// <summary>A broker with its port and data directory chosen but not running yet (a device's broker before the network comes).</summary>
    public static MosquittoBroker CreateStopped(string? extraConfig = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install it (apt-get install -y mosquitto mosquitto-clients); .ci/run does");
        }

        return new MosquittoBroker(LoopbackPort.Free(), extraConfig);
    }

    public async Task StartAsync()
    {
        var config = Path.Combine(_dir.Path, "mosquitto.conf");
        var lines = new List<string>
        {
            $"listener {Port} 127.0.0.1",
            "persistence true",
            $"persistence_location {_dir.Path}/",
            "autosave_interval 1",
            "max_queued_messages 1000000",
            "max_inflight_messages 0",
            "log_dest none",
            "set_tcp_nodelay true", // as the shipped config: without it Mosquitto's PUBACKs wait on Nagle and pipelined QoS 1 crawls
        };
        if (Environment.UserName == "root")
        {
            lines.Add("user root"); // else mosquitto drops to 'mosquitto' and cannot write its persistence file here
        }

        if (_extraConfig is not null)
        {
            lines.Add(_extraConfig.Replace("{dir}", _dir.Path, StringComparison.Ordinal));
        }

        if (_extraConfig?.Contains("allow_anonymous", StringComparison.Ordinal) != true)
        {
            lines.Add("allow_anonymous true");
        }

        await File.WriteAllLinesAsync(config, lines);
        var start = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        _process = Process.Start(start)!;
        _ = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} at start (config {config})");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException($"mosquitto did not listen on {Port} within 10 s");
    }

    /// <summary>Stops the broker with SIGKILL: no goodbye to clients, persistence as last autosaved.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
    }

    /// <summary>Stops the broker with SIGTERM (it saves its persistence file).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            ProcessSignals.Terminate(p.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _dir.Dispose();
    }

}
