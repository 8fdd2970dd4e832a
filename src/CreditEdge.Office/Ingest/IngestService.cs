using CreditEdge.Office.Database;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreditEdge.Office.Ingest;

/// <summary>
/// Migrates the schema (retrying with backoff while the database cannot be reached: /readyz says why), creates this
/// month's and next month's decision partitions, then runs every ingest worker until the host stops.
/// </summary>
internal sealed partial class IngestService(
    IngestWorkers workers, SchemaMigrator migrator, DecisionPartitions partitions, IOptions<OfficeOptions> options, TimeProvider time, ILogger<IngestService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                await migrator.MigrateAsync(stoppingToken);
                var month = DecisionPartitions.MonthOf(time.GetUtcNow());
                await partitions.EnsureAsync([month, month.AddMonths(1)], stoppingToken);
                workers.SetSchemaProblem(null);
                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                workers.SetSchemaProblem($"schema migration failed: {ex.Message}");
                var delay = TimeSpan.FromTicks(Math.Min(options.Value.RetryMaxDelay.Ticks, options.Value.RetryMinDelay.Ticks << Math.Min(failures, 16)));
                Log.MigrationFailed(logger, failures, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, time, stoppingToken);
            }
        }

        await Task.WhenAll(workers.Workers.Select(w => w.RunAsync(stoppingToken)));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5201, Level = LogLevel.Error, Message = "Schema migration failed (attempt {Attempt}), retrying in {DelaySeconds:F1} s: {Reason}")]
        public static partial void MigrationFailed(ILogger logger, int attempt, double delaySeconds, string reason);
    }
}
