using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Tests.Packages.Rollout;

/// <summary>Sample desired models, and COSE messages signed over any bytes (to put hostile documents behind a good signature).</summary>
public static class DesiredModels
{
    public static readonly string Hash = new('a', 64);

    public static DesiredModel Sample() => new(
        DesiredTarget.ForGroup("branch-north"),
        1_767_225_600_123,
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, 123, TimeSpan.Zero),
        new DesiredPackage("taiwan-credit", "1.2.0", 4, Hash, 200_000, 65_536, [new string('0', 64), new string('1', 64), new string('2', 64), new string('3', 64)]),
        AllowSchemaChange: false,
        ShadowCriteria.Default,
        ProbationCriteria.Default);

    /// <summary>A COSE_Sign1 ES256 (or <paramref name="hash"/>) over <paramref name="payload"/>, with <paramref name="keyId"/> (default: the key's own) in the protected header.</summary>
    public static byte[] SignRaw(byte[] payload, ECDsa key, string? keyId = null, HashAlgorithmName? hash = null)
    {
        var headers = new CoseHeaderMap { { CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(Encoding.ASCII.GetBytes(keyId ?? SigningKeys.KeyId(key))) } };
        return CoseSign1Message.SignEmbedded(payload, new CoseSigner(key, hash ?? HashAlgorithmName.SHA256, headers));
    }

    /// <summary>The signed document of a message made by <see cref="DesiredModelSigner"/>.</summary>
    public static string Document(byte[] message) => Encoding.UTF8.GetString(CoseMessage.DecodeSign1(message).Content!.Value.Span);
}
