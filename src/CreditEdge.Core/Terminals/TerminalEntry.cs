namespace CreditEdge.Core.Terminals;

/// <summary>One terminal (a handheld) in <c>terminals.json</c>: its id, the SHA-256 of its key, when it was added and revoked.</summary>
/// <param name="Id">Given by the operator: <c>[a-z0-9-]{1,64}</c>.</param>
/// <param name="KeySha256">Lower-case hex SHA-256 of the key's UTF-8 text (the key itself is never stored).</param>
/// <param name="CreatedAt">When <c>cedge terminal add</c> created it.</param>
/// <param name="RevokedAt">When <c>cedge terminal revoke</c> revoked it; null while it is active.</param>
public sealed record TerminalEntry(string Id, string KeySha256, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null)
{
    public bool IsRevoked => RevokedAt is not null;
}
