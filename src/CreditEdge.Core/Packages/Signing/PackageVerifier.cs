using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;

namespace CreditEdge.Core.Packages.Signing;

/// <summary>
/// Verifies <c>manifest.cose</c>: an ES256 COSE_Sign1 by one of the trusted keys whose embedded package digest matches
/// the package's files exactly — every file listed is there with the same size and SHA-256, and no file is there that
/// the digest does not list. Any changed, added or removed byte anywhere in the package fails.
/// </summary>
public static class PackageVerifier
{
    /// <summary>COSE algorithm id of ES256 (ECDSA P-256 with SHA-256).</summary>
    public const int Es256 = -7;

    private const int MaxSignatureBytes = 1 << 20;

    /// <summary>
    /// Returns the verified signature, or throws <see cref="ModelPackageException"/> whose check is one of
    /// <see cref="SignatureChecks"/>: <c>signature-missing</c>, <c>signature-invalid</c>, <c>signature-untrusted</c>,
    /// <c>signature-content</c>.
    /// </summary>
    public static PackageSignature Verify(string packageDirectory, IReadOnlyList<ECDsa> trustedKeys)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageDirectory);
        ArgumentNullException.ThrowIfNull(trustedKeys);
        var directory = Path.GetFullPath(packageDirectory);
        if (!Directory.Exists(directory))
        {
            throw new ModelPackageException("directory", $"'{directory}' does not exist");
        }

        var message = ReadMessage(Path.Combine(directory, ModelPackage.SignatureFile));
        var keyId = SignerKeyId(message);
        var signer = FindSigner(message, keyId, trustedKeys);
        var digest = PackageDigest.Parse(message.Content!.Value.Span);
        CompareFiles(directory, digest);
        return new PackageSignature(signer, digest.ModelId, digest.Version, digest.Sequence, digest.Files);
    }

    private static CoseSign1Message ReadMessage(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelPackageException(SignatureChecks.Missing, $"the package is not signed: '{path}' does not exist (sign it with 'cedge model sign')");
        }

        var length = new FileInfo(path).Length;
        if (length > MaxSignatureBytes)
        {
            throw new ModelPackageException(SignatureChecks.Invalid, $"'{path}' has {length} bytes; a package signature is far smaller");
        }

        CoseSign1Message message;
        try
        {
            message = CoseMessage.DecodeSign1(File.ReadAllBytes(path));
        }
        // The decoder also lets OverflowException (an integer header label beyond Int32) and InvalidOperationException escape.
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException or OverflowException)
        {
            throw new ModelPackageException(SignatureChecks.Invalid, $"'{path}' is not a COSE_Sign1 message: {ex.Message}", ex);
        }

        if (message.Content is null)
        {
            throw new ModelPackageException(SignatureChecks.Invalid, $"'{path}' has a detached payload; a package signature embeds its digest");
        }

        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var alg))
        {
            throw new ModelPackageException(SignatureChecks.Invalid, $"'{path}' has no algorithm in its protected header");
        }

        int algorithm;
        try
        {
            algorithm = alg.GetValueAsInt32();
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelPackageException(SignatureChecks.Invalid, $"'{path}' names its algorithm by text; ES256 ({Es256}) is required", ex);
        }

        if (algorithm != Es256)
        {
            throw new ModelPackageException(SignatureChecks.Invalid, $"'{path}' uses COSE algorithm {algorithm}; ES256 ({Es256}) is required");
        }

        return message;
    }

    private static string? SignerKeyId(CoseSign1Message message)
    {
        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.KeyIdentifier, out var kid))
        {
            return null;
        }

        try
        {
            return Encoding.ASCII.GetString(kid.GetValueAsBytes());
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelPackageException(SignatureChecks.Invalid, "the signature's key id is not a byte string", ex);
        }
    }

    /// <summary>The id of the trusted key that made the signature.</summary>
    private static string FindSigner(CoseSign1Message message, string? keyId, IReadOnlyList<ECDsa> trustedKeys)
    {
        var signedBy = keyId is null ? "a key without id" : $"key {keyId}";
        if (trustedKeys.Count == 0)
        {
            throw new ModelPackageException(SignatureChecks.Untrusted, $"signed by {signedBy}, but no key is trusted");
        }

        var ids = trustedKeys.Select(SigningKeys.KeyId).ToArray();
        var named = keyId is null ? [] : Enumerable.Range(0, ids.Length).Where(i => ids[i] == keyId).ToArray();
        if (named.Length > 0)
        {
            // the signer's id (protected, so signed) names a trusted key: its verdict is final
            if (named.Any(i => Verifies(message, trustedKeys[i])))
            {
                return keyId!;
            }

            throw new ModelPackageException(SignatureChecks.Invalid, $"the signature by trusted key {keyId} does not verify: the signature or its payload was altered");
        }

        for (var i = 0; i < trustedKeys.Count; i++)
        {
            if (Verifies(message, trustedKeys[i]))
            {
                return ids[i];
            }
        }

        throw new ModelPackageException(SignatureChecks.Untrusted,
            $"signed by {signedBy}, which is not trusted (trusted: {string.Join(", ", ids)})");
    }

    private static bool Verifies(CoseSign1Message message, ECDsa key)
    {
        try
        {
            return message.VerifyEmbedded(key);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static void CompareFiles(string directory, PackageDigest digest)
    {
        var signed = new Dictionary<string, PackageFileDigest>(StringComparer.Ordinal);
        foreach (var file in digest.Files)
        {
            if (!signed.TryAdd(file.Path, file))
            {
                throw new ModelPackageException(SignatureChecks.Content, $"the signed digest lists '{file.Path}' twice");
            }
        }

        if (!signed.ContainsKey(ModelPackage.ManifestFile))
        {
            throw new ModelPackageException(SignatureChecks.Content, $"the signed digest does not cover {ModelPackage.ManifestFile}");
        }

        // the manifest first: when it differs, the signature is most likely another package's (or another version's)
        var actual = PackageDigest.HashFiles(directory).OrderBy(f => f.Path == ModelPackage.ManifestFile ? 0 : 1).ToArray();
        foreach (var file in actual)
        {
            if (!signed.Remove(file.Path, out var expected))
            {
                throw new ModelPackageException(SignatureChecks.Content, $"'{file.Path}' is not covered by the signature (added after signing?)");
            }

            if (file.SizeBytes != expected.SizeBytes || !string.Equals(file.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                var whose = file.Path == ModelPackage.ManifestFile ? $" (the manifest of {digest.ModelId} {digest.Version}, sequence {digest.Sequence})" : "";
                throw new ModelPackageException(SignatureChecks.Content,
                    $"'{file.Path}' has {file.SizeBytes} bytes, SHA-256 {file.Sha256}; the signature covers {expected.SizeBytes} bytes, SHA-256 {expected.Sha256}{whose}");
            }
        }

        if (signed.Count > 0)
        {
            throw new ModelPackageException(SignatureChecks.Content, $"'{signed.Keys.Order(StringComparer.Ordinal).First()}' is covered by the signature but missing");
        }
    }
}
