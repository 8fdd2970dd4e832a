using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CreditEdge.Office.FleetPage;

/// <summary>
/// The fleet page at <c>/</c> (its files under <c>/fleet/</c>) and the JSON it reads: <c>/api/fleet/devices</c>,
/// <c>/api/fleet/rollouts</c>, <c>/api/fleet/decisions?hours=N</c>, <c>/api/fleet/drift?device=ID&amp;hours=N</c>.
/// </summary>
public static class FleetPageEndpoints
{
    public const int MaxHours = 720;

    public static IEndpointRouteBuilder MapFleetPage(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", FleetPageFiles.Index);
        app.MapGet("/fleet/{file}", FleetPageFiles.File);
        app.MapGet("/api/fleet/devices", (HttpContext c, CancellationToken ct) => AnswerAsync(c, q => q.DevicesAsync(ct)));
        app.MapGet("/api/fleet/rollouts", (HttpContext c, CancellationToken ct) => AnswerAsync(c, q => q.RolloutsAsync(ct)));
        app.MapGet("/api/fleet/decisions", (HttpContext c, string? hours, CancellationToken ct) =>
            Hours(hours) is { } h ? AnswerAsync(c, q => q.DecisionVolumeAsync(h, ct)) : Task.FromResult(BadHours(hours)));
        app.MapGet("/api/fleet/drift", async (HttpContext c, string? device, string? hours, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(device) || device.Length > 128)
            {
                return FleetProblems.BadParameter("device", device, "a device id (1–128 characters) is required");
            }

            if (Hours(hours) is not { } h)
            {
                return BadHours(hours);
            }

            return await AnswerAsync(c, async q => await q.DriftAsync(device, h, ct) is { } drift
                ? Results.Json(drift)
                : FleetProblems.NotFound($"no device '{device}' has reported to this office"));
        });
        return app;
    }

    private static int? Hours(string? text) =>
        text is null ? 24
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h is >= 1 and <= MaxHours ? h
        : null;

    private static IResult BadHours(string? hours) => FleetProblems.BadParameter("hours", hours, $"a whole number of hours, 1–{MaxHours}");

    private static async Task<IResult> AnswerAsync<T>(HttpContext context, Func<FleetQueries, Task<T>> query)
    {
        var queries = new FleetQueries(context.RequestServices.GetRequiredService<NpgsqlDataSource>(), context.RequestServices.GetRequiredService<TimeProvider>());
        context.Response.Headers.CacheControl = "no-store";
        try
        {
            var result = await query(queries);
            return result as IResult ?? Results.Json(result);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !context.RequestAborted.IsCancellationRequested)
        {
            return FleetProblems.DatabaseUnavailable(ex.Message);
        }
    }
}
