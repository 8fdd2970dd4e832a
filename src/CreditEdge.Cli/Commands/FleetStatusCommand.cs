using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Messaging.Central;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge fleet status --broker URL</c>: each device's retained status, model and last telemetry. Connects with the
/// device link's reconnect policy for up to <c>--connect-timeout</c>, then fails with one line.
/// </summary>
public static class FleetStatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var (broker, username, password) = FleetCommand.ConnectionOptions();
        var listen = new Option<TimeSpan>("--listen") { Description = "How long to collect retained messages.", DefaultValueFactory = _ => TimeSpan.FromSeconds(2) };
        var connectTimeout = new Option<TimeSpan>("--connect-timeout")
        {
            Description = "How long to keep retrying to connect (backoff as the agent's link) before failing.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per device instead of a table." };
        var command = new Command("status", "Show every device's status (online/offline), model and last telemetry.") { broker, username, password, listen, connectTimeout, json };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, output, error, (broker, username, password), listen, connectTimeout, json, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, TextWriter output, TextWriter error,
        (Option<Uri> Broker, Option<string> Username, Option<string> Password) connection, Option<TimeSpan> listen, Option<TimeSpan> connectTimeout,
        Option<bool> json, CancellationToken cancellationToken)
    {
        var devices = await FleetStatusReader.ReadAsync(FleetCommand.Connection(parseResult, connection.Broker, connection.Username, connection.Password),
            parseResult.GetValue(listen), parseResult.GetValue(connectTimeout), TimeProvider.System, new LineLogger(error, LogLevel.Warning), cancellationToken);
        if (parseResult.GetValue(json))
        {
            foreach (var d in devices)
            {
                var line = new JsonObject { ["deviceId"] = d.DeviceId, ["status"] = d.Status?.DeepClone(), ["telemetry"] = d.Telemetry?.DeepClone() };
                await output.WriteLineAsync(line.ToJsonString());
            }

            return CedgeApp.Success;
        }

        await output.WriteLineAsync($"{"DEVICE",-20} {"STATE",-8} {"MODEL",-24} {"VARIANT",-7} {"DESIRED",-24} {"ROLLOUT",-28} {"OUTBOX",7} {"DECISIONS",9} {"LAST TELEMETRY",-25}");
        foreach (var d in devices)
        {
            var model = d.Status?["modelId"] is { } id ? $"{id}@{d.Status?["modelVersion"]}" : "-";
            var decisions = d.Telemetry?["decisions"] is JsonObject counts ? counts.Sum(kv => kv.Value?.GetValue<long>() ?? 0).ToString(CultureInfo.InvariantCulture) : "-";
            var rollout = d.Status?["rollout"] as JsonObject;
            var desired = rollout?["desiredModelId"] is { } desiredId ? $"{desiredId}@{rollout["desiredVersion"]}" : "-";
            var state = rollout is null ? "-" : rollout["check"] is { } check ? $"{Text(rollout["state"])} ({Text(check)})" : Text(rollout["state"]);
            await output.WriteLineAsync(
                $"{d.DeviceId,-20} {Text(d.Status?["state"]),-8} {model,-24} {Text(d.Status?["variant"]),-7} {desired,-24} {state,-28} {Text(d.Telemetry?["outboxDepth"]),7} {decisions,9} {Text(d.Telemetry?["at"]),-25}");
        }

        await output.WriteLineAsync($"{devices.Count} device(s)");
        return CedgeApp.Success;
    }

    private static string Text(JsonNode? node) => node is null ? "-" : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
}
