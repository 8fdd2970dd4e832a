using CreditEdge.Messaging.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CreditEdge.Messaging;

/// <summary>Registers the fleet link and everything that rides on it — only when <c>Mqtt:Broker</c> is set (else offline mode).</summary>
public static class FleetSyncExtensions
{
    /// <summary>
    /// The host must register <see cref="Core.Sync.IOutbox"/>, <see cref="IDeviceStatusSource"/>, <see cref="ITelemetrySource"/>,
    /// <see cref="DeviceIdentity"/> and <see cref="TimeProvider"/>; it may add more <see cref="IDeviceCommand"/>s.
    /// </summary>
    public static IHostApplicationBuilder AddFleetSync(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FleetLinkOptions>().BindConfiguration(FleetLinkOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        var broker = builder.Configuration[$"{FleetLinkOptions.SectionName}:{nameof(FleetLinkOptions.Broker)}"];
        if (string.IsNullOrWhiteSpace(broker))
        {
            return builder; // offline mode: scoring never waits on a link
        }

        builder.Services.AddSingleton<FleetLink>();
        builder.Services.AddSingleton<OutboxPump>();
        builder.Services.AddSingleton<TelemetryPublisher>();
        builder.Services.AddSingleton<IDeviceCommand, StatusCommand>();
        builder.Services.AddSingleton<IDeviceCommand, SyncNowCommand>();
        builder.Services.AddSingleton<CommandProcessor>();
        // hosted services are all built before any starts: the processor subscribes to commands before the link connects
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CommandProcessor>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FleetLink>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxPump>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TelemetryPublisher>());
        return builder;
    }
}
