using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Agent.Options;

/// <summary>The agent's identity and where it keeps things (configuration root keys).</summary>
public sealed class AgentOptions
{
    public const string SectionName = "";

    /// <summary>Identity on the fleet and in MQTT topics. Default: the host name.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", ErrorMessage = "DeviceId must be 1-64 letters, digits, '.', '_' or '-' (it appears in MQTT topics)")]
    public string DeviceId { get; set; } = Environment.MachineName;

    /// <summary>LiteDB file, staged packages, keys. Default <c>./data</c> (device: <c>/var/lib/creditedge</c>).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Package used when nothing newer is installed. Default: the package built into the agent (<c>models/default</c>).</summary>
    [Required]
    public string ModelDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "models", "default");
}
