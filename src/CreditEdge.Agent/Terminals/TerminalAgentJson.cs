using System.Text.Json.Serialization;

namespace CreditEdge.Agent.Terminals;

/// <summary>JSON of the agent's <c>terminals-audited.json</c>.</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class TerminalAgentJson : JsonSerializerContext;
