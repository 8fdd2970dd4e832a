using System.Text.Json.Nodes;

namespace CreditEdge.Messaging;

/// <summary>A command the central office can send to <c>creditedge/devices/{id}/commands/{Name}</c>.</summary>
public interface IDeviceCommand
{
    string Name { get; }

    /// <summary>Runs the command; the returned object is the response. Throw <see cref="ArgumentException"/> for bad arguments.</summary>
    Task<JsonObject> ExecuteAsync(JsonObject? arguments, CancellationToken cancellationToken);
}
