using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

public sealed class ModelSignVerifyCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cedge-sign");
    private readonly string _keys;
    private readonly string _package;

    public ModelSignVerifyCommandTests()
    {
        _keys = _temp.Combine("keys");
        Assert.Equal(0, Cedge.Run("keys", "generate", "--out", _keys).ExitCode);
        _package = PackageCopy.OfDefault(_temp.Combine("package"));
    }

    private string PrivateKey => Path.Combine(_keys, SigningKeys.PrivateKeyFile);

    private string PublicKey => Path.Combine(_keys, SigningKeys.PublicKeyFile);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SignThenVerify_DefaultPackageCopy_Succeeds()
    {
        var signed = Cedge.Run("model", "sign", _package, "--key", PrivateKey);
        var verified = Cedge.Run("model", "verify", _package, "--trust", PublicKey);

        Assert.Equal(0, signed.ExitCode);
        Assert.True(File.Exists(Path.Combine(_package, ModelPackage.SignatureFile)));
        Assert.Equal(0, verified.ExitCode);
        Assert.Contains("verified taiwan-credit", verified.Output, StringComparison.Ordinal);
        Assert.Empty(verified.Error);
    }

    [Fact]
    public void Verify_TrustGivenAsKeyDirectory_Succeeds()
    {
        Assert.Equal(0, Cedge.Run("model", "sign", _package, "--key", PrivateKey).ExitCode);

        var verified = Cedge.Run("model", "verify", _package, "--trust", _keys);

        Assert.Equal(0, verified.ExitCode);
    }

    [Theory]
    [InlineData("golden.jsonl")]
    [InlineData("model.fp32.onnx")]
    [InlineData("manifest.json")]
    [InlineData("MODEL_CARD.md")]
    public void Verify_OneByteChangedAfterSigning_FailsWithOneLine(string file)
    {
        Assert.Equal(0, Cedge.Run("model", "sign", _package, "--key", PrivateKey).ExitCode);
        var path = Path.Combine(_package, file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);

        var result = Cedge.Run("model", "verify", _package, "--trust", PublicKey);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cedge: ", line, StringComparison.Ordinal);
        Assert.Contains(SignatureChecks.Content, line, StringComparison.Ordinal);
        Assert.Contains($"'{file}'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_Unsigned_FailsSignatureMissing()
    {
        var result = Cedge.Run("model", "verify", _package, "--trust", PublicKey);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(SignatureChecks.Missing, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OtherOperatorsKey_FailsUntrusted()
    {
        var otherKeys = _temp.Combine("other");
        Assert.Equal(0, Cedge.Run("keys", "generate", "--out", otherKeys).ExitCode);
        Assert.Equal(0, Cedge.Run("model", "sign", _package, "--key", PrivateKey).ExitCode);

        var result = Cedge.Run("model", "verify", _package, "--trust", Path.Combine(otherKeys, SigningKeys.PublicKeyFile));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(SignatureChecks.Untrusted, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_PrivateKeyReadableByOthers_Refused()
    {
        File.SetUnixFileMode(PrivateKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var result = Cedge.Run("model", "sign", _package, "--key", PrivateKey);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("chmod 600", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_package, ModelPackage.SignatureFile)));
    }
}
