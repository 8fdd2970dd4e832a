using System.CommandLine;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge keys generate --out DIR</c>: a new signing key pair; never overwrites one.</summary>
public static class KeysGenerateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var outDir = new Option<DirectoryInfo>("--out")
        {
            Description = $"Directory for {SigningKeys.PrivateKeyFile} (PKCS#8 PEM, mode 0600) and {SigningKeys.PublicKeyFile} (SPKI PEM). Existing keys are never overwritten.",
            Required = true,
        };

        var command = new Command("generate", "Generate an ECDSA P-256 key pair for signing model packages.") { outDir };
        command.SetAction(parseResult =>
        {
            using var key = SigningKeys.Generate();
            var (privatePath, publicPath) = SigningKeys.WriteKeyPair(key, parseResult.GetRequiredValue(outDir).FullName);
            output.WriteLine($"wrote {privatePath} (private, mode 0600) and {publicPath}; key id {SigningKeys.KeyId(key)}");
            error.WriteLine($"· keep {SigningKeys.PrivateKeyFile} secret; copy {SigningKeys.PublicKeyFile} into each device's trust directory (Models:TrustDirectory)");
            return CedgeApp.Success;
        });
        return command;
    }
}
