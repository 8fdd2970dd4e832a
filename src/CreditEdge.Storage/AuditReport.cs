using CreditEdge.Core.Audit;

namespace CreditEdge.Storage;

/// <summary>
/// The result of walking the audit chain: how many links held, and the first one that did not. Links
/// 1…<see cref="DeletedThrough"/> were deleted by retention; verification started from their last hash, the
/// <see cref="CheckpointHash"/>. Links are decisions and device events; <see cref="EventsVerified"/> of them were events.
/// </summary>
public sealed record AuditReport(long LinksVerified, string HeadHash, string? Problem)
{
    /// <summary>Most events kept in <see cref="LastEvents"/>.</summary>
    public const int MaxLastEvents = 50;

    public bool Intact => Problem is null;

    /// <summary>How many of the <see cref="LinksVerified"/> links were device events.</summary>
    public long EventsVerified { get; init; }

    /// <summary>The last (at most <see cref="MaxLastEvents"/>) events that verified, in chain order, with their link's sequence.</summary>
    public IReadOnlyList<(long Sequence, AuditEvent Event)> LastEvents { get; init; } = [];

    /// <summary>The last link deleted by retention (0: none).</summary>
    public long DeletedThrough { get; init; }

    /// <summary>The hash of link <see cref="DeletedThrough"/>, kept when it was deleted; null when nothing was.</summary>
    public string? CheckpointHash { get; init; }

    /// <summary>One line for people: what held, from where.</summary>
    public string Describe()
    {
        var range = LinksVerified == 0 ? "no links" : $"links {DeletedThrough + 1}…{DeletedThrough + LinksVerified}";
        var retention = DeletedThrough == 0 ? string.Empty : $"; links 1…{DeletedThrough} deleted by retention after sync, checkpoint {CheckpointHash}";
        return Intact
            ? $"{LinksVerified} links intact ({range}{retention}), head {HeadHash}"
            : $"audit chain broken: {Problem} ({LinksVerified} links intact before it{retention}, last good hash {HeadHash})";
    }
}
