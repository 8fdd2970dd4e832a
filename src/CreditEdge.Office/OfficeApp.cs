using CreditEdge.Office.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace CreditEdge.Office;

/// <summary>Builds the office host: configuration (appsettings.json, <c>CREDITEDGE_OFFICE__*</c> environment, command line), services, endpoints.</summary>
public static class OfficeApp
{
    /// <summary>Short command-line flags for the <c>Office</c> keys (README "The office service").</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--broker"] = "Office:Broker",
        ["--database"] = "Office:Database",
        ["--workers"] = "Office:Workers",
        ["--group"] = "Office:Group",
        ["--client-id-prefix"] = "Office:ClientIdPrefix",
        ["--batch-size"] = "Office:BatchSize",
        ["--batch-delay"] = "Office:BatchDelay",
        ["--max-in-flight"] = "Office:MaxInFlight",
        ["--username"] = "Office:Username",
        ["--password"] = "Office:Password",
        ["--urls"] = "Office:Urls",
    };

    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddEnvironmentVariables("CREDITEDGE_");
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(Switches));
        builder.WebHost.UseUrls((builder.Configuration["Office:Urls"] ?? new OfficeOptions().Urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.AddOffice();

        var app = builder.Build();
        app.MapOfficeEndpoints();
        // fleet page: mapped by FleetPageEndpoints
        FleetPage.FleetPageEndpoints.MapFleetPage(app);
        return app;
    }
}
