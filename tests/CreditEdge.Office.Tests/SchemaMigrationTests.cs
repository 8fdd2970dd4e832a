using CreditEdge.Office.Database;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CreditEdge.Office.Tests;

public sealed class SchemaMigrationTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task MigrateAsync_SecondRun_AppliesNothingAndKeepsRows()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var first = await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var insert = dataSource.CreateCommand(
            "INSERT INTO devices (device_id, state, last_seen, status) VALUES ('kiosk-1', 'online', now(), '{}')"))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var second = await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

        Assert.Equal(Migrations.All.Select(m => m.Version), first);
        Assert.Empty(second);
        Assert.Equal(1L, await ScalarAsync<long>(dataSource, "SELECT count(*) FROM devices"));
        Assert.Equal(Migrations.All.Count, (int)await ScalarAsync<long>(dataSource, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_TwoOfficesAtOnce_BothSucceedAndEachStepIsAppliedOnce()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var a = NpgsqlDataSource.Create(connectionString);
        await using var b = NpgsqlDataSource.Create(connectionString);

        var results = await Task.WhenAll(
            Task.Run(() => new SchemaMigrator(a, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None)),
            Task.Run(() => new SchemaMigrator(b, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None)));

        Assert.Equal(Migrations.All.Select(m => m.Version).Order(), results.SelectMany(r => r).Order());
        Assert.Equal(Migrations.All.Count, (int)await ScalarAsync<long>(a, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1L, await ScalarAsync<long>(a, "SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = 'decisions'"));
    }

    [Fact]
    public async Task EnsureAsync_MonthWithoutPartition_CreatesItOnceEvenWhenRacing()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var month = new DateOnly(2031, 7, 1);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new DecisionPartitions(dataSource).EnsureAsync([month], CancellationToken.None))));

        Assert.Equal(1L, await ScalarAsync<long>(dataSource, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = 'decisions_y2031m07'"));
    }

    internal static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
