using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;

namespace CreditEdge.TestKit;

/// <summary>Decisions with plausible content for storage and sync tests.</summary>
public static class SampleDecisions
{
    public static Decision Create(int n, string? idempotencyKey = null, DateTimeOffset? at = null) => new()
    {
        DecisionId = $"d-{n:D6}-{Guid.NewGuid():N}",
        ApplicationId = $"app-{n}",
        IdempotencyKey = idempotencyKey,
        Outcome = (n % 3) switch { 0 => Outcome.Approve, 1 => Outcome.Refer, _ => Outcome.Decline },
        Probability = 0.05 + ((n % 90) / 100.0),
        Score = 600 - (n % 120),
        Reasons = [new Reason("R07", "PAYMENTDELAY_1", "Recent repayment delay (PAYMENTDELAY_1)")],
        Model = new ModelRef("taiwan-credit", "0.1.0", new string('a', 64), "fp32"),
        CreatedAt = at ?? new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero).AddSeconds(n),
        Input = [20000f, 2f, 24f, n % 9],
    };
}
