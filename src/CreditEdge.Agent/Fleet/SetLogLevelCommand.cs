using System.Text.Json.Nodes;
using CreditEdge.Messaging;

namespace CreditEdge.Agent.Fleet;

/// <summary>
/// <c>set-log-level</c> with <c>{"level": "Debug", "category": "CreditEdge"}</c> (category optional): changes the
/// minimum log level until restart, through the runtime overrides configuration source.
/// </summary>
internal sealed class SetLogLevelCommand(IConfiguration configuration) : IDeviceCommand
{
    public string Name => "set-log-level";

    public Task<JsonObject> ExecuteAsync(JsonObject? arguments, CancellationToken cancellationToken)
    {
        var level = arguments?["level"]?.GetValue<string>()
            ?? throw new ArgumentException("set-log-level needs {\"level\": \"Trace|Debug|Information|Warning|Error|Critical|None\"}");
        if (!Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
        {
            throw new ArgumentException($"'{level}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None)");
        }

        var category = arguments?["category"]?.GetValue<string>() ?? "Default";
        configuration[$"Logging:LogLevel:{category}"] = parsed.ToString();
        (configuration as IConfigurationRoot)?.Reload();
        return Task.FromResult(new JsonObject { ["category"] = category, ["level"] = parsed.ToString() });
    }
}
