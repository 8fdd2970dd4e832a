using System.CommandLine;
using System.Globalization;
using CreditEdge.Core.IO;
using CreditEdge.Core.Terminals;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge terminal add|list|revoke --data-dir DIR</c>: the per-terminal API keys of a device (README "Terminals
/// (handhelds)"), in <c>DIR/terminals.json</c>. The running agent picks changes up within a second.
/// </summary>
public static class TerminalCommand
{
    /// <summary>How long a change waits for another <c>cedge</c> run holding the registry's lock.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("terminal", "Manage the per-terminal API keys of a device (handhelds calling its /v1 API).");
        command.Subcommands.Add(CreateAdd(output, error));
        command.Subcommands.Add(CreateList(output));
        command.Subcommands.Add(CreateRevoke(output));
        return command;
    }

    private static Option<DirectoryInfo> DataDirOption()
    {
        var option = new Option<DirectoryInfo>("--data-dir") { Description = $"The agent's DataDirectory (holds {TerminalRegistry.FileName}).", Required = true };
        option.AcceptExistingOnly();
        return option;
    }

    private static Option<string> IdOption(string description) => new("--id") { Description = description, Required = true };

    private static Command CreateAdd(TextWriter output, TextWriter error)
    {
        var dataDir = DataDirOption();
        var id = IdOption($"The new terminal's id: lower-case letters, digits and '-', at most {TerminalRegistry.MaxIdLength} (e.g. handheld-07); never reused.");
        var command = new Command("add", "Add a terminal and print its new key once on stdout (only the key's SHA-256 is stored).") { dataDir, id };
        command.SetAction(parseResult =>
        {
            var terminal = parseResult.GetRequiredValue(id);
            var key = TerminalRegistry.NewKey();
            Change(parseResult.GetRequiredValue(dataDir).FullName, registry => registry.Add(terminal, TerminalRegistry.HashKey(key), TimeProvider.System.GetUtcNow()));
            output.WriteLine(key);
            error.WriteLine($"· terminal {terminal} added; its key is shown only this once: give it to the handheld (Authorization: Bearer KEY)");
            return CedgeApp.Success;
        });
        return command;
    }

    private static Command CreateList(TextWriter output)
    {
        var dataDir = DataDirOption();
        var command = new Command("list", "List the terminals: id, created, status (active/revoked). Never a key.") { dataDir };
        command.SetAction(parseResult =>
        {
            var registry = TerminalRegistry.Read(TerminalRegistry.PathIn(parseResult.GetRequiredValue(dataDir).FullName));
            var width = Math.Max("id".Length, registry.Entries.Select(e => e.Id.Length).DefaultIfEmpty(0).Max());
            output.WriteLine($"{"id".PadRight(width)}  {"created",-20}  status");
            foreach (var entry in registry.Entries)
            {
                var status = entry.RevokedAt is { } revoked ? $"revoked {Timestamp(revoked)}" : "active";
                output.WriteLine($"{entry.Id.PadRight(width)}  {Timestamp(entry.CreatedAt),-20}  {status}");
            }

            return CedgeApp.Success;
        });
        return command;
    }

    private static Command CreateRevoke(TextWriter output)
    {
        var dataDir = DataDirOption();
        var id = IdOption("The terminal to revoke.");
        var command = new Command("revoke", "Revoke a terminal's key: the agent refuses it (401) within a second, without a restart.") { dataDir, id };
        command.SetAction(parseResult =>
        {
            var terminal = parseResult.GetRequiredValue(id);
            Change(parseResult.GetRequiredValue(dataDir).FullName, registry => registry.Revoke(terminal, TimeProvider.System.GetUtcNow()));
            output.WriteLine($"terminal {terminal} revoked");
            return CedgeApp.Success;
        });
        return command;
    }

    /// <summary>Read, change, write under the registry's lock; as root, the files stay owned by the data directory's owner (the agent's user).</summary>
    private static void Change(string dataDirectory, Func<TerminalRegistry, TerminalRegistry> change)
    {
        var path = TerminalRegistry.PathIn(dataDirectory);
        using var lockFile = TerminalRegistry.Lock(dataDirectory, LockWait, TimeProvider.System);
        var changed = change(TerminalRegistry.Read(path));
        changed.Write(path);
        if (Environment.IsPrivilegedProcess)
        {
            var (uid, gid) = FileOwner.Of(dataDirectory);
            FileOwner.Change(path, uid, gid);
            FileOwner.Change(lockFile.Name, uid, gid);
        }
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
