using System.CommandLine;
using CreditEdge.Storage;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge audit verify --data-dir DIR [--key-file FILE]</c>: walks the audit chain of a stopped agent's store.</summary>
public static class AuditVerifyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir") { Description = "The agent's DataDirectory (holds decisions.db).", Required = true };
        var keyFile = new Option<FileInfo>("--key-file") { Description = $"The store's key file (default: <data-dir>/{DecisionStoreSettings.DefaultKeyFile})." };
        dataDir.AcceptExistingOnly();
        keyFile.AcceptExistingOnly();

        var command = new Command("verify",
            "Recompute every link of the decision store's audit chain. Opens the store the way the agent does, taking the " +
            "data directory's lock: it is refused while an agent runs on that directory (stop the agent first).")
        {
            dataDir, keyFile,
        };
        command.SetAction(parseResult =>
        {
            AuditReport report;
            using (var store = AuditStore.OpenExisting(parseResult.GetRequiredValue(dataDir).FullName, parseResult.GetValue(keyFile)?.FullName))
            {
                report = store.VerifyAuditChain();
            }

            if (!report.Intact)
            {
                error.WriteLine($"cedge: {report.Describe()}");
                return CedgeApp.Failure;
            }

            output.WriteLine(report.Describe());
            return CedgeApp.Success;
        });
        return command;
    }
}
