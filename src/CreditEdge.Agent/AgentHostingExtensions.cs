using CreditEdge.Agent.Fleet;
using CreditEdge.Agent.Hardware;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Observability;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Retention;
using CreditEdge.Agent.Rollout;
using CreditEdge.Agent.Scoring;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Privacy;
using CreditEdge.Core.Sync;
using CreditEdge.Hardware;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Transfer;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent;

/// <summary>One <c>AddXxx</c> per module; Program.cs only calls these.</summary>
public static class AgentHostingExtensions
{
    /// <summary>Path of the machine-wide configuration file, read after appsettings.json and before environment variables.</summary>
    public const string MachineConfigFile = "/etc/creditedge/agent.json";

    /// <summary>
    /// Configuration sources, later wins: appsettings.json → /etc/creditedge/agent.json → CREDITEDGE_* environment → command line.
    /// </summary>
    public static IHostApplicationBuilder AddAgentConfiguration(this IHostApplicationBuilder builder, string[] args)
    {
        var config = builder.Configuration;
        config.Sources.Clear();
        config.SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddJsonFile(Environment.GetEnvironmentVariable("CREDITEDGE_CONFIGFILE") ?? MachineConfigFile, optional: true, reloadOnChange: false)
            .AddEnvironmentVariables("CREDITEDGE_")
            .AddCommandLine(args)
            .AddInMemoryCollection(); // runtime overrides (set-log-level); last, so it wins

        builder.Services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ModelsOptions>().BindConfiguration(ModelsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PrivacyOptions>().BindConfiguration(PrivacyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(15);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The encrypted decision store, opened once per process.</summary>
    public static IHostApplicationBuilder AddDecisionStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var agent = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("CreditEdge.Storage");
            // AnswerLoneDecisionOnWriter: the scoring path's continuation (answer the request, lights, metrics) never waits
            // synchronously on the store
            var store = LiteDecisionStore.Open(
                new DecisionStoreSettings
                {
                    DataDirectory = Path.GetFullPath(agent.DataDirectory),
                    KeyFile = storage.KeyFile,
                    MaxOutbox = storage.MaxOutbox,
                    ProbeMinDelay = storage.ProbeMinDelay,
                    ProbeMaxDelay = storage.ProbeMaxDelay,
                    Durable = storage.Durable,
                    AnswerLoneDecisionOnWriter = true,
                },
                logger);
            Log.StoreOpened(logger, store.DatabasePath, store.Count());
            if (!storage.Durable)
            {
                Log.StoreNotDurable(logger);
            }
            return store;
        });
        builder.Services.AddSingleton<IDecisionStore>(sp => sp.GetRequiredService<LiteDecisionStore>());
        builder.Services.AddSingleton<RetentionService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        builder.Services.AddSingleton(sp =>
        {
            var privacy = sp.GetRequiredService<IOptions<PrivacyOptions>>().Value;
            if (privacy.ApplicationIds == ApplicationIdHandling.Keep)
            {
                return ApplicationIdProtector.Keep;
            }

            var agent = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            var saltFile = privacy.SaltFile ?? Path.Combine(Path.GetFullPath(agent.DataDirectory), PrivacyOptions.DefaultSaltFileName);
            return ApplicationIdProtector.Hash(StorageKey.LoadOrCreateSecret(saltFile));
        });
        return builder;
    }

    /// <summary>The fleet link, outbox pump, telemetry and commands over MQTT; nothing when <c>Mqtt:Broker</c> is empty.</summary>
    public static IHostApplicationBuilder AddFleet(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new DeviceIdentity(
            sp.GetRequiredService<IOptions<AgentOptions>>().Value.DeviceId,
            sp.GetRequiredService<IOptions<FleetLinkOptions>>().Value.Group));
        builder.Services.AddSingleton<IOutbox>(sp => sp.GetRequiredService<LiteDecisionStore>());
        builder.Services.AddSingleton<IDeviceStatusSource, AgentStatusSource>();
        builder.Services.AddSingleton<ITelemetrySource, AgentTelemetrySource>();
        builder.Services.AddSingleton<IDeviceCommand, SetLogLevelCommand>();
        builder.AddFleetSync();
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{FleetLinkOptions.SectionName}:{nameof(FleetLinkOptions.Broker)}"]))
        {
            // model pushes need the link; offline, the device runs what it has
            builder.Services.AddOptions<RolloutOptions>().BindConfiguration(RolloutOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddOptions<PackageTransferOptions>().BindConfiguration(PackageTransferOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddSingleton<ModelRollout>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelRollout>());
        }

        return builder;
    }

    /// <summary>
    /// The kiosk's pins (section <c>Hardware</c>): status light, outcome lamps and buzzer, sync button, tamper switch and the
    /// lock it sets. With no GPIO chip the board is simulated (logged), never a crash.
    /// </summary>
    public static IHostApplicationBuilder AddHardware(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HardwareOptions>().BindConfiguration(HardwareOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var board = GpioBoard.Open(sp.GetRequiredService<IOptions<HardwareOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("CreditEdge.Hardware"));
            board.Light.Show(LightState.Starting);
            return board;
        });
        builder.Services.AddSingleton<TamperLock>();
        builder.Services.AddSingleton<IDeviceCommand, UnlockCommand>();
        builder.Services.AddHostedService<HardwareService>();
        return builder;
    }

    /// <summary>The model host and the scoring path.</summary>
    public static IHostApplicationBuilder AddScoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new ModelSlots(
            sp.GetRequiredService<IOptions<AgentOptions>>().Value.DataDirectory,
            sp.GetRequiredService<ILogger<ModelSlots>>()));
        builder.Services.AddSingleton<ModelHost>();
        builder.Services.AddSingleton<AgentMetrics>();
        builder.Services.AddSingleton<ScoringService>();
        builder.Services.AddSingleton<RolloutGate>();
        builder.Services.AddSingleton(sp => new RolloutStateFile(Path.GetFullPath(sp.GetRequiredService<IOptions<AgentOptions>>().Value.DataDirectory)));
        builder.Services.AddHostedService<StartupService>(); // first hosted service: its model load overlaps the store's open
        builder.Services.AddHostedService<SystemdWatchdog>();
        return builder;
    }
}
