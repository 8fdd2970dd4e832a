using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CreditEdge.TestKit;

namespace CreditEdge.CrashLoop;

/// <summary>
/// A real Mosquitto, <c>cedge fleet ingest</c> and the agent as separate processes; concurrent clients score golden
/// applicants while the agent is killed with SIGKILL at seeded random instants and restarted on the same data
/// directory. At the end every acknowledged decision must be stored, in ingest's file exactly once, and the audit
/// chain must verify.
/// </summary>
public sealed class CrashLoopRunner(CrashLoopOptions options, Action<string> log)
{
    private const string DeviceId = "crash-loop-kiosk";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, string> _acknowledged = new(StringComparer.Ordinal); // decisionId → Idempotency-Key
    private readonly ConcurrentQueue<string> _problems = new();

    public async Task<CrashLoopResult> RunAsync()
    {
        var wall = Stopwatch.StartNew();
        using var temporary = options.KeepDirectory is null ? new TempDirectory("crash-loop") : null;
        var work = options.KeepDirectory ?? temporary!.Path;
        Directory.CreateDirectory(work);
        var dataDirectory = Path.Combine(work, "data");
        Directory.CreateDirectory(dataDirectory);
        var file = Path.Combine(work, "decisions.jsonl");
        var bodies = GoldenFeatures();
        var random = new Random(options.Seed);
        var killLog = new List<string>();
        var survived = 0;
        log($"crash loop: seed {options.Seed}, {options.Kills} kills, {options.Clients} clients, kill {options.MinKillDelay.TotalMilliseconds:F0}–{options.MaxKillDelay.TotalMilliseconds:F0} ms after /readyz");

        await using var broker = await MosquittoBroker.StartNewAsync(options.KeepDirectory is null ? null
            : $"log_dest file {options.KeepDirectory}/mosquitto.log\nlog_type all\nlog_timestamp_format %H:%M:%S"); // every packet, to line up with ingest's file
        await using var ingest = DotnetProcess.Start("cedge.dll", ["fleet", "ingest", "--broker", broker.Url, "--out", file, "--client-id", "crash-loop-office"]);
        await HoldsAsync(() => ingest.HasErrorLine("Link up") || ingest.HasExited, "ingest to connect");
        if (ingest.HasExited)
        {
            throw new InvalidOperationException($"cedge fleet ingest exited ({ingest.ExitCode}) at start: {ingest.ErrorText}");
        }

        var port = LoopbackPort.Free();
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(15),
        };
        string[] agentArgs = [$"--DataDirectory={dataDirectory}", $"--Api:Urls=http://127.0.0.1:{port}", $"--DeviceId={DeviceId}", $"--Mqtt:Broker={broker.Url}"];

        var agent = DotnetProcess.Start("creditedge-agent.dll", agentArgs);
        try
        {
            if (!await ReadyAsync(http, agent))
            {
                throw new InvalidOperationException($"the agent did not become ready on a fresh data directory: {Tail(agent.ErrorText)}");
            }

            using var stopScoring = new CancellationTokenSource();
            var clients = Enumerable.Range(0, options.Clients).Select(i => ScoreAsync(http, i, bodies, stopScoring.Token)).ToArray();

            for (var kill = 1; kill <= options.Kills; kill++)
            {
                var delay = TimeSpan.FromMilliseconds(random.Next((int)options.MinKillDelay.TotalMilliseconds, (int)options.MaxKillDelay.TotalMilliseconds + 1));
                await Task.Delay(delay);
                await agent.KillHardAsync();
                Keep($"agent-{kill}.log", agent.OutputText + Environment.NewLine + agent.ErrorText);
                var line = string.Create(CultureInfo.InvariantCulture, $"kill {kill}: {delay.TotalMilliseconds:F0} ms after /readyz, {_acknowledged.Count} acknowledged so far");
                killLog.Add(line);
                log(line);
                await agent.DisposeAsync();

                var restart = Stopwatch.StartNew();
                agent = DotnetProcess.Start("creditedge-agent.dll", agentArgs);
                if (!await ReadyAsync(http, agent))
                {
                    _problems.Enqueue($"the agent did not become ready after kill {kill} (seed {options.Seed}, {delay.TotalMilliseconds:F0} ms after /readyz): {Tail(agent.ErrorText)}");
                    break;
                }

                survived++;
                log(string.Create(CultureInfo.InvariantCulture, $"  restarted, ready in {restart.Elapsed.TotalSeconds:F1} s"));
            }

            await Task.Delay(options.MinKillDelay); // the last agent scores too before scoring stops
            await stopScoring.CancelAsync();
            await Task.WhenAll(clients);
            log($"scoring stopped: {_acknowledged.Count} acknowledged");

            Keep("acknowledged.tsv", string.Concat(_acknowledged.Select(a => $"{a.Key}\t{a.Value}\n")));
            var stored = 0;
            if (_problems.IsEmpty)
            {
                await HoldsAsync(async () => await OutboxDepthAsync(http) == 0, "the agent's outbox to drain");
                stored = await CountStoredAsync(http);
                await HoldsAsync(() => IdsIn(file).ToHashSet(StringComparer.Ordinal).IsSupersetOf(_acknowledged.Keys), "ingest to write every acknowledged decision");
            }

            await agent.StopAsync(TimeSpan.FromSeconds(30));
            Keep("agent-last.log", agent.OutputText + Environment.NewLine + agent.ErrorText);
            if (agent.ExitCode != 0)
            {
                _problems.Enqueue($"the agent exited {agent.ExitCode} on SIGTERM: {Tail(agent.ErrorText)}");
            }

            await ingest.StopAsync(TimeSpan.FromSeconds(30));
            Keep("ingest.log", ingest.ErrorText + Environment.NewLine + ingest.OutputText);
            var ids = IdsIn(file);
            var inFile = ids.ToHashSet(StringComparer.Ordinal);
            var duplicates = ids.Count - inFile.Count;
            var ingested = _acknowledged.Keys.Count(inFile.Contains);
            var missing = _acknowledged.Keys.Where(id => !inFile.Contains(id)).Take(10).ToArray();
            if (missing.Length > 0)
            {
                _problems.Enqueue($"{_acknowledged.Count - ingested} acknowledged decisions not in ingest's file, e.g. {string.Join(", ", missing)}");
            }

            if (duplicates > 0)
            {
                _problems.Enqueue($"{duplicates} duplicate lines in ingest's file, e.g. {string.Join(", ", ids.GroupBy(i => i).Where(g => g.Count() > 1).Take(10).Select(g => g.Key))}");
            }

            await using var audit = DotnetProcess.Start("cedge.dll", ["audit", "verify", "--data-dir", dataDirectory]);
            var auditExit = await audit.WaitForExitAsync(options.Patience);
            var auditOutput = (audit.OutputText + " " + audit.ErrorText).Trim();
            if (auditExit != 0)
            {
                _problems.Enqueue($"cedge audit verify exited {auditExit}: {auditOutput}");
            }

            return new CrashLoopResult
            {
                Seed = options.Seed,
                KillsPlanned = options.Kills,
                KillsSurvived = survived,
                Acknowledged = _acknowledged.Count,
                Stored = stored,
                Ingested = ingested,
                FileLines = ids.Count,
                Duplicates = duplicates,
                AuditExitCode = auditExit,
                AuditOutput = auditOutput,
                WallTime = wall.Elapsed,
                KillLog = killLog,
                Problems = [.. _problems],
            };
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    /// <summary>One client: a fresh Idempotency-Key per applicant, the same key retried until the agent answers 200.</summary>
    private async Task ScoreAsync(HttpClient http, int client, string[] features, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = $"c{client}-{n}";
            var body = $"{{\"applicationId\":\"{key}\",\"features\":{features[(client * 7919 + n) % features.Length]}}}";
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/score") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    request.Headers.Add("Idempotency-Key", key);
                    using var response = await http.SendAsync(request, CancellationToken.None); // an answer in flight is never thrown away
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
                        _acknowledged[json.RootElement.GetProperty("decisionId").GetString()!] = key;
                        break;
                    }

                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        _problems.Enqueue($"POST /v1/score answered {(int)response.StatusCode} for key {key}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // the agent is down (killed or not yet listening): the same key again
                }
                catch (TaskCanceledException)
                {
                    // HttpClient's timeout while the agent was killed mid-request
                }

                try
                {
                    await Task.Delay(PollInterval, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> ReadyAsync(HttpClient http, DotnetProcess agent)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < options.Patience && !agent.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(PollInterval);
        }

        return false;
    }

    private static async Task<long> OutboxDepthAsync(HttpClient http)
    {
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = text.Split('\n').Single(l => l.StartsWith("creditedge_outbox_depth ", StringComparison.Ordinal));
        return long.Parse(line["creditedge_outbox_depth ".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>GET /v1/decisions/{id} for every acknowledged decision; each one not found is a problem.</summary>
    private async Task<int> CountStoredAsync(HttpClient http)
    {
        var stored = 0;
        var missing = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(_acknowledged.Keys, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, token) =>
        {
            using var response = await http.GetAsync(new Uri($"/v1/decisions/{id}", UriKind.Relative), token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref stored);
            }
            else
            {
                missing.Enqueue($"{id} ({(int)response.StatusCode}, key {_acknowledged[id]})");
            }
        });
        if (!missing.IsEmpty)
        {
            _problems.Enqueue($"{missing.Count} acknowledged decisions not stored, e.g. {string.Join(", ", missing.Take(10))}");
        }

        return stored;
    }

    private Task HoldsAsync(Func<bool> condition, string what) => HoldsAsync(() => Task.FromResult(condition()), what);

    private async Task HoldsAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > options.Patience)
            {
                _problems.Enqueue($"waited {options.Patience.TotalSeconds} s for {what} (seed {options.Seed})");
                return;
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>The decision ids of the complete lines in ingest's file, read beside the running writer, in file order.</summary>
    private static List<string> IdsIn(string file)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l =>
            {
                using var json = JsonDocument.Parse(l);
                return json.RootElement.GetProperty("decisionId").GetString()!;
            })
            .ToList();
    }

    /// <summary>The feature objects of the default package's golden applicants, as JSON text.</summary>
    private static string[] GoldenFeatures() => File.ReadLines(Path.Combine(RepoPaths.DefaultModel, "golden.jsonl"))
        .Where(l => l.Length > 0)
        .Select(l =>
        {
            using var json = JsonDocument.Parse(l);
            return json.RootElement.GetProperty("features").GetRawText();
        })
        .ToArray();

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the kept directory, when there is one.</summary>
    private void Keep(string name, string text)
    {
        if (options.KeepDirectory is { } directory)
        {
            File.WriteAllText(Path.Combine(directory, name), text);
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
