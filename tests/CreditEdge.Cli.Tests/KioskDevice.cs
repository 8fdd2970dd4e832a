using CreditEdge.Messaging;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Cli.Tests;

/// <summary>
/// A device's sending side as the agent wires it: a real decision store as outbox and the real link and outbox pump, which
/// publish every decision at QoS 1 until the broker acknowledges it — across broker restarts.
/// </summary>
public sealed class KioskDevice : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TempDirectory _data = new("kiosk");
    private readonly LiteDecisionStore _store;
    private readonly FleetLink _link;
    private readonly OutboxPump _pump;
    private readonly List<string> _ids = [];
    private bool _started;

    public KioskDevice(string brokerUrl, string deviceId)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new FleetLinkOptions
        {
            Broker = brokerUrl,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            OutboxPollInterval = TimeSpan.FromMilliseconds(200),
        });
        _store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _data.Path }, NullLogger.Instance);
        _link = new FleetLink(options, new DeviceIdentity(deviceId, "default"), new Status(deviceId), TimeProvider.System, NullLogger<FleetLink>.Instance);
        _pump = new OutboxPump(_link, _store, options, TimeProvider.System, NullLogger<OutboxPump>.Instance);
    }

    /// <summary>Ids of every decision stored so far, in order.</summary>
    public IReadOnlyList<string> DecisionIds => _ids;

    /// <summary>Decisions not yet acknowledged by the broker.</summary>
    public long OutboxDepth => _store.Depth;

    public async Task StartAsync()
    {
        await _link.StartAsync(_stop.Token);
        await _pump.StartAsync(_stop.Token);
        _started = true;
    }

    /// <summary>Stores decisions as concurrent requests would (group commit); the pump sends them when it can.</summary>
    public async Task DecideAsync(int count)
    {
        var decisions = Enumerable.Range(_ids.Count, count).Select(n => SampleDecisions.Create(n)).ToList();
        foreach (var chunk in decisions.Chunk(32))
        {
            await Task.WhenAll(chunk.Select(d => _store.SaveAsync(d, CancellationToken.None)));
        }

        _ids.AddRange(decisions.Select(d => d.DecisionId));
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await _pump.StopAsync(CancellationToken.None);
            await _link.StopAsync(CancellationToken.None);
        }

        await _stop.CancelAsync();
        _pump.Dispose();
        _link.Dispose();
        _store.Dispose();
        _stop.Dispose();
        _data.Dispose();
    }

    private sealed class Status(string deviceId) : IDeviceStatusSource
    {
        public DeviceStatus Online() => new("online", deviceId, "test", "taiwan-credit", "1.0.0", "fp32", 1, DateTimeOffset.UtcNow);
    }
}
