namespace CreditEdge.Core.Packages.Signing;

/// <summary>The check names a refused signature carries in <see cref="ModelPackageException.Check"/>.</summary>
public static class SignatureChecks
{
    /// <summary>The package has no <c>manifest.cose</c>.</summary>
    public const string Missing = "signature-missing";

    /// <summary><c>manifest.cose</c> is not an ES256 COSE_Sign1 with an embedded payload, or its signature does not verify.</summary>
    public const string Invalid = "signature-invalid";

    /// <summary>The signature was not made by any trusted key (or no key is trusted).</summary>
    public const string Untrusted = "signature-untrusted";

    /// <summary>The signature is good but the package's files are not the ones it covers.</summary>
    public const string Content = "signature-content";
}
