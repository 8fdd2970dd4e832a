using System.Security.Cryptography;
using System.Text;

namespace CreditEdge.Core.Privacy;

/// <summary>
/// What of an applicant's <c>applicationId</c> is stored and synced: by default a keyed hash, HMAC-SHA256 under a secret
/// salt of this device (<c>hmac-sha256:</c> + 64 hex), so a stolen <c>decisions.db</c> or a broker log names no applicant,
/// while the same id on the same device still gives the same value (a bank that holds the salt can match its own ids).
/// <see cref="Keep"/> stores the id as given, for banks whose id is itself a pseudonym.
/// </summary>
public sealed class ApplicationIdProtector
{
    public const string HashPrefix = "hmac-sha256:";

    /// <summary>Fewest salt bytes accepted: a short salt would let anyone who guesses the id format recompute the hashes.</summary>
    public const int MinSaltBytes = 16;

    private readonly byte[]? _salt;

    private ApplicationIdProtector(byte[]? salt) => _salt = salt;

    /// <summary>Stores ids as given.</summary>
    public static ApplicationIdProtector Keep { get; } = new(null);

    public bool Hashes => _salt is not null;

    /// <summary>Hashes ids under <paramref name="salt"/> (at least <see cref="MinSaltBytes"/> bytes).</summary>
    public static ApplicationIdProtector Hash(ReadOnlySpan<byte> salt)
    {
        if (salt.Length < MinSaltBytes)
        {
            throw new ArgumentException($"a salt needs at least {MinSaltBytes} bytes; this one has {salt.Length}", nameof(salt));
        }

        return new ApplicationIdProtector(salt.ToArray());
    }

    /// <summary>The value to store for <paramref name="applicationId"/>; null stays null.</summary>
    public string? Protect(string? applicationId)
    {
        if (applicationId is null || _salt is null)
        {
            return applicationId;
        }

        // one string allocated per id (the result): the id's bytes on the stack when short, as they are
        var length = Encoding.UTF8.GetByteCount(applicationId);
        var id = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(applicationId, id);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_salt, id, mac);
        return string.Create(HashPrefix.Length + 2 * mac.Length, (ReadOnlySpan<byte>)mac, static (text, hash) =>
        {
            HashPrefix.CopyTo(text);
            Convert.TryToHexStringLower(hash, text[HashPrefix.Length..], out _);
        });
    }
}
