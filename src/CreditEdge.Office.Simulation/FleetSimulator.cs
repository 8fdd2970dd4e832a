using System.Collections.Concurrent;
using CreditEdge.Core.Packages;

namespace CreditEdge.Office.Simulation;

/// <summary>
/// Runs <see cref="SimulationOptions.Devices"/> simulated kiosks in one process: connects them in waves, sends decisions at
/// kiosk rates or at a fleet-wide <see cref="SimulationOptions.Rate"/>, telemetry (with drift) every interval and the odd
/// model update, then stops them (clean <c>offline</c>, or vanishing so the broker publishes each Will).
/// </summary>
public sealed class FleetSimulator
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);

    private readonly SimulationOptions _options;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly ConcurrentQueue<string> _acknowledged = new();
    private long _failed;
    private long _telemetry;
    private long _updates;

    public FleetSimulator(SimulationOptions options, TimeProvider time, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Devices is < 1 or > 9999)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Devices, "devices must be 1…9999");
        }

        _options = options;
        _time = time;
        _log = log;
    }

    /// <summary>The ids of every decision the broker acknowledged, in acknowledgement order.</summary>
    public IReadOnlyCollection<string> AcknowledgedDecisionIds => _acknowledged;

    public async Task<SimulationReport> RunAsync(CancellationToken cancellationToken)
    {
        var factory = new DecisionFactory(ModelPackage.Load(_options.PackageDirectory));
        var random = new Random(_options.Seed);
        var devices = Enumerable.Range(1, _options.Devices)
            .Select(n => new SimulatedDevice($"{_options.DevicePrefix}{n:D4}", factory, _time, random))
            .ToArray();
        try
        {
            var connectStarted = _time.GetTimestamp();
            foreach (var wave in devices.Chunk(Math.Max(1, _options.ConnectWave)))
            {
                await Task.WhenAll(wave.Select(d => d.ConnectAsync(_options, cancellationToken)));
            }

            var connectTime = _time.GetElapsedTime(connectStarted);
            await _log.WriteLineAsync($"· {devices.Length} devices connected in {connectTime.TotalSeconds:F1} s");

            var (started, ended) = await SendAsync(devices, cancellationToken);
            await _log.WriteLineAsync($"· sent {_acknowledged.Count} decisions in {(ended - started).TotalSeconds:F1} s; stopping the fleet");
            foreach (var wave in devices.Chunk(Math.Max(1, _options.ConnectWave)))
            {
                await Task.WhenAll(wave.Select(d => d.StopAsync(_options.Vanish, cancellationToken)));
            }

            return new SimulationReport
            {
                Devices = devices.Length,
                Connected = devices.Length,
                ConnectTime = connectTime,
                DecisionsAcknowledged = _acknowledged.Count,
                DecisionsFailed = Interlocked.Read(ref _failed),
                TelemetryMessages = Interlocked.Read(ref _telemetry),
                ModelUpdates = Interlocked.Read(ref _updates),
                SendStarted = started,
                SendEnded = ended,
                ProcessorTime = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime,
            };
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }

    private async Task<(DateTimeOffset Started, DateTimeOffset Ended)> SendAsync(SimulatedDevice[] devices, CancellationToken cancellationToken)
    {
        using var inFlight = new SemaphoreSlim(_options.MaxInFlight);
        var pending = new ConcurrentDictionary<Task, byte>();
        var started = _time.GetUtcNow();
        var startTimestamp = _time.GetTimestamp();
        var random = new Random(_options.Seed + 1);

        // when each device next decides (kiosk rates) and next reports telemetry (staggered over the interval)
        var decideAt = new PriorityQueue<SimulatedDevice, double>();
        var telemetryAt = new PriorityQueue<SimulatedDevice, double>();
        var interval = _options.TelemetryInterval.TotalSeconds;
        for (var i = 0; i < devices.Length; i++)
        {
            telemetryAt.Enqueue(devices[i], interval * (i + 1) / devices.Length);
            if (_options.Rate is null)
            {
                decideAt.Enqueue(devices[i], KioskGap(random));
            }
        }

        long made = 0;
        var duration = _options.Duration.TotalSeconds;
        var version = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var elapsed = _time.GetElapsedTime(startTimestamp).TotalSeconds;
            if (elapsed >= duration)
            {
                break;
            }

            if (_options.Rate is { } rate)
            {
                var due = (long)(elapsed * rate);
                while (made < due)
                {
                    await inFlight.WaitAsync(cancellationToken); // the broker's pace (and behind it the ingest's) shows here
                    Track(pending, DecideAsync(devices[made % devices.Length], inFlight, cancellationToken));
                    made++;
                }
            }
            else
            {
                while (decideAt.TryPeek(out var device, out var at) && at <= elapsed)
                {
                    decideAt.Dequeue();
                    await inFlight.WaitAsync(cancellationToken);
                    Track(pending, DecideAsync(device, inFlight, cancellationToken));
                    decideAt.Enqueue(device, at + KioskGap(random));
                }
            }

            while (telemetryAt.TryPeek(out var device, out var at) && at <= elapsed)
            {
                telemetryAt.Dequeue();
                telemetryAt.Enqueue(device, at + interval);
                Track(pending, Counted(device, "telemetry", device.PublishTelemetryAsync(cancellationToken), () => Interlocked.Increment(ref _telemetry)));
                if (random.NextDouble() < _options.ModelUpdateChance)
                {
                    var next = Interlocked.Increment(ref version);
                    Track(pending, Counted(device, "model update", device.PublishModelUpdateAsync($"1.2.{next}", 100 + next, cancellationToken), () => Interlocked.Increment(ref _updates)));
                }
            }

            await Task.Delay(Tick, _time, cancellationToken);
        }

        var ended = _time.GetUtcNow();
        await Task.WhenAll(pending.Keys).WaitAsync(TimeSpan.FromMinutes(2), _time, cancellationToken);
        return (started, ended);
    }

    private double KioskGap(Random random) =>
        _options.KioskMinInterval.TotalSeconds + (random.NextDouble() * (_options.KioskMaxInterval - _options.KioskMinInterval).TotalSeconds);

    private async Task DecideAsync(SimulatedDevice device, SemaphoreSlim inFlight, CancellationToken cancellationToken)
    {
        try
        {
            _acknowledged.Enqueue(await device.DecideAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (Interlocked.Increment(ref _failed) <= 5)
            {
                await _log.WriteLineAsync($"· {device.DeviceId}: decision not acknowledged: {ex.Message}");
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async Task Counted(SimulatedDevice device, string what, Task publish, Action done)
    {
        try
        {
            await publish;
            done();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await _log.WriteLineAsync($"· {device.DeviceId}: {what} not acknowledged: {ex.Message}");
        }
    }

    private static void Track(ConcurrentDictionary<Task, byte> pending, Task task)
    {
        pending[task] = 0;
        _ = task.ContinueWith(t => pending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
