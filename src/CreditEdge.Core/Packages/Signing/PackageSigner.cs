using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;

namespace CreditEdge.Core.Packages.Signing;

/// <summary>
/// Signs a package: writes <c>manifest.cose</c>, a COSE_Sign1 (ES256) whose embedded payload is the package digest —
/// the size and SHA-256 of every other file in the package, manifest.json included (see <see cref="PackageDigest"/>).
/// The protected header carries <c>alg</c> = ES256 and <c>kid</c> = the signing key's id (<see cref="SigningKeys.KeyId"/>, ASCII).
/// </summary>
public static class PackageSigner
{
    /// <summary>
    /// Checks the package (<see cref="ModelPackage.Load"/>: a package the device would refuse is never signed), then signs
    /// every file in it. Replaces an existing signature. Returns what was signed.
    /// </summary>
    public static PackageSignature Sign(string packageDirectory, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var package = ModelPackage.Load(packageDirectory);
        if (privateKey.KeySize != 256)
        {
            throw new SigningKeyException($"ES256 needs an ECDSA P-256 key; this key has {privateKey.KeySize} bits");
        }

        var signaturePath = Path.Combine(package.Directory, ModelPackage.SignatureFile);
        var temporary = signaturePath + ".tmp";
        File.Delete(temporary);

        var digest = PackageDigest.Compute(package.Directory, package.Manifest);
        var keyId = SigningKeys.KeyId(privateKey);
        var protectedHeaders = new CoseHeaderMap
        {
            { CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(Encoding.ASCII.GetBytes(keyId)) },
        };
        var signer = new CoseSigner(privateKey, HashAlgorithmName.SHA256, protectedHeaders);
        var message = CoseSign1Message.SignEmbedded(digest.ToCanonicalJson(), signer);

        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(message);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, signaturePath, overwrite: true);
        return new PackageSignature(keyId, digest.ModelId, digest.Version, digest.Sequence, digest.Files);
    }
}
