using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace CreditEdge.Benchmarks.Http;

/// <summary>
/// Open- and closed-loop load on <c>POST /v1/score</c>, cycling through the golden request bodies.
/// The open loop sends request i at <c>start + i / rate</c> whether or not earlier ones have returned, and measures from
/// that scheduled time, so a stalled server shows up in the latencies instead of slowing the generator down
/// (no coordinated omission).
/// </summary>
public sealed class LoadGenerator
{
    private const string ScorePath = "/v1/score";
    private static readonly TimeSpan TimerSlice = TimeSpan.FromMilliseconds(1);

    private readonly HttpClient _client;
    private readonly IReadOnlyList<byte[]> _bodies;

    public LoadGenerator(HttpClient client, IReadOnlyList<byte[]> bodies)
    {
        _client = client;
        _bodies = bodies;
    }

    /// <summary>Upper bound on one request; a request slower than this counts as failed.</summary>
    public static TimeSpan RequestTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A client for a server at <paramref name="baseAddress"/> (in this process or another one): HTTP/1.1, no proxy,
    /// up to 512 pooled connections kept for the whole run, <see cref="RequestTimeout"/> per request.
    /// </summary>
    public static HttpClient CreateClient(Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = baseAddress,
            Timeout = RequestTimeout,
            DefaultRequestVersion = System.Net.HttpVersion.Version11,
        };
    }

    public async Task<LoadResult> OpenLoopAsync(int rate, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        await RunScheduleAsync(rate, warmup, cancellationToken);
        var (samples, elapsed) = await RunScheduleAsync(rate, duration, cancellationToken);
        return Summarize($"open loop, {rate} req/s", samples, elapsed) with { TargetRate = rate, Duration = duration };
    }

    public async Task<LoadResult> ClosedLoopAsync(int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, connections).Select(async worker =>
        {
            var samples = new List<Sample>();
            for (var i = worker; Stopwatch.GetElapsedTime(start) < duration; i += connections)
            {
                samples.Add(await SendAsync(_bodies[i % _bodies.Count], Stopwatch.GetTimestamp(), cancellationToken));
            }

            return samples;
        });
        var all = (await Task.WhenAll(workers)).SelectMany(s => s).ToArray();
        return Summarize($"closed loop, {connections} connections", all, Stopwatch.GetElapsedTime(start)) with
        {
            Connections = connections,
            Duration = duration,
        };
    }

    private async Task<(Sample[] Samples, TimeSpan Elapsed)> RunScheduleAsync(int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / (double)rate;
        var sends = new Task<Sample>[count];
        var start = Stopwatch.GetTimestamp();

        // the schedule runs on its own thread, so a busy thread pool cannot delay the sends
        await Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var scheduled = start + (long)(i * interval);
                    while (Stopwatch.GetTimestamp() < scheduled)
                    {
                        // sleeps end late rather than early; the lateness counts against latency (see MeanSendLag)
                        Thread.Sleep(TimerSlice);
                    }

                    sends[i] = SendAsync(_bodies[i % _bodies.Count], scheduled, cancellationToken);
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var samples = await Task.WhenAll(sends);
        return (samples, Stopwatch.GetElapsedTime(start));
    }

    private async Task<Sample> SendAsync(byte[] body, long scheduled, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        HttpStatusCode? status;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _client.PostAsync(new Uri(ScorePath, UriKind.Relative), content, cancellationToken);
            status = response.StatusCode;
        }
        catch (HttpRequestException)
        {
            status = null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            status = null; // HttpClient.Timeout
        }

        return new Sample(scheduled, sent, Stopwatch.GetTimestamp(), status == HttpStatusCode.OK);
    }

    private static LoadResult Summarize(string label, Sample[] samples, TimeSpan elapsed)
    {
        var latencies = samples.Select(s => s.Done - s.Scheduled).Order().ToArray();
        var service = samples.Select(s => s.Done - s.Sent).Order().ToArray();
        return new LoadResult
        {
            Label = label,
            Duration = elapsed,
            Requests = samples.Length,
            NonOk = samples.Count(s => !s.Ok),
            AchievedRate = samples.Length / elapsed.TotalSeconds,
            P50 = Percentile(latencies, 0.50),
            P90 = Percentile(latencies, 0.90),
            P99 = Percentile(latencies, 0.99),
            Max = Percentile(latencies, 1.0),
            ServiceP50 = Percentile(service, 0.50),
            MeanSendLag = Stopwatch.GetElapsedTime(0, (long)samples.Average(s => s.Sent - s.Scheduled)),
        };
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch tick counts.</summary>
    private static TimeSpan Percentile(long[] sorted, double fraction)
    {
        if (sorted.Length == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (int)Math.Ceiling(fraction * sorted.Length);
        return Stopwatch.GetElapsedTime(0, sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)]);
    }

    private readonly record struct Sample(long Scheduled, long Sent, long Done, bool Ok);
}
