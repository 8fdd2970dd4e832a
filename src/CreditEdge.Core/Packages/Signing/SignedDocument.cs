using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;

namespace CreditEdge.Core.Packages.Signing;

/// <summary>
/// A signed message that carries its own document: a COSE_Sign1, ES256, embedding the canonical JSON, with <c>alg</c> and
/// <c>kid</c> (<see cref="SigningKeys.KeyId"/>, ASCII) in the protected header. The one signing and verifying path of the
/// desired-model message and the unlock order. <see cref="Open"/> is built for hostile bytes: every refusal goes through
/// the caller's <c>refuse</c>, which builds the caller's own exception (its check names, its wording).
/// </summary>
internal static class SignedDocument
{
    /// <summary>Why <see cref="Open"/> refused a message; the caller maps it to its check name.</summary>
    public enum Failure
    {
        /// <summary>Too large, not a COSE_Sign1, or a detached payload.</summary>
        Format,

        /// <summary>Not ES256, a malformed key id, or the signature by the named trusted key does not verify.</summary>
        Signature,

        /// <summary>No trusted key, or signed by none of them.</summary>
        Untrusted,
    }

    /// <summary>Refuses (<see cref="SigningKeyException"/>) a key ES256 cannot use.</summary>
    public static void RequireEs256Key(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeySize != 256)
        {
            throw new SigningKeyException($"ES256 needs an ECDSA P-256 key; this key has {key.KeySize} bits");
        }
    }

    /// <summary>The COSE_Sign1 embedding <paramref name="document"/>, signed by <paramref name="key"/> (checked with <see cref="RequireEs256Key"/>).</summary>
    public static byte[] Sign(byte[] document, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(document);
        RequireEs256Key(key);
        var protectedHeaders = new CoseHeaderMap
        {
            { CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(Encoding.ASCII.GetBytes(SigningKeys.KeyId(key))) },
        };
        return CoseSign1Message.SignEmbedded(document, new CoseSigner(key, HashAlgorithmName.SHA256, protectedHeaders));
    }

    /// <summary>
    /// The verified document of <paramref name="message"/>: size, COSE_Sign1 structure, ES256 and a signature by one of
    /// <paramref name="trustedKeys"/> are checked before anything reads the document. The key rule is the package
    /// signature's: when the protected <c>kid</c> names a trusted key, that key's verdict is final; otherwise any trusted
    /// key that verifies is accepted. Any refusal throws what <paramref name="refuse"/> returns for it.
    /// </summary>
    /// <param name="what">The document, with its article, for messages: "a desired model".</param>
    /// <param name="refuse">Builds the exception for a refusal: the failure, the problem (one line), the cause if any.</param>
    public static ReadOnlyMemory<byte> Open(ReadOnlySpan<byte> message, IReadOnlyList<ECDsa> trustedKeys, int maxBytes, string what,
        Func<Failure, string, Exception?, Exception> refuse)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        ArgumentNullException.ThrowIfNull(refuse);
        if (message.Length > maxBytes)
        {
            throw refuse(Failure.Format, $"the message has {message.Length} bytes; at most {maxBytes} are accepted", null);
        }

        var decoded = Decode(message, what, refuse);
        CheckAlgorithm(decoded, refuse);
        FindSigner(decoded, KeyId(decoded, refuse), trustedKeys, refuse);
        return decoded.Content!.Value;
    }

    private static CoseSign1Message Decode(ReadOnlySpan<byte> payload, string what, Func<Failure, string, Exception?, Exception> refuse)
    {
        CoseSign1Message message;
        try
        {
            message = CoseMessage.DecodeSign1(payload);
        }
        // OverflowException: a header label too large for an Int32 escapes CborReader.ReadInt32 (fuzz seed 5vVyB_aIC6s1).
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException or ArgumentException or FormatException
                                       or OverflowException)
        {
            throw refuse(Failure.Format, $"the message is not a COSE_Sign1: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        if (message.Content is null)
        {
            throw refuse(Failure.Format, $"the message has a detached payload; {what} embeds its document", null);
        }

        return message;
    }

    private static void CheckAlgorithm(CoseSign1Message message, Func<Failure, string, Exception?, Exception> refuse)
    {
        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var alg))
        {
            throw refuse(Failure.Signature, "the message has no algorithm in its protected header", null);
        }

        int algorithm;
        try
        {
            algorithm = alg.GetValueAsInt32();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OverflowException or CryptographicException or FormatException)
        {
            throw refuse(Failure.Signature, $"the message's algorithm is not an integer; ES256 ({PackageVerifier.Es256}) is required", ex);
        }

        if (algorithm != PackageVerifier.Es256)
        {
            throw refuse(Failure.Signature, $"the message uses COSE algorithm {algorithm}; ES256 ({PackageVerifier.Es256}) is required", null);
        }
    }

    private static string? KeyId(CoseSign1Message message, Func<Failure, string, Exception?, Exception> refuse)
    {
        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.KeyIdentifier, out var kid))
        {
            return null;
        }

        try
        {
            return Encoding.ASCII.GetString(kid.GetValueAsBytes());
        }
        catch (Exception ex) when (ex is InvalidOperationException or CryptographicException or FormatException)
        {
            throw refuse(Failure.Signature, "the message's key id is not a byte string", ex);
        }
    }

    private static void FindSigner(CoseSign1Message message, string? keyId, IReadOnlyList<ECDsa> trustedKeys, Func<Failure, string, Exception?, Exception> refuse)
    {
        var signedBy = keyId is null ? "a key without id" : $"key {Printable(keyId)}";
        if (trustedKeys.Count == 0)
        {
            throw refuse(Failure.Untrusted, $"signed by {signedBy}, but no key is trusted", null);
        }

        var ids = trustedKeys.Select(SigningKeys.KeyId).ToArray();
        var named = keyId is null ? [] : Enumerable.Range(0, ids.Length).Where(i => ids[i] == keyId).ToArray();
        if (named.Length > 0)
        {
            // the signer's id is in the protected (signed) header and names a trusted key: its verdict is final
            if (named.Any(i => Verifies(message, trustedKeys[i])))
            {
                return;
            }

            throw refuse(Failure.Signature, $"the signature by trusted key {keyId} does not verify: the message was altered", null);
        }

        if (trustedKeys.Any(key => Verifies(message, key)))
        {
            return;
        }

        throw refuse(Failure.Untrusted, $"signed by {signedBy}, which is not trusted (trusted: {string.Join(", ", ids)})", null);
    }

    private static bool Verifies(CoseSign1Message message, ECDsa key)
    {
        try
        {
            return message.VerifyEmbedded(key);
        }
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException or ArgumentException or FormatException)
        {
            return false;
        }
    }

    private static string Printable(string text)
    {
        var shown = text.Length > 40 ? text[..40] + "…" : text;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
