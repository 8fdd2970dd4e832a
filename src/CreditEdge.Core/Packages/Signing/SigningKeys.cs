using System.Security.Cryptography;
using System.Text;

namespace CreditEdge.Core.Packages.Signing;

/// <summary>
/// ECDSA P-256 key files for package signing: the private key as unencrypted PKCS#8 PEM (<c>PRIVATE KEY</c>, mode 0600),
/// the public key as SubjectPublicKeyInfo PEM (<c>PUBLIC KEY</c>). A key is named by its id: the first 16 hex characters
/// of the SHA-256 of its SubjectPublicKeyInfo DER.
/// </summary>
public static class SigningKeys
{
    public const string PrivateKeyFile = "signing.key.pem";
    public const string PublicKeyFile = "signing.pub.pem";

    private const string PrivateLabel = "PRIVATE KEY";
    private const string EcPrivateLabel = "EC PRIVATE KEY";
    private const string PublicLabel = "PUBLIC KEY";
    private const int MaxKeyFileBytes = 64 * 1024;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>A new P-256 key pair.</summary>
    public static ECDsa Generate() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>First 16 lower-case hex characters of SHA-256(SubjectPublicKeyInfo DER).</summary>
    public static string KeyId(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }

    /// <summary>
    /// Writes <c>signing.key.pem</c> (0600) and <c>signing.pub.pem</c> into <paramref name="directory"/> (created if needed).
    /// Refuses when either file exists: an existing key is never overwritten.
    /// </summary>
    public static (string PrivateKeyPath, string PublicKeyPath) WriteKeyPair(ECDsa key, string directory)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        var privatePath = Path.Combine(full, PrivateKeyFile);
        var publicPath = Path.Combine(full, PublicKeyFile);
        foreach (var path in new[] { privatePath, publicPath })
        {
            if (File.Exists(path))
            {
                throw new SigningKeyException($"'{path}' already exists; keys are never overwritten (move it away or choose another --out)");
            }
        }

        Directory.CreateDirectory(full);
        WriteNew(privatePath, key.ExportPkcs8PrivateKeyPem(), OwnerOnly);
        WriteNew(publicPath, key.ExportSubjectPublicKeyInfoPem(), WorldReadable);
        return (privatePath, publicPath);
    }

    /// <summary>Reads an unencrypted PKCS#8 (or SEC1) P-256 private key; refuses a file other users can read.</summary>
    public static ECDsa LoadPrivateKey(string path)
    {
        var (label, pem) = ReadPem(path);
        if (label is not (PrivateLabel or EcPrivateLabel))
        {
            throw new SigningKeyException(label == "ENCRYPTED PRIVATE KEY"
                ? $"'{path}' holds an encrypted private key; cedge needs an unencrypted PKCS#8 key (cedge keys generate writes one)"
                : $"'{path}' holds a '{label}', not a private key");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new SigningKeyException($"private key '{path}' is accessible to other users (mode {Convert.ToString((int)mode, 8)}); run: chmod 600 '{path}'");
            }
        }

        return Import(path, pem);
    }

    /// <summary>Reads one SubjectPublicKeyInfo P-256 public key (<c>PUBLIC KEY</c> PEM).</summary>
    public static ECDsa LoadPublicKey(string path)
    {
        var (label, pem) = ReadPem(path);
        if (label != PublicLabel)
        {
            throw new SigningKeyException(label.Contains("PRIVATE", StringComparison.Ordinal)
                ? $"'{path}' holds a private key; trust only public keys (signing.pub.pem)"
                : $"'{path}' holds a '{label}', not a public key");
        }

        return Import(path, pem);
    }

    /// <summary>
    /// The trusted keys at <paramref name="path"/>: one public key PEM file, or every public key <c>*.pem</c> in a directory
    /// (private key files there are skipped; none is an empty list). Any unreadable file fails the whole load: a trust
    /// store is used as a whole or not at all.
    /// </summary>
    public static IReadOnlyList<ECDsa> LoadTrustedKeys(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return [LoadPublicKey(path)];
        }

        if (!Directory.Exists(path))
        {
            throw new SigningKeyException($"trust '{path}' is neither a public key file nor a directory of them");
        }

        var keys = new List<ECDsa>();
        try
        {
            foreach (var file in TrustFiles(path))
            {
                // a key directory from 'cedge keys generate' also holds the private key: it is no trust anchor, skip it
                if (ReadPem(file).Label.Contains("PRIVATE", StringComparison.Ordinal))
                {
                    continue;
                }

                keys.Add(LoadPublicKey(file));
            }
        }
        catch
        {
            keys.ForEach(k => k.Dispose());
            throw;
        }

        return keys;
    }

    /// <summary>The <c>*.pem</c> files of a trust directory, sorted; empty when the directory does not exist.</summary>
    public static IReadOnlyList<string> TrustFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.pem", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal).ToArray()
            : [];

    private static (string Label, string Pem) ReadPem(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new SigningKeyException($"key file '{path}' does not exist");
        }

        if (new FileInfo(path).Length > MaxKeyFileBytes)
        {
            throw new SigningKeyException($"'{path}' is too large to be a key file");
        }

        var pem = File.ReadAllText(path, Encoding.ASCII);
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new SigningKeyException($"'{path}' is not a PEM file");
        }

        return (pem[fields.Label].ToString(), pem);
    }

    private static ECDsa Import(string path, string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var curve = key.ExportParameters(includePrivateParameters: false).Curve;
            if (key.KeySize != 256 || curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new SigningKeyException($"'{path}' is not an ECDSA P-256 key (ES256 needs P-256)");
            }

            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new SigningKeyException($"'{path}' is not an ECDSA P-256 key: {ex.Message}", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static void WriteNew(string path, string text, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(Encoding.ASCII.GetBytes(text + "\n"));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new SigningKeyException($"'{path}' already exists; keys are never overwritten", ex);
        }
    }
}
