using System.Security.Cryptography;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Security;

/// <summary>
/// Reads a signed unlock order: size (<see cref="UnlockOrder.MaxMessageBytes"/>), COSE_Sign1 structure, ES256 and a
/// signature by one of the trusted keys — all before the document is parsed (<see cref="SignedDocument"/>, the
/// desired-model message's path) — then the document (<see cref="UnlockOrderDocument"/>). Built for hostile bytes:
/// whatever the input, the only exception is <see cref="UnlockOrderException"/>. A verified order still has to pass
/// <see cref="UnlockOrderChecks.Check"/> before it unlocks anything.
/// </summary>
public static class UnlockOrderReader
{
    /// <summary>Longest base64 text of a message within <see cref="UnlockOrder.MaxMessageBytes"/>.</summary>
    private const int MaxBase64Length = (UnlockOrder.MaxMessageBytes + 2) / 3 * 4;

    /// <summary>
    /// The verified order, or <see cref="UnlockOrderException"/> whose check is <c>unlock-format</c> or
    /// <c>unlock-signature</c> (no trusted key, a key that is not trusted — named by its <c>kid</c> — or an altered order).
    /// The key rule is the package signature's: when the protected <c>kid</c> names a trusted key, that key's verdict is
    /// final; otherwise any trusted key that verifies is accepted.
    /// </summary>
    public static UnlockOrder Read(ReadOnlySpan<byte> signedOrder, IReadOnlyList<ECDsa> trustedKeys)
    {
        var document = SignedDocument.Open(signedOrder, trustedKeys, UnlockOrder.MaxMessageBytes, "an unlock order", Refuse);
        return UnlockOrderDocument.Parse(document.Span);
    }

    /// <summary>
    /// As <see cref="Read"/>, for the base64 text of the command argument (<see cref="UnlockOrder.CommandArgument"/>):
    /// missing, too long for <see cref="UnlockOrder.MaxMessageBytes"/> (checked before decoding) or not base64 is
    /// <c>unlock-format</c>.
    /// </summary>
    public static UnlockOrder ReadBase64(string? base64, IReadOnlyList<ECDsa> trustedKeys)
    {
        if (string.IsNullOrEmpty(base64))
        {
            throw new UnlockOrderException(UnlockOrderChecks.Format, $"no signed order: the '{UnlockOrder.CommandArgument}' argument is missing or empty");
        }

        if (base64.Length > MaxBase64Length)
        {
            throw new UnlockOrderException(UnlockOrderChecks.Format,
                $"the '{UnlockOrder.CommandArgument}' argument has {base64.Length} characters; at most {MaxBase64Length} (base64 of {UnlockOrder.MaxMessageBytes} bytes)");
        }

        var bytes = new byte[UnlockOrder.MaxMessageBytes + 3]; // what this much base64 can hold; Read refuses what is over the cap
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
        {
            throw new UnlockOrderException(UnlockOrderChecks.Format, $"the '{UnlockOrder.CommandArgument}' argument is not base64");
        }

        return Read(bytes.AsSpan(0, length), trustedKeys);
    }

    private static UnlockOrderException Refuse(SignedDocument.Failure failure, string problem, Exception? cause)
    {
        var check = failure == SignedDocument.Failure.Format ? UnlockOrderChecks.Format : UnlockOrderChecks.Signature;
        return cause is null ? new UnlockOrderException(check, problem) : new UnlockOrderException(check, problem, cause);
    }
}
