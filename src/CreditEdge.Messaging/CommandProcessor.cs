using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Messaging;

/// <summary>
/// MQTT 5 request/response for device commands: a request on <c>…/commands/{name}</c> with a response topic and
/// correlation data gets one JSON answer there, <c>{"ok": true, …}</c> or <c>{"ok": false, "error": "…"}</c>.
/// </summary>
public sealed partial class CommandProcessor : IHostedService
{
    private readonly FleetLink _link;
    private readonly Dictionary<string, IDeviceCommand> _commands;
    private readonly ILogger<CommandProcessor> _logger;

    public CommandProcessor(FleetLink link, IEnumerable<IDeviceCommand> commands, ILogger<CommandProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        _link = link;
        _commands = commands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _logger = logger;
        link.Subscribe(Topics.Commands(link.DeviceId), HandleAsync);
    }

    public IReadOnlyCollection<string> Names => _commands.Keys;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal async Task HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var name = Topics.LastLevel(message.Topic);
        JsonObject response;
        if (!_commands.TryGetValue(name, out var command))
        {
            response = Error($"unknown command '{name}'; known: {string.Join(", ", _commands.Keys.Order(StringComparer.Ordinal))}");
        }
        else
        {
            try
            {
                var arguments = message.Payload.IsEmpty ? null : JsonNode.Parse(message.Payload.Span) as JsonObject;
                response = await command.ExecuteAsync(arguments, cancellationToken);
                response["ok"] = true;
                Log.Executed(_logger, name);
            }
            catch (Exception ex) when (ex is ArgumentException or JsonException or InvalidOperationException)
            {
                response = Error(ex.Message);
            }
        }

        if (message.ResponseTopic is { Length: > 0 } responseTopic)
        {
            response["command"] = name;
            await _link.PublishAsync(responseTopic, JsonSerializer.SerializeToUtf8Bytes(response, MessagingJson.Wire.JsonObject), retain: false, cancellationToken, correlationData: message.CorrelationData);
        }
    }

    private static JsonObject Error(string message) => new() { ["ok"] = false, ["error"] = message };

    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Command {Name} executed")]
        public static partial void Executed(ILogger logger, string name);
    }
}
