using System.Security.Cryptography;
using System.Text;
using CreditEdge.Core.Terminals;

namespace CreditEdge.Agent.Terminals;

/// <summary>
/// The keys the gate accepts at one moment: every terminal of <c>terminals.json</c> (revoked ones too, to say so) and the
/// hashes of <c>Api:TerminalKeyHashes</c> (terminal id <c>config-N</c>). Immutable; the registry watcher swaps in a new one.
/// </summary>
public sealed class TerminalKeys
{
    private readonly Key[] _keys;

    private TerminalKeys(Key[] keys) => _keys = keys;

    public int Active => _keys.Count(k => !k.Revoked);

    public int Revoked => _keys.Count(k => k.Revoked);

    public static TerminalKeys From(TerminalRegistry registry, IReadOnlyList<string> configHashes)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configHashes);
        var keys = registry.Entries.Select(e => new Key(Convert.FromHexString(e.KeySha256), e.Id, e.IsRevoked))
            .Concat(configHashes.Select((h, i) => new Key(Convert.FromHexString(h.Trim()), $"config-{i}", false)))
            .ToArray();
        return new TerminalKeys(keys);
    }

    /// <summary>
    /// Whose key <paramref name="key"/> is. Every stored hash is compared in constant time and the scan never stops early,
    /// so the answer's timing tells nothing about which hash came close.
    /// </summary>
    public TerminalIdentity Check(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        Key? found = null;
        foreach (var candidate in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate.Hash, hash))
            {
                found ??= candidate;
            }
        }

        return found switch
        {
            null => TerminalIdentity.Unknown,
            { Revoked: true } => new TerminalIdentity(TerminalCheck.Revoked, found.Id),
            _ => new TerminalIdentity(TerminalCheck.Terminal, found.Id),
        };
    }

    private sealed record Key(byte[] Hash, string Id, bool Revoked);
}
