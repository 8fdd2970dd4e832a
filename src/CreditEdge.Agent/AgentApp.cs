using CreditEdge.Agent.Api;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Terminals;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent;

/// <summary>Builds the agent's web application; Program.cs runs it, tests start it on a loopback port.</summary>
public static class AgentApp
{
    /// <summary>
    /// Fewest thread-pool workers. The default is the core count — 2 on a small board — and the pool adds more only about
    /// once a second; the outbox pump, telemetry and a model update's chunk writes do blocking file work, and a request
    /// must not queue behind them.
    /// </summary>
    public const int MinWorkerThreads = 16;

    public static WebApplication Create(string[] args)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinWorkerThreads), completionPorts);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddAgentConfiguration(args).AddScoring().AddDecisionStore().AddHardware().AddFleet().AddTerminals();
        builder.Services.AddSystemd();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        builder.Services.AddSingleton<Readiness>();
        builder.AddApiDocument();
        builder.WebHost.UseUrls(builder.Configuration[$"{ApiOptions.SectionName}:{nameof(ApiOptions.Urls)}"] ?? new ApiOptions().Urls);

        var app = builder.Build();
        app.UseRateLimiter(); // after routing (implicit), so /v1's per-terminal policy applies
        app.MapCreditEdgeApi();
        return app;
    }
}
