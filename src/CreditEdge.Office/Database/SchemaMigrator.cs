using Microsoft.Extensions.Logging;
using Npgsql;

namespace CreditEdge.Office.Database;

/// <summary>
/// Brings the database to the newest schema at start: every step of <see cref="Migrations.All"/> not yet in
/// <c>schema_migrations</c>, in order, each in its own transaction. The whole pass runs under a PostgreSQL advisory lock,
/// so two office processes starting together take turns: the second finds the steps done and applies nothing.
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    /// <summary>The advisory lock key of schema migration ("cedge-mg").</summary>
    internal const long LockKey = 0x63656467652D6D67;

    /// <summary>Applies what is missing; returns the versions it applied (empty when the schema was current).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);
            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var done = new List<int>();
            foreach (var migration in Migrations.All.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
                    record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                Log.Applied(logger, migration.Version, migration.Name);
                done.Add(migration.Version);
            }

            return done;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Schema migration {Version} ({Name}) applied")]
        public static partial void Applied(ILogger logger, int version, string name);
    }
}
