using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// Reads a desired-model message from the broker: size, COSE_Sign1 structure, ES256, a signature by one of the trusted
/// keys — all before the document itself is parsed — then the document (<see cref="DesiredModelJson"/>). Built for
/// hostile bytes: whatever the payload, the only exception is <see cref="DesiredModelException"/>.
/// </summary>
public static class DesiredModelReader
{
    /// <summary>
    /// The verified model, or <see cref="DesiredModelException"/> whose check is <c>desired-format</c>,
    /// <c>desired-signature</c> or <c>desired-untrusted</c> (<see cref="DesiredModelChecks"/>). The key rule is the
    /// package signature's: when the protected <c>kid</c> names a trusted key, that key's verdict is final; otherwise
    /// any trusted key that verifies is accepted.
    /// </summary>
    public static DesiredModel Read(ReadOnlySpan<byte> payload, IReadOnlyList<ECDsa> trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        if (payload.Length > DesiredModel.MaxMessageBytes)
        {
            throw new DesiredModelException(DesiredModelChecks.Format, $"the message has {payload.Length} bytes; at most {DesiredModel.MaxMessageBytes} are accepted");
        }

        var message = Decode(payload);
        CheckAlgorithm(message);
        FindSigner(message, KeyId(message), trustedKeys);
        return DesiredModelJson.Parse(message.Content!.Value.Span);
    }

    private static CoseSign1Message Decode(ReadOnlySpan<byte> payload)
    {
        CoseSign1Message message;
        try
        {
            message = CoseMessage.DecodeSign1(payload);
        }
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new DesiredModelException(DesiredModelChecks.Format, $"the message is not a COSE_Sign1: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        if (message.Content is null)
        {
            throw new DesiredModelException(DesiredModelChecks.Format, "the message has a detached payload; a desired model embeds its document");
        }

        return message;
    }

    private static void CheckAlgorithm(CoseSign1Message message)
    {
        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var alg))
        {
            throw new DesiredModelException(DesiredModelChecks.Signature, "the message has no algorithm in its protected header");
        }

        int algorithm;
        try
        {
            algorithm = alg.GetValueAsInt32();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OverflowException or CryptographicException or FormatException)
        {
            throw new DesiredModelException(DesiredModelChecks.Signature, $"the message's algorithm is not an integer; ES256 ({PackageVerifier.Es256}) is required", ex);
        }

        if (algorithm != PackageVerifier.Es256)
        {
            throw new DesiredModelException(DesiredModelChecks.Signature, $"the message uses COSE algorithm {algorithm}; ES256 ({PackageVerifier.Es256}) is required");
        }
    }

    private static string? KeyId(CoseSign1Message message)
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
            throw new DesiredModelException(DesiredModelChecks.Signature, "the message's key id is not a byte string", ex);
        }
    }

    private static void FindSigner(CoseSign1Message message, string? keyId, IReadOnlyList<ECDsa> trustedKeys)
    {
        var signedBy = keyId is null ? "a key without id" : $"key {Printable(keyId)}";
        if (trustedKeys.Count == 0)
        {
            throw new DesiredModelException(DesiredModelChecks.Untrusted, $"signed by {signedBy}, but no key is trusted");
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

            throw new DesiredModelException(DesiredModelChecks.Signature, $"the signature by trusted key {keyId} does not verify: the message was altered");
        }

        if (trustedKeys.Any(key => Verifies(message, key)))
        {
            return;
        }

        throw new DesiredModelException(DesiredModelChecks.Untrusted, $"signed by {signedBy}, which is not trusted (trusted: {string.Join(", ", ids)})");
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
