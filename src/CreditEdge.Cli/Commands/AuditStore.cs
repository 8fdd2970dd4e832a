using CreditEdge.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Cli.Commands;

/// <summary>How the audit commands open a stopped agent's store: only one that exists, under the data directory's lock.</summary>
internal static class AuditStore
{
    /// <summary>
    /// Opens the store in <paramref name="directory"/> the way the agent does (taking the directory lock, so it is refused
    /// while an agent runs there); throws <see cref="StorageException"/> when there is no store, rather than create one.
    /// </summary>
    public static LiteDecisionStore OpenExisting(string directory, string? keyFile)
    {
        var database = Path.Combine(directory, DecisionStoreSettings.DatabaseFile);
        if (!File.Exists(database) || new FileInfo(database).Length == 0)
        {
            // Open would create an empty store (and a key); an audit never writes one
            throw new StorageException($"no decision store in '{directory}' ({DecisionStoreSettings.DatabaseFile} is missing)");
        }

        return LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = directory, KeyFile = keyFile }, NullLogger.Instance);
    }
}
