using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditEdge.Office.Simulation;

/// <summary>JSON of the simulation's report line.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SimulationReport))]
public sealed partial class SimulationJson : JsonSerializerContext;
