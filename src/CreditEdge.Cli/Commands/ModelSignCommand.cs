using System.CommandLine;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge model sign DIR --key FILE</c>: writes the package's <c>manifest.cose</c>.</summary>
public static class ModelSignCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Package directory." };
        var key = new Option<FileInfo>("--key") { Description = "Private signing key (PKCS#8 PEM, from 'cedge keys generate').", Required = true };
        directory.AcceptExistingOnly();
        key.AcceptExistingOnly();

        var command = new Command("sign", "Check a package and sign all of its files (manifest.cose, COSE_Sign1 ES256). Replaces an existing signature.")
        {
            directory, key,
        };
        command.SetAction(parseResult =>
        {
            using var privateKey = SigningKeys.LoadPrivateKey(parseResult.GetRequiredValue(key).FullName);
            var signature = PackageSigner.Sign(parseResult.GetRequiredValue(directory).FullName, privateKey);
            output.WriteLine($"signed {signature.ModelId} {signature.Version} (sequence {signature.Sequence}) with key {signature.KeyId}: {signature.Files.Count} files covered");
            return CedgeApp.Success;
        });
        return command;
    }
}
