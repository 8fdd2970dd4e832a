using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace CreditEdge.TestKit;

/// <summary>
/// A throw-away PostgreSQL cluster: <c>initdb</c> into a temp directory and <c>pg_ctl</c> on a free loopback port
/// (<c>listen_addresses = '127.0.0.1'</c>, unix socket in the temp directory, trust auth on loopback only, fsync on),
/// never a system service. As root (here and on CI: initdb refuses root) every PostgreSQL program runs as
/// <c>nobody</c>, which owns the directory. Stopped by pid on dispose. One per test class (IClassFixture); each test
/// takes a fresh database with <see cref="CreateDatabaseAsync"/>. Binaries: the newest <c>/usr/lib/postgresql/NN/bin</c>
/// (Debian's <c>postgresql</c> package; <c>.ci/run</c> installs it).
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    public const string Superuser = "postgres";

    private const string RunAs = "nobody";

    private readonly TempDirectory _dir = new("pg");
    private readonly string _bin;

    public PostgresCluster()
    {
        _bin = FindBinaries();
        Port = LoopbackPort.Free();
        if (IsRoot)
        {
            Run("chown", [$"{RunAs}:", _dir.Path], asPostgres: false);
        }

        Run(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
        File.WriteAllText(Path.Combine(DataDirectory, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
        Start();
    }

    public int Port { get; }

    public string DataDirectory => _dir.Combine("data");

    /// <summary>The postmaster's pid while running (from <c>postmaster.pid</c>), else null.</summary>
    public int? PostmasterPid
    {
        get
        {
            var file = Path.Combine(DataDirectory, "postmaster.pid");
            try
            {
                return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database};Timeout=5;Command Timeout=30";

    /// <summary>A fresh, empty database (<c>t_…</c>); returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await ExecuteAsync("postgres", $"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Starts the cluster (again) on the same port and data: <c>pg_ctl start -w</c>.</summary>
    public void Start()
    {
        var options = string.Join(' ',
            $"-p {Port}",
            $"-k {_dir.Path}",
            "-c listen_addresses=127.0.0.1",
            "-c fsync=on",
            "-c shared_buffers=32MB",
            "-c max_connections=200",
            "-c log_min_messages=warning");
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-l", _dir.Combine("server.log"), "-w", "-t", "60", "-o", options, "start"]);
    }

    /// <summary>Stops the cluster (<c>pg_ctl stop -m fast</c>; SIGKILL to the postmaster if that fails). Clients see the database gone.</summary>
    public void Stop()
    {
        var pid = PostmasterPid;
        if (pid is null)
        {
            return;
        }

        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "20", "stop"]);
        }
        catch (InvalidOperationException)
        {
            ProcessSignals.KillHard(pid.Value);
        }
    }

    public void Dispose()
    {
        Stop();
        _dir.Dispose();
    }

    /// <summary>The newest <c>/usr/lib/postgresql/NN/bin</c> holding <c>initdb</c> and <c>pg_ctl</c>.</summary>
    public static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Dir, "bin", "initdb")) && File.Exists(Path.Combine(d.Dir, "bin", "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin"))
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException($"no {root}/NN/bin/initdb: install PostgreSQL (apt-get install -y postgresql); .ci/run does");
    }

    private void Run(string program, IReadOnlyList<string> args, bool asPostgres = true)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "runuser" : program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir.Path,
        };
        if (asPostgres && IsRoot)
        {
            foreach (var arg in new[] { "-u", RunAs, "--", program })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        // pg_ctl start leaves the postmaster holding inherited pipes: read them without waiting for their end.
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill();
            throw new InvalidOperationException($"{Path.GetFileName(program)} did not finish within 90 s");
        }

        if (process.ExitCode != 0)
        {
            string text;
            lock (output)
            {
                text = output.ToString().Trim();
            }

            var log = _dir.Combine("server.log");
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : string.Empty;
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} exited with {process.ExitCode}: {text}\n{tail}".Trim());
        }
    }
}
