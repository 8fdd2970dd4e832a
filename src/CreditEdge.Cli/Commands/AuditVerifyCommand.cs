using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CreditEdge.Core.Audit;
using CreditEdge.Core.Decisions;
using CreditEdge.Storage;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge audit verify --data-dir DIR [--key-file FILE]</c>: walks the audit chain of a stopped agent's store and lists
/// the device events (tamper, unlock, terminal added or revoked) that verified in it.
/// </summary>
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
            "store is left as it is: verify reads what it can from a copy, reports it, and exits 1. Device events recorded in " +
            $"the chain (tamper, unlock, terminal added or revoked) that verified are counted and listed, the last {AuditReport.MaxLastEvents} one per line.")
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
                WriteEvents(output, report.EventsVerified, report.LastEvents);
                return CedgeApp.Failure;
            }

            output.WriteLine(report.Describe());
            WriteEvents(output, report.EventsVerified, report.LastEvents);
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

        WriteEvents(output, salvage.VerifiedEvents.Count, salvage.VerifiedEvents.TakeLast(AuditReport.MaxLastEvents).ToList());

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

    /// <summary>How many events verified, then one line each for the last of them (<paramref name="events"/>); nothing when none did.</summary>
    private static void WriteEvents(TextWriter output, long count, IReadOnlyCollection<(long Sequence, AuditEvent Event)> events)
    {
        if (count == 0)
        {
            return;
        }

        var verified = $"{count} {(count == 1 ? "event" : "events")} verified";
        output.WriteLine(count > events.Count ? $"{verified}, the last {events.Count}:" : $"{verified}:");
        foreach (var (sequence, e) in events)
        {
            output.WriteLine($"  link {sequence}  {e.At.ToString("u", CultureInfo.InvariantCulture)}  {e.Type.ReplaceLineEndings(" ")}  {e.Detail.ReplaceLineEndings(" ")}");
        }
    }
}
