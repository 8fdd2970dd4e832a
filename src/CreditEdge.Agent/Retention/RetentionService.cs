using CreditEdge.Agent.Options;
using CreditEdge.Core.Threading;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Retention;

/// <summary>
/// Deletes decisions older than <see cref="StorageOptions.RetentionDays"/> that the broker has acknowledged (and device
/// events of the audit chain older than that, which are never synced), once at start
/// and then every <see cref="StorageOptions.RetentionInterval"/>, in transactions of <see cref="BatchSize"/> so scoring
/// never waits long behind it. Nothing runs while <c>RetentionDays</c> is 0 (keep everything). A pass that fails (a disk
/// fault) is logged and the next one tries again.
/// </summary>
public sealed partial class RetentionService : BackgroundService
{
    public const int BatchSize = 500;

    private readonly LiteDecisionStore _store;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RetentionService> _logger;
    private long _deleted;

    public RetentionService(LiteDecisionStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<RetentionService> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Audit links (decisions with their records, device events) this process deleted by retention.</summary>
    public long Deleted => Interlocked.Read(ref _deleted);

    /// <summary>One pass: deletes every decision and device event that is due; returns how many.</summary>
    public int DeleteDue(CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow().AddDays(-_options.RetentionDays);
        var total = 0;
        int deleted;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleted = _store.DeleteSyncedBefore(cutoff, BatchSize);
            total += deleted;
            Interlocked.Add(ref _deleted, deleted);
        }
        while (deleted == BatchSize);

        if (total > 0)
        {
            Log.Deleted(_logger, total, _options.RetentionDays);
        }

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.RetentionDays == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.RetentionInterval, _time);
        do
        {
            try
            {
                DeleteDue(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StorageException ex)
            {
                Log.PassFailed(_logger, ex);
            }
        }
        while (await timer.TickOrStopAsync(stoppingToken));
    }


    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Retention deleted {Count} audit links (synced decisions, device events) older than {Days} days; the audit chain keeps their last hash as its checkpoint")]
        public static partial void Deleted(ILogger logger, int count, int days);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Retention pass failed; the next pass retries")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
