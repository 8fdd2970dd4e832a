using System.CommandLine;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge model verify DIR --trust FILE</c>: the signature, then the package checks a device makes before loading.</summary>
public static class ModelVerifyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Package directory." };
        var trust = new Option<FileSystemInfo>("--trust")
        {
            Description = "A trusted public key (PEM), or a directory of them (*.pem) such as a device's trust directory.",
            Required = true,
        };
        directory.AcceptExistingOnly();
        trust.AcceptExistingOnly();

        var command = new Command("verify", "Verify a package's signature against trusted keys, and its manifest and variant files.") { directory, trust };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetRequiredValue(directory).FullName;
            var keys = SigningKeys.LoadTrustedKeys(parseResult.GetRequiredValue(trust).FullName);
            try
            {
                var signature = PackageVerifier.Verify(path, keys);
                var package = ModelPackage.Load(path);
                output.WriteLine($"verified {package.Manifest.Id} {package.Manifest.Version} (sequence {package.Manifest.Sequence}): signed by trusted key {signature.KeyId}, {signature.Files.Count} files intact");
                return CedgeApp.Success;
            }
            finally
            {
                foreach (var key in keys)
                {
                    key.Dispose();
                }
            }
        });
        return command;
    }
}
