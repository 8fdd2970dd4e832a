using System.Security.Cryptography;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// Reads a desired-model message from the broker: size, COSE_Sign1 structure, ES256, a signature by one of the trusted
/// keys — all before the document itself is parsed (<see cref="SignedDocument"/>) — then the document
/// (<see cref="DesiredModelJson"/>). Built for hostile bytes: whatever the payload, the only exception is
/// <see cref="DesiredModelException"/>.
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
        var document = SignedDocument.Open(payload, trustedKeys, DesiredModel.MaxMessageBytes, "a desired model", Refuse);
        return DesiredModelJson.Parse(document.Span);
    }

    private static DesiredModelException Refuse(SignedDocument.Failure failure, string problem, Exception? cause)
    {
        var check = failure switch
        {
            SignedDocument.Failure.Format => DesiredModelChecks.Format,
            SignedDocument.Failure.Signature => DesiredModelChecks.Signature,
            _ => DesiredModelChecks.Untrusted,
        };
        return cause is null ? new DesiredModelException(check, problem) : new DesiredModelException(check, problem, cause);
    }
}
