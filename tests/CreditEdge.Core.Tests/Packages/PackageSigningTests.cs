using System.Formats.Cbor;
using System.Security.Cryptography;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Tests.Packages;

public sealed class PackageSigningTests : IDisposable
{
    private const string GoldenFile = "golden.jsonl";
    private const CborTag CoseSign1Tag = (CborTag)18; // RFC 9052

    private readonly TestPackage _package = new();
    private readonly ECDsa _key = SigningKeys.Generate();
    private readonly ECDsa _otherKey = SigningKeys.Generate();

    public PackageSigningTests()
    {
        _package.WriteManifest(TestPackage.ValidManifest());
        File.WriteAllText(GoldenPath, "{\"features\":{},\"input\":[1,2,3,4,5],\"expected\":{\"fp32\":0.25}}\n");
        File.WriteAllText(Path.Combine(_package.Directory, "MODEL_CARD.md"), "# test model\n");
    }

    private string GoldenPath => Path.Combine(_package.Directory, GoldenFile);

    private string SignaturePath => Path.Combine(_package.Directory, ModelPackage.SignatureFile);

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
        _package.Dispose();
    }

    private PackageSignature Verify(params ECDsa[] trusted) => PackageVerifier.Verify(_package.Directory, trusted);

    private ModelPackageException Refused(params ECDsa[] trusted) => Assert.Throws<ModelPackageException>(() => Verify(trusted));

    private static void FlipByte(string path, int? at = null)
    {
        var bytes = File.ReadAllBytes(path);
        var index = at ?? bytes.Length / 2;
        bytes[index] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void Verify_SignedPackage_ReturnsSignerAndCoversEveryFile()
    {
        var signed = PackageSigner.Sign(_package.Directory, _key);

        var sut = Verify(_otherKey, _key);

        Assert.Equal(SigningKeys.KeyId(_key), sut.KeyId);
        Assert.Equal(signed.KeyId, sut.KeyId);
        Assert.Equal("test-credit", sut.ModelId);
        Assert.Equal("1.2.3", sut.Version);
        Assert.Equal(7, sut.Sequence);
        Assert.Equal(["MODEL_CARD.md", GoldenFile, ModelPackage.ManifestFile, TestPackage.ModelFile], sut.Files.Select(f => f.Path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(GoldenPath))), sut.Files.Single(f => f.Path == GoldenFile).Sha256);
    }

    [Fact]
    public void Sign_Twice_ReplacesTheSignature()
    {
        PackageSigner.Sign(_package.Directory, _otherKey);
        PackageSigner.Sign(_package.Directory, _key);

        Assert.Equal(SigningKeys.KeyId(_key), Verify(_key).KeyId);
        Assert.False(File.Exists(SignaturePath + ".tmp"));
    }

    [Fact]
    public void Sign_PackageTheDeviceWouldRefuse_IsNotSigned()
    {
        FlipByte(_package.ModelPath);

        var ex = Assert.Throws<ModelPackageException>(() => PackageSigner.Sign(_package.Directory, _key));

        Assert.Equal("variant-hash", ex.Check);
        Assert.False(File.Exists(SignaturePath));
    }

    [Fact]
    public void Verify_OneByteOfManifestChanged_FailsContent()
    {
        PackageSigner.Sign(_package.Directory, _key);
        FlipByte(_package.ManifestPath);

        var ex = Refused(_key);

        Assert.Equal(SignatureChecks.Content, ex.Check);
        Assert.Contains("'manifest.json'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OneByteOfModelChanged_FailsContent()
    {
        PackageSigner.Sign(_package.Directory, _key);
        FlipByte(_package.ModelPath, at: 0);

        var ex = Refused(_key);

        Assert.Equal(SignatureChecks.Content, ex.Check);
        Assert.Contains($"'{TestPackage.ModelFile}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OneByteOfGoldenChanged_FailsContent()
    {
        PackageSigner.Sign(_package.Directory, _key);
        FlipByte(GoldenPath);

        var ex = Refused(_key);

        Assert.Equal(SignatureChecks.Content, ex.Check);
        Assert.Contains($"'{GoldenFile}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FileAddedAfterSigning_FailsContent()
    {
        PackageSigner.Sign(_package.Directory, _key);
        Directory.CreateDirectory(Path.Combine(_package.Directory, "report"));
        File.WriteAllText(Path.Combine(_package.Directory, "report", "extra.html"), "<p>added</p>");

        var ex = Refused(_key);

        Assert.Equal(SignatureChecks.Content, ex.Check);
        Assert.Contains("'report/extra.html' is not covered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SignedFileRemoved_FailsContent()
    {
        PackageSigner.Sign(_package.Directory, _key);
        File.Delete(Path.Combine(_package.Directory, "MODEL_CARD.md"));

        var ex = Refused(_key);

        Assert.Equal(SignatureChecks.Content, ex.Check);
        Assert.Contains("'MODEL_CARD.md' is covered by the signature but missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SignatureRemoved_FailsMissing()
    {
        PackageSigner.Sign(_package.Directory, _key);
        File.Delete(SignaturePath);

        Assert.Equal(SignatureChecks.Missing, Refused(_key).Check);
    }

    [Fact]
    public void Verify_SignedByUntrustedKey_FailsUntrustedNamingTheKey()
    {
        PackageSigner.Sign(_package.Directory, _otherKey);

        var ex = Refused(_key);

        Assert.Equal(SignatureChecks.Untrusted, ex.Check);
        Assert.Contains(SigningKeys.KeyId(_otherKey), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_NoTrustedKeys_FailsUntrusted()
    {
        PackageSigner.Sign(_package.Directory, _key);

        Assert.Equal(SignatureChecks.Untrusted, Refused().Check);
    }

    [Fact]
    public void Verify_SignatureByteChanged_FailsInvalid()
    {
        PackageSigner.Sign(_package.Directory, _key);
        var bytes = File.ReadAllBytes(SignaturePath);
        bytes[^1] ^= 0x01; // last byte of the ECDSA signature
        File.WriteAllBytes(SignaturePath, bytes);

        Assert.Equal(SignatureChecks.Invalid, Refused(_key).Check);
    }

    [Fact]
    public void Verify_NotCose_FailsInvalid()
    {
        File.WriteAllText(SignaturePath, "not a signature");

        Assert.Equal(SignatureChecks.Invalid, Refused(_key).Check);
    }

    [Fact]
    public void Verify_HeaderLabelBeyondInt32_FailsInvalidNotAnOverflow()
    {
        // The COSE decoder reads integer header labels as Int32 and throws OverflowException past it.
        byte[] protectedHeader = [0xA1, 0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x26];
        File.WriteAllBytes(SignaturePath, [0xD2, 0x84, (byte)(0x40 + protectedHeader.Length), .. protectedHeader, 0xA0, 0x41, 0x00, 0x40]);

        var refused = Refused(_key);

        Assert.Equal(SignatureChecks.Invalid, refused.Check);
        Assert.IsType<OverflowException>(refused.InnerException);
    }

    [Fact]
    public void Verify_SignatureOfAnotherPackage_FailsContent()
    {
        using var other = new TestPackage();
        other.WriteManifest(TestPackage.ValidManifest() with { Version = "9.9.9", Sequence = 99 });
        PackageSigner.Sign(other.Directory, _key);
        File.Copy(Path.Combine(other.Directory, ModelPackage.SignatureFile), SignaturePath);

        var ex = Refused(_key);

        // a genuine signature by a trusted key, but over another package's files
        Assert.Equal(SignatureChecks.Content, ex.Check);
        Assert.Contains("'manifest.json'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("test-credit 9.9.9, sequence 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_PayloadSwappedForAnotherPackagesDigest_FailsInvalid()
    {
        using var other = new TestPackage();
        other.WriteManifest(TestPackage.ValidManifest() with { Version = "9.9.9", Sequence = 99 });
        PackageSigner.Sign(other.Directory, _key);
        var otherPayload = Sign1Parts(File.ReadAllBytes(Path.Combine(other.Directory, ModelPackage.SignatureFile))).Payload;
        PackageSigner.Sign(_package.Directory, _key);
        var mine = Sign1Parts(File.ReadAllBytes(SignaturePath));
        File.WriteAllBytes(SignaturePath, WriteSign1(mine.Protected, otherPayload, mine.Signature));

        Assert.Equal(SignatureChecks.Invalid, Refused(_key).Check);
    }

    [Fact]
    public void LoadTrustedKeys_DirectoryWithPublicAndPrivateKeys_TrustsThePublicOnes()
    {
        var keys = Path.Combine(_package.Root, "keys");
        SigningKeys.WriteKeyPair(_key, keys);

        var trusted = SigningKeys.LoadTrustedKeys(keys);

        var single = Assert.Single(trusted);
        Assert.Equal(SigningKeys.KeyId(_key), SigningKeys.KeyId(single));
        Assert.Throws<SigningKeyException>(() => SigningKeys.LoadPublicKey(Path.Combine(keys, SigningKeys.PrivateKeyFile)));
    }

    [Fact]
    public void WriteKeyPair_Twice_RefusesToOverwrite()
    {
        var keys = Path.Combine(_package.Root, "keys");
        SigningKeys.WriteKeyPair(_key, keys);
        var before = File.ReadAllText(Path.Combine(keys, SigningKeys.PrivateKeyFile));

        Assert.Throws<SigningKeyException>(() => SigningKeys.WriteKeyPair(_otherKey, keys));
        Assert.Equal(before, File.ReadAllText(Path.Combine(keys, SigningKeys.PrivateKeyFile)));
        using var loaded = SigningKeys.LoadPrivateKey(Path.Combine(keys, SigningKeys.PrivateKeyFile));
        Assert.Equal(SigningKeys.KeyId(_key), SigningKeys.KeyId(loaded));
    }

    [Fact]
    public void KeyId_IsFirst16HexOfSpkiSha256()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()))[..16];

        Assert.Equal(expected, SigningKeys.KeyId(_key));
    }

    private static (byte[] Protected, byte[] Payload, byte[] Signature) Sign1Parts(byte[] message)
    {
        var reader = new CborReader(message);
        Assert.Equal(CoseSign1Tag, reader.ReadTag());
        Assert.Equal(4, reader.ReadStartArray());
        var protectedHeader = reader.ReadByteString();
        reader.SkipValue(); // unprotected header map
        var payload = reader.ReadByteString();
        var signature = reader.ReadByteString();
        return (protectedHeader, payload, signature);
    }

    private static byte[] WriteSign1(byte[] protectedHeader, byte[] payload, byte[] signature)
    {
        var writer = new CborWriter();
        writer.WriteTag(CoseSign1Tag);
        writer.WriteStartArray(4);
        writer.WriteByteString(protectedHeader);
        writer.WriteStartMap(0);
        writer.WriteEndMap();
        writer.WriteByteString(payload);
        writer.WriteByteString(signature);
        writer.WriteEndArray();
        return writer.Encode();
    }
}
