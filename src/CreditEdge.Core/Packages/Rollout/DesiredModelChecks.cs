namespace CreditEdge.Core.Packages.Rollout;

/// <summary>The check names a refused desired-model message carries in <see cref="DesiredModelException.Check"/>.</summary>
public static class DesiredModelChecks
{
    /// <summary>
    /// Not a COSE_Sign1 with an embedded payload, or the signed payload is not a desired-model document: not JSON, another
    /// format, a missing, unknown, repeated or wrong-typed field, bad hex, a chunk list that does not match size and chunk
    /// size, a number or threshold out of range, an invalid target. Also for a model the signer is asked to sign.
    /// </summary>
    public const string Format = "desired-format";

    /// <summary>Not ES256, or the signature does not verify (the payload or header was altered, or another key signed it under a trusted key's id).</summary>
    public const string Signature = "desired-signature";

    /// <summary>Signed by a key that is not trusted (or no key is trusted).</summary>
    public const string Untrusted = "desired-untrusted";
}
