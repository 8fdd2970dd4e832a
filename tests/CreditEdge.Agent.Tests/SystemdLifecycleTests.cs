using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>
/// The agent as systemd's child (Microsoft.Extensions.Hosting.Systemd turns on only when the parent process is named
/// <c>systemd</c>): on a real notify socket it says READY=1 once the model is loaded, then WATCHDOG=1 while healthy, then
/// STOPPING=1 on SIGTERM — in that order — and writes its log in journal format.
/// </summary>
public sealed class SystemdLifecycleTests : IDisposable
{
    private readonly TempDirectory _dir = new("systemd-child");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Agent_AsSystemdChild_SaysReadyThenPingsThenStopping()
    {
        var socketPath = _dir.Combine("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var port = LoopbackPort.Free();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "400000" };
        using var parent = StartUnderSystemdNamedParent(environment, $"--DataDirectory={_dir.Combine("data")}", $"--Api:Urls=http://127.0.0.1:{port}", "--DeviceId=systemd-child");
        var messages = new List<string>();
        var stdout = parent.StandardOutput.ReadToEndAsync();

        await ReceiveUntilAsync(socket, messages, m => m.Count(x => x == "WATCHDOG=1") >= 3, TimeSpan.FromSeconds(60));
        using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        {
            Assert.Equal("ready\n", await client.GetStringAsync(new Uri("/readyz", UriKind.Relative))); // READY=1 meant ready
        }

        ProcessSignals.Terminate(AgentPid());
        await ReceiveUntilAsync(socket, messages, m => m.Contains("STOPPING=1"), TimeSpan.FromSeconds(20));
        await parent.WaitForExitAsync();

        var ready = messages.FindIndex(m => m.Split('\n').Contains("READY=1"));
        var firstPing = messages.IndexOf("WATCHDOG=1");
        var stopping = messages.FindIndex(m => m.Split('\n').Contains("STOPPING=1"));
        Assert.True(ready >= 0 && ready < firstPing && firstPing < stopping, "READY=1, then WATCHDOG=1, then STOPPING=1: " + string.Join(" | ", messages));
        Assert.DoesNotContain(messages.Skip(stopping + 1), m => m == "WATCHDOG=1");
        Assert.Equal(0, parent.ExitCode);
        Assert.Matches(@"(?m)^<6>.*Now listening on", await stdout); // journal format: syslog priority prefix per line
    }

    /// <summary>
    /// Starts the agent as the child of a shell copied to a file named <c>systemd</c> (what Hosting.Systemd checks via
    /// <c>/proc/PPID/comm</c>); the shell records the agent's pid and waits for it.
    /// </summary>
    private Process StartUnderSystemdNamedParent(Dictionary<string, string> environment, params string[] args)
    {
        var launcher = _dir.Combine("systemd");
        File.Copy("/bin/sh", launcher);
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var command = new StringBuilder("exec 2>&1; dotnet ").Append(Quote(Path.Combine(AppContext.BaseDirectory, "creditedge-agent.dll")));
        foreach (var arg in args)
        {
            command.Append(' ').Append(Quote(arg));
        }

        command.Append(" & echo $! > ").Append(Quote(_dir.Combine("agent.pid"))).Append("; wait $!");
        var start = new ProcessStartInfo(launcher) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command.ToString());
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    private int AgentPid() => int.Parse(File.ReadAllText(_dir.Combine("agent.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task ReceiveUntilAsync(Socket socket, List<string> messages, Func<List<string>, bool> done, TimeSpan timeout)
    {
        var buffer = new byte[1024];
        using var deadline = new CancellationTokenSource(timeout);
        while (!done(messages))
        {
            try
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                messages.Add(Encoding.ASCII.GetString(buffer, 0, read).Trim());
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no such notification within {timeout.TotalSeconds} s; received: {string.Join(" | ", messages)}");
            }
        }
    }
}
