using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using CreditEdge.TestKit;

namespace CreditEdge.Release.Tests;

/// <summary>
/// The agent an install put under a <see cref="ScratchRoot"/>, run as its own process the way the unit runs it (working
/// directory /opt/creditedge, configuration from the installed agent.json) with the data directory in the scratch root
/// and the API on a free loopback port.
/// </summary>
public sealed class InstalledAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private InstalledAgent(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HttpClient Client { get; }

    /// <summary>Everything the agent printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the installed x64 agent directly.</summary>
    public static InstalledAgent Start(ScratchRoot root, params string[] extraArgs)
    {
        var port = LoopbackPort.Free();
        return Start(root, root.Agent, AgentArgs(root, port, extraArgs), [], port);
    }

    /// <summary>
    /// Starts the installed arm64 agent under qemu-aarch64 as a Cortex-A72, as the kernel-path tests do: ONNX Runtime
    /// aborts reading the host's x86 /proc/cpuinfo, so a real board's (tests/kernel-paths/cpuinfo-cortex-a72) is
    /// bind-mounted over it in a private mount namespace; the larger gen0 budget keeps .NET's GC off a path that crashed
    /// under qemu-user.
    /// </summary>
    public static InstalledAgent StartUnderQemu(ScratchRoot root, params string[] extraArgs)
    {
        var unshare = Tools.Require("unshare", "util-linux");
        Tools.Require("qemu-aarch64-static", "qemu-user-static");
        var cpuinfo = Path.Combine(RepoPaths.Root, "tests", "kernel-paths", "cpuinfo-cortex-a72");
        var port = LoopbackPort.Free();
        var args = AgentArgs(root, port, extraArgs);
        var command = $"mount --bind '{cpuinfo}' /proc/cpuinfo && exec qemu-aarch64-static -cpu cortex-a72 -L / '{root.Agent}' {string.Join(' ', args.Select(a => $"'{a}'"))}";
        return Start(root, unshare, ["-m", "--propagation", "private", "sh", "-c", command], new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x4000000" }, port);
    }

    private static InstalledAgent Start(ScratchRoot root, string file, string[] args, Dictionary<string, string> environment, int port)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root.In("/opt/creditedge"),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CREDITEDGE_CONFIGFILE"] = root.ConfigFile;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new InstalledAgent(Process.Start(start)!, port);
    }

    /// <summary>What the unit's environment sets on a board (the data directory), pointed into the scratch root, and the port.</summary>
    private static string[] AgentArgs(ScratchRoot root, int port, string[] extraArgs) =>
        [$"--DataDirectory={root.DataDirectory}", $"--Api:Urls=http://127.0.0.1:{port}", .. extraArgs];

    /// <summary>Polls /readyz until it answers 200; fails with the agent's output if it exits or <paramref name="timeout"/> passes.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the installed agent exited ({_process.ExitCode}) before /readyz answered 200:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"/readyz did not answer 200 within {timeout.TotalSeconds} s (last: {last}):\n{Output}");
    }

    /// <summary>Scores the first golden applicant of the installed default model; returns status and body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ScoreGoldenAsync(ScratchRoot root, string applicationId)
    {
        var record = Golden.First(root.In("/opt/creditedge/models/default"));
        var body = JsonSerializer.Serialize(new Dictionary<string, object?> { ["applicationId"] = applicationId, ["features"] = record.Features });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length > 0 ? text : "{}").RootElement.Clone());
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessSignals.StopAsync(_process, TimeSpan.FromSeconds(20));
        Client.Dispose();
        _process.Dispose();
    }
}
