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
    private readonly IReadOnlyList<string>? _listenerConfig;
    private Process? _process;

    private MosquittoBroker(int port, string? extraConfig, IReadOnlyList<string>? listenerConfig = null)
    {
        Port = port;
        _extraConfig = extraConfig;
        _listenerConfig = listenerConfig;
    }

    public int Port { get; }

    /// <summary>True for a broker started with the shipped TLS listener (<see cref="StartShippedTlsAsync"/>).</summary>
    public bool Tls => _listenerConfig is not null;

    public string Url => $"{(Tls ? "mqtts" : "mqtt")}://127.0.0.1:{Port}";

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
        EnsureInstalled();
        return new MosquittoBroker(LoopbackPort.Free(), extraConfig);
    }

    /// <summary>
    /// Starts a broker enforcing the shipped <c>provisioning/mosquitto/creditedge.acl</c> with password users (no
    /// anonymous clients): each of <paramref name="users"/> with <paramref name="password"/>, made with <c>mosquitto_passwd</c>.
    /// </summary>
    public static async Task<MosquittoBroker> StartShippedAclAsync(string password, params string[] users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var broker = CreateStopped(
            $"allow_anonymous false\npassword_file {{dir}}/passwd\nacl_file {Path.Combine(RepoPaths.Root, "provisioning", "mosquitto", "creditedge.acl")}");
        var passwd = Path.Combine(broker.Directory, "passwd");
        foreach (var user in users)
        {
            var start = new ProcessStartInfo("mosquitto_passwd") { UseShellExecute = false };
            foreach (var arg in File.Exists(passwd) ? ["-b", passwd, user, password] : new[] { "-b", "-c", passwd, user, password })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"mosquitto_passwd exited with {process.ExitCode} for user {user}");
            }
        }

        await broker.StartAsync();
        return broker;
    }

    private static void EnsureInstalled()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install it (apt-get install -y mosquitto mosquitto-clients); .ci/run does");
        }
    }

    /// <summary>
    /// Starts a broker with the device listener of the shipped <c>provisioning/mosquitto/creditedge.conf</c> (its
    /// <c>require_certificate</c>, <c>use_identity_as_username</c>, TLS version and every other line of that block, plus
    /// its global <c>per_listener_settings</c>, <c>allow_anonymous</c> and <c>acl_file</c> lines) as the only listener:
    /// the port is a free loopback one, <c>cafile</c>/<c>certfile</c>/<c>keyfile</c> are <paramref name="pki"/>'s
    /// files and <c>acl_file</c> is the shipped <c>creditedge.acl</c>.
    /// </summary>
    public static async Task<MosquittoBroker> StartShippedTlsAsync(TestCertificateAuthority pki)
    {
        EnsureInstalled();
        var port = LoopbackPort.Free();
        var broker = new MosquittoBroker(port, extraConfig: null, [.. ShippedGlobals(), .. ShippedTlsListener(port, pki)]);
        await broker.StartAsync();
        return broker;
    }

    private static string ShippedConfigPath => Path.Combine(RepoPaths.Root, "provisioning", "mosquitto", "creditedge.conf");

    /// <summary>The shipped device listener block: from its <c>listener</c> line to the next blank line, with the test's port and files.</summary>
    private static List<string> ShippedTlsListener(int port, TestCertificateAuthority pki)
    {
        var lines = File.ReadAllLines(ShippedConfigPath).Select(l => l.Trim()).ToList();
        var start = Enumerable.Range(0, lines.Count).FirstOrDefault(
            i => lines[i].StartsWith("listener ", StringComparison.Ordinal) && lines.Skip(i).TakeWhile(l => l.Length > 0).Contains("require_certificate true"),
            -1);
        if (start < 0)
        {
            throw new InvalidOperationException($"{ShippedConfigPath} has no listener block with 'require_certificate true'");
        }

        var block = new List<string>();
        foreach (var line in lines.Skip(start).TakeWhile(l => l.Length > 0).Where(l => !l.StartsWith('#')))
        {
            var key = line.Split(' ', 2)[0];
            block.Add(key switch
            {
                "listener" => $"listener {port} 127.0.0.1",
                "cafile" => $"cafile {pki.CaFile}",
                "certfile" => $"certfile {pki.Server.CertificateFile}",
                "keyfile" => $"keyfile {pki.Server.KeyFile}",
                _ => line,
            });
        }

        return block;
    }

    /// <summary>The shipped global lines that decide who may connect and what they may do.</summary>
    private static List<string> ShippedGlobals()
    {
        var acl = Path.Combine(RepoPaths.Root, "provisioning", "mosquitto", "creditedge.acl");
        var globals = File.ReadAllLines(ShippedConfigPath)
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("per_listener_settings ", StringComparison.Ordinal) || l.StartsWith("allow_anonymous ", StringComparison.Ordinal) || l.StartsWith("acl_file ", StringComparison.Ordinal))
            .Select(l => l.StartsWith("acl_file ", StringComparison.Ordinal) ? $"acl_file {acl}" : l)
            .ToList();
        if (!globals.Any(l => l.StartsWith("acl_file ", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{ShippedConfigPath} has no acl_file line");
        }

        return globals;
    }

    public async Task StartAsync()
    {
        var config = Path.Combine(_dir.Path, "mosquitto.conf");
        var lines = new List<string>(_listenerConfig ?? [$"listener {Port} 127.0.0.1"])
        {
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

        if (_extraConfig?.Contains("allow_anonymous", StringComparison.Ordinal) != true && _listenerConfig?.Any(l => l.StartsWith("allow_anonymous", StringComparison.Ordinal)) != true)
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

    /// <summary>
    /// Freezes the broker (SIGSTOP) with every connection left open: clients see no error, just no answer — a broker host
    /// stalled on swap or I/O, or a path that went half-open. <see cref="Thaw"/> lets it run again.
    /// </summary>
    public void Freeze()
    {
        if (_process is { HasExited: false } p)
        {
            ProcessSignals.Freeze(p.Id);
        }
    }

    public void Thaw()
    {
        if (_process is { HasExited: false } p)
        {
            ProcessSignals.Thaw(p.Id);
        }
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
            ProcessSignals.Thaw(p.Id); // a frozen broker would never act on the SIGTERM
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
