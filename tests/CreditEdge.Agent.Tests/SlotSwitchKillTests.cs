using System.Collections.Concurrent;
using System.Diagnostics;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Options;
using CreditEdge.Inference;
using CreditEdge.TestKit;
using Xunit.Abstractions;

namespace CreditEdge.Agent.Tests;

/// <summary>
/// A power cut at any instant of a switch: a process switching between two packages as fast as it can
/// (tests/CreditEdge.SlotSwitcher) is SIGKILLed at random instants; after each kill the agent's start path must find a
/// loadable model, and the pointer must name a complete package (and its previous slot too, when it names one).
/// </summary>
public sealed class SlotSwitchKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 20;
    private readonly TempDirectory _temp = new("slot-switch-kill");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Switcher_KilledAtRandomInstants20Times_StartAlwaysFindsALoadableModel()
    {
        var dataDirectory = _temp.Combine("data");
        var v1 = SlotPackages.CopyDefault(_temp.Combine("v1"), "1.1.0");
        var v2 = SlotPackages.CopyDefault(_temp.Combine("v2"), "2.0.0");
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var activeVersions = new Dictionary<string, int>(StringComparer.Ordinal);
        long switchesBeforeKills = 0;
        var killsMidFirstSwitch = 0;
        var pointerAbsent = 0;
        output.WriteLine($"seed {seed}");

        for (var kill = 1; kill <= Kills; kill++)
        {
            // every fifth kill comes as soon as the switcher says it started, so some always land inside the first switch
            // (a fast machine finishes one in well under 100 ms); the others anywhere in the first 400 ms
            var delay = TimeSpan.FromMilliseconds(kill % 5 == 1 ? 0 : random.Next(0, 400));
            var switches = await RunAndKillAsync(dataDirectory, v1, v2, delay);
            switchesBeforeKills += switches;
            killsMidFirstSwitch += switches == 0 ? 1 : 0;

            var slotLogger = new ListLogger<ModelSlots>();
            var slots = new ModelSlots(dataDirectory, slotLogger);
            var pointer = slots.ReadActive();
            Assert.Empty(slotLogger.Entries); // a pointer is never damaged: absent, or a whole record
            if (pointer is null)
            {
                Assert.Equal(0, switchesBeforeKills); // absent only before the first activation ever finished
                pointerAbsent++;
            }
            else
            {
                AssertSlotHolds(slots, pointer.Slot, pointer.Version);
                if (pointer.PreviousSlot is { } previous)
                {
                    AssertSlotHolds(slots, previous, pointer.Version == "1.1.0" ? "2.0.0" : "1.1.0");
                }
            }

            var hostLogger = new ListLogger<ModelHost>();
            using var host = new ModelHost(
                Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = dataDirectory, ModelDirectory = RepoPaths.DefaultModel }),
                Microsoft.Extensions.Options.Options.Create(new ModelsOptions()),
                slots,
                hostLogger,
                TimeProvider.System);
            host.LoadConfigured();

            Assert.NotNull(host.Current);
            Assert.Empty(hostLogger.MessagesOf(1034)); // the active slot never had to be refused
            Assert.Equal(pointer?.Slot, host.ActiveSource?.Slot);
            var version = host.Current.Ref.Version;
            activeVersions[version] = activeVersions.GetValueOrDefault(version) + 1;
            output.WriteLine($"kill {kill}: after {delay.TotalMilliseconds:0} ms, {switches} switches finished; restarted on {host.ActiveSource} version {version}");
        }

        output.WriteLine($"{Kills} kills, {switchesBeforeKills} switches finished in all, pointer absent {pointerAbsent}; ran " +
            string.Join(", ", activeVersions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key} × {v.Value}")));
        // the kills landed at different phases: some before the run's first switch finished, some after one or more did
        // (a count of switches alone depends on how loaded the machine is)
        Assert.True(killsMidFirstSwitch > 0 && killsMidFirstSwitch < Kills, $"{killsMidFirstSwitch} of {Kills} kills came before the run's first switch finished: the kills did not land at different phases");
        Assert.True(activeVersions.Keys.Count(v => v is "1.1.0" or "2.0.0") == 2, "both packages were active after some kill");
    }

    private static void AssertSlotHolds(ModelSlots slots, string slot, string version)
    {
        var directory = slots.DirectoryOf(slot);
        Assert.NotNull(directory);
        using var model = LoadedModel.Load(directory, "fp32");
        Assert.Equal(version, model.Ref.Version);
    }

    /// <summary>Starts the switcher, waits for it to begin, lets it run <paramref name="delay"/>, SIGKILLs it; returns the switches it reported.</summary>
    private static async Task<long> RunAndKillAsync(string dataDirectory, string v1, string v2, TimeSpan delay)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "creditedge-slot-switcher.dll"));
        start.ArgumentList.Add(dataDirectory);
        start.ArgumentList.Add(v1);
        start.ArgumentList.Add(v2);
        using var process = Process.Start(start)!;
        var lines = new ConcurrentQueue<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lines.Enqueue(e.Data);
            if (e.Data == "started")
            {
                started.TrySetResult();
            }
        };
        var stderr = process.StandardError.ReadToEndAsync();
        process.BeginOutputReadLine();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(started.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))) != started.Task)
        {
            process.Kill();
            throw new InvalidOperationException($"the switcher did not start within 60 s: {await stderr}");
        }

        await Task.Delay(delay);
        if (process.HasExited)
        {
            throw new InvalidOperationException($"the switcher stopped by itself: {await stderr}");
        }

        ProcessSignals.KillHard(process.Id);
        await process.WaitForExitAsync();
        return lines.Count(l => l.StartsWith("switched ", StringComparison.Ordinal));
    }
}
