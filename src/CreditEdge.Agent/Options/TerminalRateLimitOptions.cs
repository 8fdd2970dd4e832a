using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Agent.Options;

/// <summary>Per-terminal rate limit (section <c>Api:TerminalRateLimit</c>): a token bucket per terminal id.</summary>
public sealed class TerminalRateLimitOptions
{
    /// <summary>Tokens added to each terminal's bucket every second. Default 10: far above what a person at a handheld sends.</summary>
    public int PermitsPerSecond { get; set; } = 10;

    /// <summary>Most tokens a bucket holds: the requests a terminal may send at once. Default 20.</summary>
    public int Burst { get; set; } = 20;

    internal IEnumerable<ValidationResult> Validate()
    {
        if (PermitsPerSecond is < 1 or > 10_000)
        {
            yield return new ValidationResult($"Api:TerminalRateLimit:PermitsPerSecond must be 1-10000 (is {PermitsPerSecond})", [nameof(PermitsPerSecond)]);
        }

        if (Burst is < 1 or > 100_000)
        {
            yield return new ValidationResult($"Api:TerminalRateLimit:Burst must be 1-100000 (is {Burst})", [nameof(Burst)]);
        }
    }
}
