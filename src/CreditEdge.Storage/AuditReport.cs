namespace CreditEdge.Storage;

/// <summary>The result of walking the audit chain: how many links held, and the first one that did not.</summary>
public sealed record AuditReport(long LinksVerified, string HeadHash, string? Problem)
{
    public bool Intact => Problem is null;
}
