using System.CommandLine;
using System.Globalization;
using CreditEdge.Core.Packages;
using CreditEdge.Storage;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge audit replay --data-dir DIR --packages DIR [DIR …] [--key-file FILE]</c>: re-decides every decision in a stopped
/// agent's store on the package variant that made it (matched by the variant file's SHA-256) and reports each one that
/// would not be decided the same today.
/// </summary>
public static class AuditReplayCommand
{
    private const int PageSize = 256;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir") { Description = "The agent's DataDirectory (holds decisions.db).", Required = true };
        var packages = new Option<DirectoryInfo[]>("--packages")
        {
            Description = "Package directories to replay on; a decision is replayed on the variant whose file has its model SHA-256.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var keyFile = new Option<FileInfo>("--key-file") { Description = $"The store's key file (default: <data-dir>/{DecisionStoreSettings.DefaultKeyFile})." };
        dataDir.AcceptExistingOnly();
        packages.AcceptExistingOnly();
        keyFile.AcceptExistingOnly();

        var command = new Command("replay",
            "Re-decide every stored decision from its stored input row on the model that made it, and compare probability " +
            $"(|Δ| ≤ {ModelContract.GoldenTolerance.ToString("0e0", CultureInfo.InvariantCulture)}), score, outcome and reason codes. Prints one line per decision that differs or " +
            "whose package was not given, then a summary; exit 0 only when every decision replays identically. Takes the data " +
            "directory's lock like 'audit verify': stop the agent first.")
        {
            dataDir, packages, keyFile,
        };
        command.SetAction(parseResult =>
        {
            // packages first: a package that cannot be loaded is refused before the store is touched
            var loaded = parseResult.GetRequiredValue(packages).Select(d => ModelPackage.Load(d.FullName)).ToArray();
            using var replayer = new DecisionReplayer(loaded);
            long total = 0, differ = 0, missing = 0;
            using (var store = AuditStore.OpenExisting(parseResult.GetRequiredValue(dataDir).FullName, parseResult.GetValue(keyFile)?.FullName))
            {
                for (var page = store.ReadPage(null, PageSize); page.Count > 0; page = store.ReadPage(page[^1].DecisionId, PageSize))
                {
                    foreach (var decision in page)
                    {
                        total++;
                        if (!replayer.TryReplay(decision, out var differences))
                        {
                            missing++;
                            var model = decision.Model;
                            output.WriteLine($"{decision.DecisionId}: no package with model sha256 {model.Sha256} ({model.Id} {model.Version} {model.Variant}) was given");
                        }
                        else if (differences.Count > 0)
                        {
                            differ++;
                            output.WriteLine($"{decision.DecisionId}: {string.Join(", ", differences)}");
                        }
                    }
                }
            }

            output.WriteLine($"{total} decisions replayed: {total - differ - missing} identical, {differ} differ, {missing} without package");
            if (differ + missing > 0)
            {
                error.WriteLine($"cedge: {differ + missing} of {total} decisions did not replay identically ({differ} differ, {missing} without package)");
                return CedgeApp.Failure;
            }

            return CedgeApp.Success;
        });
        return command;
    }
}
