using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace CreditEdge.Office.Database;

/// <summary>
/// The monthly partitions of <c>decisions</c> (<c>decisions_yYYYYmMM</c>, UTC months). A month's partition is created
/// before the first batch that holds one of its decisions, in a short transaction of its own under an advisory lock
/// (so two workers never race on it, and no batch transaction holds row locks while it waits for the DDL).
/// </summary>
public sealed class DecisionPartitions(NpgsqlDataSource dataSource)
{
    /// <summary>The advisory lock key of partition creation ("cedge-pt").</summary>
    internal const long LockKey = 0x63656467652D7074;

    private readonly ConcurrentDictionary<DateOnly, bool> _known = new();

    /// <summary>The first day (UTC) of the month holding <paramref name="at"/>.</summary>
    public static DateOnly MonthOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateOnly(utc.Year, utc.Month, 1);
    }

    public static string TableName(DateOnly month) => string.Create(CultureInfo.InvariantCulture, $"decisions_y{month.Year:D4}m{month.Month:D2}");

    /// <summary>Makes sure every month of <paramref name="months"/> has its partition.</summary>
    public async Task EnsureAsync(IEnumerable<DateOnly> months, CancellationToken cancellationToken)
    {
        var missing = months.Distinct().Where(m => !_known.ContainsKey(m)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({LockKey})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var month in missing)
        {
            var next = month.AddMonths(1);
            var sql = string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS {TableName(month)} PARTITION OF decisions FOR VALUES FROM ('{month:yyyy-MM-dd} 00:00:00+00') TO ('{next:yyyy-MM-dd} 00:00:00+00')");
            await using var create = new NpgsqlCommand(sql, connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var month in missing)
        {
            _known[month] = true;
        }
    }
}
