using System.CommandLine;
using System.Text.Json;
using CreditEdge.Core.Decisions;
using CreditEdge.Storage;

namespace CreditEdge.Cli.Commands;

/// <summary><c>cedge audit verify --data-dir DIR [--key-file FILE]</c>: walks the audit chain of a stopped agent's store.</summary>
public static class AuditVerifyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir") { Description = "The agent's DataDirectory (holds decisions.db).", Required = true };
        var keyFile = new Option<FileInfo>("--key-file") { Description = $"The store's key file (default: <data-dir>/{DecisionStoreSettings.DefaultKeyFile})." };
        var salvage = new Option<FileInfo>("--salvage")
        {
            Description = "When the store is damaged, write every decision that could still be read to this file (JSON lines).",
        };
        dataDir.AcceptExistingOnly();
        keyFile.AcceptExistingOnly();

        var command = new Command("verify",
            "Recompute every link of the decision store's audit chain, reading the store read-only under the data " +
            "directory's lock: it is refused while an agent runs on that directory (stop the agent first). A damaged " +
            "store is left as it is: verify reads what it can from a copy, reports it, and exits 1.")
        {
            dataDir, keyFile, salvage,
        };
        command.SetAction(parseResult =>
        {
            var directory = parseResult.GetRequiredValue(dataDir).FullName;
            AuditReport report;
            try
            {
                report = LiteDecisionStore.VerifyStopped(new DecisionStoreSettings { DataDirectory = directory, KeyFile = parseResult.GetValue(keyFile)?.FullName });
            }
            catch (DamagedStoreException ex)
            {
                return Salvage(directory, parseResult.GetValue(keyFile)?.FullName, parseResult.GetValue(salvage), ex, output, error);
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

    private static int Salvage(string directory, string? keyFile, FileInfo? salvageFile, DamagedStoreException damage, TextWriter output, TextWriter error)
    {
        error.WriteLine($"cedge: {damage.Message}");
        var salvage = AuditSalvage.Read(directory, keyFile);
        foreach (var line in salvage.Describe())
        {
            output.WriteLine(line);
        }

        if (salvageFile is not null && salvage.ReadableDecisions.Count > 0)
        {
            using var file = new StreamWriter(salvageFile.FullName, append: false);
            foreach (var decision in salvage.ReadableDecisions)
            {
                file.WriteLine(JsonSerializer.Serialize(decision, DecisionJson.Default.Decision));
            }

            output.WriteLine($"{salvage.ReadableDecisions.Count} readable decisions written to {salvageFile.FullName}");
        }

        return CedgeApp.Failure;
    }
}
