using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Agent.Rollout;

/// <summary>Model updates pushed over MQTT (section <c>Rollout</c>); the transfer itself is section <c>Transfer</c>.</summary>
public sealed class RolloutOptions
{
    public const string SectionName = "Rollout";

    /// <summary>Longest a package download may take before the update is rejected (<c>transfer-timeout</c>). Default 2 days.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "30.00:00:00")]
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How often a running shadow trial and probation are checked. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);
}
