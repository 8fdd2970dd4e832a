using System.CommandLine;
using CreditEdge.Messaging.Central;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge fleet …</c>: the office's view of the fleet over MQTT.</summary>
public static class FleetCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("fleet", "Watch the fleet, collect its decisions, roll models out and unlock kiosks over MQTT.");
        command.Subcommands.Add(FleetStatusCommand.Create(output, error));
        command.Subcommands.Add(FleetIngestCommand.Create(output, error));
        command.Subcommands.Add(FleetPushCommand.Create(output, error));
        command.Subcommands.Add(FleetRollbackCommand.Create(output, error));
        command.Subcommands.Add(FleetUnlockCommand.Create(output, error));
        return command;
    }

    /// <summary>--broker, --username, --password: how the office reaches the broker.</summary>
    internal static (Option<Uri> Broker, Option<string> Username, Option<string> Password) ConnectionOptions()
    {
        var broker = new Option<Uri>("--broker")
        {
            Description = "mqtt://host:port or mqtts://host:port",
            Required = true,
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "mqtt" or "mqtts")
                {
                    return uri;
                }

                r.AddError($"--broker must be mqtt://host:port or mqtts://host:port, not '{text}'");
                return null;
            },
        };
        var username = new Option<string>("--username") { Description = "MQTT user name (e.g. office, operator)." };
        var password = new Option<string>("--password") { Description = "MQTT password (or set CEDGE_MQTT_PASSWORD)." };
        return (broker, username, password);
    }

    internal static string? Password(ParseResult parseResult, Option<string> password) =>
        parseResult.GetValue(password) ?? Environment.GetEnvironmentVariable("CEDGE_MQTT_PASSWORD");

    internal static CentralConnection Connection(ParseResult parseResult, Option<Uri> broker, Option<string> username, Option<string> password) =>
        new(parseResult.GetRequiredValue(broker), parseResult.GetValue(username), Password(parseResult, password));
}
