using CreditEdge.Core.Sync;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Commands;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreditEdge.Messaging.Tests;

/// <summary>A device's fleet side wired by hand: a real store as outbox, the real link, pump and commands, against a real broker.</summary>
public sealed class LinkHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TempDirectory _data = new("link");
    private readonly List<Microsoft.Extensions.Hosting.IHostedService> _started = [];

    public LinkHarness(string brokerUrl, string deviceId = "kiosk-1", Action<FleetLinkOptions>? configure = null)
    {
        var options = new FleetLinkOptions
        {
            Broker = brokerUrl,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            EchoInterval = TimeSpan.FromSeconds(1),
            EchoTimeout = TimeSpan.FromSeconds(5),
            OutboxPollInterval = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        Options = options;
        Store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _data.Path }, NullLogger.Instance);
        Status = new FixedStatus(deviceId);
        Link = new FleetLink(Microsoft.Extensions.Options.Options.Create(options), new DeviceIdentity(deviceId, "default"), Status, TimeProvider.System, NullLogger<FleetLink>.Instance);
        Pump = new OutboxPump(Link, Store, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<OutboxPump>.Instance);
        Commands = new CommandProcessor(Link, [new StatusCommand(Status, Store, Link), new SyncNowCommand(Pump, Store)], NullLogger<CommandProcessor>.Instance);
    }

    public FleetLinkOptions Options { get; }

    public LiteDecisionStore Store { get; }

    public IOutbox Outbox => Store;

    public FixedStatus Status { get; }

    public FleetLink Link { get; }

    public OutboxPump Pump { get; }

    public CommandProcessor Commands { get; }

    public async Task StartAsync()
    {
        foreach (var service in new Microsoft.Extensions.Hosting.IHostedService[] { Commands, Link, Pump })
        {
            await service.StartAsync(_stop.Token);
            _started.Add(service);
        }
    }

    public async Task SaveDecisionsAsync(int count, int offset = 0)
    {
        for (var i = 0; i < count; i++)
        {
            await Store.SaveAsync(SampleDecisions.Create(offset + i), CancellationToken.None);
        }
    }


    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _stop.CancelAsync();
        Pump.Dispose();
        Link.Dispose();
        Store.Dispose();
        _stop.Dispose();
        _data.Dispose();
    }

    /// <summary>The host's status as a birth message carries it.</summary>
    public sealed class FixedStatus(string deviceId) : IDeviceStatusSource
    {
        public DeviceStatus Online() => new("online", deviceId, "test", "taiwan-credit", "1.0.0", "fp32", 1, DateTimeOffset.UtcNow);
    }
}
