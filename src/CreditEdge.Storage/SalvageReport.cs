using CreditEdge.Core.Audit;
using CreditEdge.Core.Decisions;

namespace CreditEdge.Storage;

/// <summary>
/// What <see cref="AuditSalvage"/> could read of a damaged store: the links after the retention checkpoint
/// (<see cref="DeletedThrough"/>), how many verified unbroken from the start (<see cref="LinksVerified"/>), how many
/// after a gap still hold (their decision matches its hash and the link before, where readable), the ranges it could not
/// read, the links that did not hold, every decision it could read — including those whose links were lost — and the
/// device events whose links verified or hold (<see cref="VerifiedEvents"/>).
/// </summary>
public sealed record SalvageReport(
    string? OpenFailure,
    long DeletedThrough,
    long Links,
    long LinksVerified,
    long LinksHoldingAfterGaps,
    IReadOnlyList<Decision> ReadableDecisions,
    IReadOnlyList<(long From, long To)> UnreadableLinks,
    IReadOnlyList<string> BrokenLinks)
{
    public static SalvageReport Unreadable(string reason) => new(reason, 0, 0, 0, 0, [], [], []);

    /// <summary>The device events whose links verified from the start or hold after a gap, in chain order, with their link's sequence.</summary>
    public IReadOnlyList<(long Sequence, AuditEvent Event)> VerifiedEvents { get; init; } = [];

    /// <summary>Lines for people.</summary>
    public IEnumerable<string> Describe()
    {
        if (OpenFailure is not null)
        {
            yield return $"nothing could be read: {OpenFailure}";
            yield break;
        }

        var first = DeletedThrough + 1;
        var retention = DeletedThrough == 0 ? string.Empty : $" (links 1…{DeletedThrough} deleted by retention)";
        yield return $"read what it could: {ReadableDecisions.Count} decisions readable; of links {first}…{DeletedThrough + Links}{retention}, {LinksVerified} verified unbroken from the start and {LinksHoldingAfterGaps} more hold after the unreadable ones";
        if (UnreadableLinks.Count > 0)
        {
            yield return "unreadable: " + string.Join(", ", UnreadableLinks.Select(r => r.From == r.To ? $"link {r.From}" : $"links {r.From}…{r.To}"));
        }

        foreach (var broken in BrokenLinks)
        {
            yield return "broken: " + broken;
        }
    }
}
