using CreditEdge.Core.Packages.Signing;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

public sealed class KeysCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cedge-keys");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void KeysGenerate_NewDirectory_WritesPrivateKey0600AndPublicKey()
    {
        var keys = _temp.Combine("keys");

        var result = Cedge.Run("keys", "generate", "--out", keys);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.ErrorLines);
        var privatePath = Path.Combine(keys, SigningKeys.PrivateKeyFile);
        var publicPath = Path.Combine(keys, SigningKeys.PublicKeyFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(privatePath));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(privatePath), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(publicPath), StringComparison.Ordinal);
        using var privateKey = SigningKeys.LoadPrivateKey(privatePath);
        using var publicKey = SigningKeys.LoadPublicKey(publicPath);
        Assert.Equal(SigningKeys.KeyId(privateKey), SigningKeys.KeyId(publicKey));
        Assert.Contains($"key id {SigningKeys.KeyId(publicKey)}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysGenerate_KeysAlreadyThere_RefusesAndKeepsThem()
    {
        var keys = _temp.Combine("keys");
        Assert.Equal(0, Cedge.Run("keys", "generate", "--out", keys).ExitCode);
        var before = File.ReadAllText(Path.Combine(keys, SigningKeys.PrivateKeyFile));

        var result = Cedge.Run("keys", "generate", "--out", keys);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("already exists", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(keys, SigningKeys.PrivateKeyFile)));
    }
}
