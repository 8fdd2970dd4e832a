using CreditEdge.Agent.Api;
using CreditEdge.Agent.Options;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent;

/// <summary>Builds the agent's web application; Program.cs runs it, tests start it on a loopback port.</summary>
public static class AgentApp
{
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddAgentConfiguration(args).AddDecisionStore().AddScoring().AddFleet();
        builder.Services.AddSystemd();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        builder.WebHost.UseUrls(builder.Configuration[$"{ApiOptions.SectionName}:{nameof(ApiOptions.Urls)}"] ?? new ApiOptions().Urls);

        var app = builder.Build();
        app.MapCreditEdgeApi();
        return app;
    }
}
