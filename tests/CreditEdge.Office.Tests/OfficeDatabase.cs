using CreditEdge.TestKit;
using Npgsql;

namespace CreditEdge.Office.Tests;

/// <summary>Reads what the office stored, for assertions.</summary>
public static class OfficeDatabase
{
    public static async Task<List<string>> DecisionIdsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT decision_id FROM decisions", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<List<(string, string)>> PairsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!, Convert.ToString(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)!));
        }

        return rows;
    }

    /// <summary>
    /// Waits until <c>decisions</c> holds <paramref name="expected"/>'s count, then asserts it holds exactly those ids, each
    /// once (no loss, no extra row, no second copy of a re-sent decision).
    /// </summary>
    public static async Task AssertExactlyOnceAsync(string connectionString, IReadOnlyCollection<string> expected, TimeSpan timeout)
    {
        try
        {
            await Eventually.HoldsAsync(async () => await CountAsync(connectionString, "SELECT count(*) FROM decisions") >= expected.Count, timeout, $"{expected.Count} decisions stored");
        }
        catch (TimeoutException)
        {
            // fall through: the comparison below says what is missing
        }

        await Task.Delay(500); // anything still in flight (a re-delivery) lands now, and would show as an extra row
        var stored = await DecisionIdsAsync(connectionString);
        var missing = expected.Except(stored, StringComparer.Ordinal).ToList();
        var twice = stored.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var extra = stored.Except(expected, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && twice.Count == 0 && extra.Count == 0,
            $"stored {stored.Count} of {expected.Count}: missing {missing.Count} (e.g. {string.Join(", ", missing.Take(3))}), twice {twice.Count} (e.g. {string.Join(", ", twice.Take(3))}), extra {extra.Count}");
    }
}
