using System.Diagnostics;
using System.Text.Json;
using CreditEdge.TestKit;

namespace CreditEdge.Release.Tests;

/// <summary>
/// The release on a real systemd: a container (systemd-nspawn, booting this machine's systemd with its /usr read-only and
/// a private network) whose root starts empty but for a few /etc files, the tarball and install.sh. install.sh runs in
/// it as on a board — user, directories, unit, daemon-reload, enable --now — and the hardened unit must come up: READY=1
/// reaches systemd (Type=notify), /readyz answers 200, a golden applicant is decided, and the process runs with no
/// capabilities, no new privileges, a seccomp filter and its own user namespace. Installing again restarts it. In this
/// container, one drop-in at a time, the settings that stop .NET were found (MemoryDenyWriteExecute, ProtectProc,
/// SystemCallFilter without sched_setaffinity). The .deb goes the same way: dpkg installs and starts it, removes and
/// stops it, and a purge keeps the decisions.
/// </summary>
[Collection(SharedReleaseBuild.Name)]
public sealed class SystemdContainerTests(ReleaseBuild build) : IDisposable
{
    private readonly TempDirectory _root = new("nspawn-root");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task InstallSh_OnABootedSystemd_StartsTheHardenedUnitThatScoresAndRestartsOnReinstall()
    {
        var release = await build.GetAsync("linux-x64");
        var nspawn = Tools.Require("systemd-nspawn", "systemd-container");
        Tools.Require("nsenter", "util-linux");
        Tools.Require("curl", "curl");
        WriteRoot(release);

        await using var container = await Container.BootAsync(nspawn, _root.Path);
        try
        {
            var install = await container.RunAsync("/root/install.sh", "/root/creditedge.tar.gz");
            Assert.True(install.ExitCode == 0, $"install.sh in the container exited {install.ExitCode}:\n{install.Output}");
            Assert.Contains("installed and started", install.Output, StringComparison.Ordinal);
            await container.WaitReadyAsync(TimeSpan.FromSeconds(60));
            var firstPid = await container.MainPidAsync();

            var (status, body) = await container.ScoreAsync(Golden.First(Path.Combine(release.Tree, "models", "default")));
            Assert.True(status == "200", $"{status}: {body}");
            var process = await container.RunAsync("cat", $"/proc/{firstPid}/status");
            Assert.Matches(@"(?m)^CapEff:\s+0+$", process.Output);
            Assert.Matches(@"(?m)^CapBnd:\s+0+$", process.Output);
            Assert.Matches(@"(?m)^NoNewPrivs:\s+1$", process.Output);
            Assert.Matches(@"(?m)^Seccomp:\s+2$", process.Output);
            Assert.DoesNotMatch(@"(?m)^Uid:\s+0\s", process.Output);
            var uidMap = await container.RunAsync("cat", $"/proc/{firstPid}/uid_map");
            Assert.DoesNotContain("4294967295", uidMap.Output, StringComparison.Ordinal); // PrivateUsers: root and the agent's user only
            var journal = await container.JournalAsync();
            Assert.Contains("systemd watchdog on", journal, StringComparison.Ordinal); // WatchdogSec reached the agent

            var again = await container.RunAsync("/root/install.sh", "/root/creditedge.tar.gz");
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Contains("kept /etc/creditedge/agent.json", again.Output, StringComparison.Ordinal);
            await container.WaitReadyAsync(TimeSpan.FromSeconds(60));
            Assert.NotEqual(firstPid, await container.MainPidAsync());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{ex.Message}\njournal of creditedge-agent in the container:\n{await container.JournalAsync()}", ex);
        }
    }

    [Fact]
    public async Task Deb_OnABootedSystemd_InstallStartsRemoveStopsPurgeKeepsTheDecisions()
    {
        var release = await build.GetAsync("linux-x64");
        var nspawn = Tools.Require("systemd-nspawn", "systemd-container");
        Tools.Require("nsenter", "util-linux");
        Tools.Require("curl", "curl");
        WriteRoot(release);
        // an empty package database: dpkg knows nothing of the borrowed /usr, so the dependencies are taken as given
        Directory.CreateDirectory(_root.Combine("var", "lib", "dpkg", "info"));
        Directory.CreateDirectory(_root.Combine("var", "lib", "dpkg", "updates"));
        File.WriteAllText(_root.Combine("var", "lib", "dpkg", "status"), string.Empty);
        File.Copy(release.Deb, _root.Combine("root", "creditedge.deb"));

        await using var container = await Container.BootAsync(nspawn, _root.Path);
        try
        {
            var install = await container.RunAsync("dpkg", "--force-depends", "--install", "/root/creditedge.deb");
            Assert.True(install.ExitCode == 0, $"dpkg --install exited {install.ExitCode}:\n{install.Output}");
            Assert.Contains("installed and started", install.Output, StringComparison.Ordinal); // postinst ran install.sh
            await container.WaitReadyAsync(TimeSpan.FromSeconds(60));

            var remove = await container.RunAsync("dpkg", "--remove", "creditedge");
            Assert.True(remove.ExitCode == 0, remove.Output);
            Assert.Equal("inactive", (await container.RunAsync("systemctl", "is-active", "creditedge-agent.service")).Output.Trim());
            Assert.False(File.Exists(_root.Combine("etc", "systemd", "system", "creditedge-agent.service")), "the unit goes with the package");
            Assert.False(File.Exists(_root.Combine("opt", "creditedge", "creditedge-agent")));
            Assert.True(File.Exists(_root.Combine("etc", "creditedge", "agent.json")), "remove keeps the configuration");

            var purge = await container.RunAsync("dpkg", "--purge", "creditedge");
            Assert.True(purge.ExitCode == 0, purge.Output);
            Assert.False(Directory.Exists(_root.Combine("etc", "creditedge")), "purge removes the configuration");
            Assert.True(File.Exists(_root.Combine("var", "lib", "creditedge", "storage.key")), "purge keeps the decisions and their key");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{ex.Message}\njournal of creditedge-agent in the container:\n{await container.JournalAsync()}", ex);
        }
    }

    /// <summary>
    /// A root that systemd boots: the host's merged /usr (bind-mounted read-only), the /bin, /sbin, /lib symlinks into it,
    /// an os-release and machine-id (no first-boot wizard), account files for useradd, and the release's tarball and install.sh.
    /// </summary>
    private void WriteRoot(ReleaseArtefact release)
    {
        foreach (var link in new[] { "bin", "sbin", "lib", "lib64" })
        {
            var host = new DirectoryInfo($"/{link}");
            Assert.True(host.LinkTarget == $"usr/{link}", $"the container borrows this machine's /usr: /{link} must be a symlink to usr/{link} (a merged-/usr Debian)");
            File.CreateSymbolicLink(_root.Combine(link), $"usr/{link}");
        }

        foreach (var directory in new[] { "usr", "etc", "root", "tmp", "var", "proc", "sys", "dev", "run" })
        {
            Directory.CreateDirectory(_root.Combine(directory));
        }

        File.SetUnixFileMode(_root.Combine("tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));
        File.Copy("/usr/lib/os-release", _root.Combine("etc", "os-release"));
        File.WriteAllText(_root.Combine("etc", "machine-id"), Guid.NewGuid().ToString("N") + "\n");
        File.WriteAllText(_root.Combine("etc", "passwd"), "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        File.WriteAllText(_root.Combine("etc", "group"), "root:x:0:\nsystemd-journal:x:101:\nnogroup:x:65534:\n");
        File.WriteAllText(_root.Combine("etc", "shadow"), "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n");
        File.WriteAllText(_root.Combine("etc", "gshadow"), "root:*::\nsystemd-journal:!::\nnogroup:*::\n");
        File.SetUnixFileMode(_root.Combine("etc", "shadow"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(_root.Combine("etc", "gshadow"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (File.Exists("/etc/login.defs"))
        {
            File.Copy("/etc/login.defs", _root.Combine("etc", "login.defs"));
        }

        File.Copy(release.Tarball, _root.Combine("root", "creditedge.tar.gz"));
        File.Copy(Path.Combine(release.Tree, "install.sh"), _root.Combine("root", "install.sh"));
        File.SetUnixFileMode(_root.Combine("root", "install.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
    }

    /// <summary>A booted systemd-nspawn container; commands run in it with nsenter, HTTP goes through curl in its network.</summary>
    private sealed class Container : IAsyncDisposable
    {
        private readonly Process _nspawn;
        private readonly Task<string> _console;
        private readonly int _leader;

        private Container(Process nspawn, Task<string> console, int leader)
        {
            _nspawn = nspawn;
            _console = console;
            _leader = leader;
        }

        public static async Task<Container> BootAsync(string nspawn, string root)
        {
            var start = new ProcessStartInfo(nspawn) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "--directory", root, "--bind-ro=/usr", "--private-network", "--register=no", "--keep-unit", "--link-journal=no", "--quiet", "--boot" })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            var console = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()).ContinueWith(t => string.Concat(t.Result), TaskScheduler.Default);
            // nspawn's first child may still be its short-lived helper in the host's namespaces: only a process that is
            // systemd in another PID namespace is the container (commands must never reach this machine's own root)
            var leader = 0;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (leader == 0 && DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    leader = Directory.GetDirectories($"/proc/{process.Id}/task")
                        .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        .Select(pid => int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture))
                        .FirstOrDefault(IsContainerInit);
                }
                catch (IOException)
                {
                    // a thread or child went away while being read; look again
                }

                await Task.Delay(50);
            }

            if (leader == 0)
            {
                process.Kill();
                throw new InvalidOperationException($"systemd-nspawn did not start a container:\n{await console}");
            }

            var container = new Container(process, console, leader);
            // systemctl cannot reach the container's manager until it has made its private socket early in boot
            var bootDeadline = DateTime.UtcNow.AddSeconds(60);
            var booted = await container.RunAsync("timeout", "90", "systemctl", "is-system-running", "--wait");
            while (booted.Output.Contains("Failed to connect to bus", StringComparison.Ordinal) && DateTime.UtcNow < bootDeadline)
            {
                await Task.Delay(100);
                booted = await container.RunAsync("timeout", "90", "systemctl", "is-system-running", "--wait");
            }

            if (booted.Output.Trim() is not ("running" or "degraded"))
            {
                var failed = await container.RunAsync("systemctl", "--failed", "--no-pager");
                await container.DisposeAsync();
                throw new InvalidOperationException($"systemd in the container did not finish booting ({booted.Output.Trim()}):\n{failed.Output}");
            }

            return container;
        }

        private static bool IsContainerInit(int pid)
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/comm").Trim() == "systemd"
                    && new FileInfo($"/proc/{pid}/ns/pid").LinkTarget != new FileInfo("/proc/self/ns/pid").LinkTarget;
            }
            catch (IOException)
            {
                return false; // gone already
            }
        }

        /// <summary>Runs a command inside the container (all its namespaces).</summary>
        public Task<(int ExitCode, string Output)> RunAsync(string command, params string[] args) =>
            Tools.RunAsync("nsenter", "util-linux", ["--target", _leader.ToString(System.Globalization.CultureInfo.InvariantCulture), "--all", command, .. args]);

        /// <summary>curl on the host, in the container's network namespace.</summary>
        private Task<(int ExitCode, string Output)> CurlAsync(params string[] args) =>
            Tools.RunAsync("nsenter", "util-linux", ["--target", _leader.ToString(System.Globalization.CultureInfo.InvariantCulture), "--net", Tools.Require("curl", "curl"), "-s", .. args]);

        public async Task WaitReadyAsync(TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            var last = string.Empty;
            while (DateTime.UtcNow < deadline)
            {
                last = (await CurlAsync("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:5080/readyz")).Output;
                if (last == "200")
                {
                    return;
                }

                await Task.Delay(200);
            }

            var state = await RunAsync("systemctl", "status", "--no-pager", "creditedge-agent.service");
            throw new TimeoutException($"/readyz in the container did not answer 200 within {timeout.TotalSeconds} s (last: {last}):\n{state.Output}");
        }

        public async Task<string> MainPidAsync() =>
            (await RunAsync("systemctl", "show", "--property=MainPID", "--value", "creditedge-agent.service")).Output.Trim();

        public async Task<(string Status, string Body)> ScoreAsync(CreditEdge.Core.Packages.GoldenRecord record)
        {
            var body = JsonSerializer.Serialize(new Dictionary<string, object?> { ["applicationId"] = "in-container", ["features"] = record.Features });
            var (_, output) = await CurlAsync("-w", "\n%{http_code}", "-H", "Content-Type: application/json", "--data-binary", body, "http://127.0.0.1:5080/v1/score");
            var split = output.LastIndexOf('\n');
            return split < 0 ? (output, string.Empty) : (output[(split + 1)..], output[..split]);
        }

        public async Task<string> JournalAsync() =>
            (await RunAsync("journalctl", "--unit=creditedge-agent.service", "--no-pager", "--lines=60", "--output=cat")).Output;

        public async ValueTask DisposeAsync()
        {
            await ProcessSignals.StopAsync(_nspawn, TimeSpan.FromSeconds(30)); // SIGTERM: nspawn powers the container off
            await _console.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            _nspawn.Dispose();
        }
    }
}
