using CreditEdge.Agent.Options;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Terminals;

/// <summary>Per-terminal API keys on <c>/v1/*</c>: the registry watcher, the gate's authenticator and the per-terminal rate limiter.</summary>
public static class TerminalHostingExtensions
{
    public static IHostApplicationBuilder AddTerminals(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<TerminalRegistryWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TerminalRegistryWatcher>());
        builder.Services.AddSingleton<TerminalAuthenticator>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<ApiOptions>>((limiter, api) => TerminalRateLimiting.Configure(limiter, api.Value.TerminalRateLimit));
        return builder;
    }
}
