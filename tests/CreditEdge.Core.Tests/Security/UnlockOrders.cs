using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Security;

namespace CreditEdge.Core.Tests.Security;

/// <summary>A sample unlock order, and COSE messages signed over any bytes (to put hostile documents behind a good signature).</summary>
public static class UnlockOrders
{
    public static readonly DateTimeOffset LockedAt = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static UnlockOrder Sample() => new("kiosk-7", LockedAt.AddMinutes(20).AddTicks(1234567), "j.doe", "enclosure closed after printer service");

    /// <summary>A COSE_Sign1 ES256 over <paramref name="payload"/> with <paramref name="keyId"/> (default: the key's own) in the protected header.</summary>
    public static byte[] SignRaw(byte[] payload, ECDsa key, string? keyId = null)
    {
        var headers = new CoseHeaderMap { { CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(Encoding.ASCII.GetBytes(keyId ?? SigningKeys.KeyId(key))) } };
        return CoseSign1Message.SignEmbedded(payload, new CoseSigner(key, HashAlgorithmName.SHA256, headers));
    }

    /// <summary>The signed document of a message made by <see cref="UnlockOrderSigner"/>.</summary>
    public static string Document(byte[] message) => Encoding.UTF8.GetString(CoseMessage.DecodeSign1(message).Content!.Value.Span);
}
