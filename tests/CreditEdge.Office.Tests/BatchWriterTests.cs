using System.Text;
using CreditEdge.Office.Database;
using CreditEdge.Office.Ingest;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CreditEdge.Office.Tests;

/// <summary>The batch writer on both of its decision paths (unnest below the COPY threshold, binary COPY above it) and its one-at-a-time fallback.</summary>
public sealed class BatchWriterTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(BatchWriter.CopyThreshold - 1)]
    [InlineData(BatchWriter.CopyThreshold * 3)]
    public async Task CommitAsync_SameBatchTwiceAndOverlapping_EachDecisionOnce(int size)
    {
        await using var dataSource = await MigratedAsync();
        var writer = new BatchWriter(dataSource, new DecisionPartitions(dataSource));
        var device = new DevicePublisher("mqtt://127.0.0.1:1", "kiosk-w");
        var decisions = device.MakeDecisions(0, size + 10);
        var first = Rows(device, decisions.Take(size));
        var overlapping = Rows(device, decisions.Skip(10)); // all but 10 already stored, and every one twice in the batch
        overlapping.AddRange(Rows(device, decisions.Skip(10)));

        var a = await writer.CommitAsync(first, "w-0", CancellationToken.None);
        var again = await writer.CommitAsync(first, "w-1", CancellationToken.None);
        var b = await writer.CommitAsync(overlapping, "w-1", CancellationToken.None);

        Assert.Equal(size, a.Decisions);
        Assert.Equal(0, again.Decisions);
        Assert.Equal(10, b.Decisions);
        var ids = await OfficeDatabase.DecisionIdsAsync(dataSource.ConnectionString);
        Assert.Equal(decisions.Select(d => d.DecisionId).Order(), ids.Order());
        Assert.Equal(size, await OfficeDatabase.CountAsync(dataSource.ConnectionString, "SELECT count(*) FROM decisions WHERE ingested_by = 'w-0'"));
        Assert.Equal(2, await OfficeDatabase.CountAsync(dataSource.ConnectionString, "SELECT count(DISTINCT tableoid) FROM decisions")); // October and November partitions
    }

    [Theory]
    [InlineData(20)]
    [InlineData(BatchWriter.CopyThreshold * 2)]
    public async Task CommitAsync_OneMessagePostgresRefuses_RestLandsAndThatOneIsRejected(int size)
    {
        await using var dataSource = await MigratedAsync();
        var writer = new BatchWriter(dataSource, new DecisionPartitions(dataSource));
        var device = new DevicePublisher("mqtt://127.0.0.1:1", "kiosk-w");
        var decisions = device.MakeDecisions(0, size);
        var rows = Rows(device, decisions);
        var bad = Encoding.UTF8.GetString(DevicePublisher.DecisionJsonOf(decisions[0] with { DecisionId = "bad-one", ApplicationId = "PLACEHOLDER" }))
            .Replace("PLACEHOLDER", "\\udc00", StringComparison.Ordinal);
        rows.Insert(size / 2, OfficeMessageParser.Parse("creditedge/devices/kiosk-w/decisions", Encoding.UTF8.GetBytes(bad), Now));

        var result = await writer.CommitAsync(rows, "w-0", CancellationToken.None);

        Assert.Equal(size, result.Decisions);
        Assert.Equal(1, result.Rejected);
        Assert.Equal(decisions.Select(d => d.DecisionId).Order(), (await OfficeDatabase.DecisionIdsAsync(dataSource.ConnectionString)).Order());
        var reason = Assert.Single(await OfficeDatabase.PairsAsync(dataSource.ConnectionString, "SELECT topic, reason FROM rejected_messages"));
        Assert.StartsWith("refused by PostgreSQL: 22", reason.Item2, StringComparison.Ordinal);
    }

    private static List<object> Rows(DevicePublisher device, IEnumerable<CreditEdge.Core.Decisions.Decision> decisions) =>
        decisions.Select(d => OfficeMessageParser.Parse($"creditedge/devices/{device.DeviceId}/decisions", DevicePublisher.DecisionJsonOf(d), Now)).ToList();

    private async Task<NpgsqlDataSource> MigratedAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync());
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return dataSource;
    }
}
