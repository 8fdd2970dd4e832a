using CreditEdge.Office.Database;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreditEdge.Office.Ingest;

/// <summary>The office's <see cref="OfficeOptions.Workers"/> ingest workers and the schema's state, as /readyz and /metrics see them.</summary>
internal sealed class IngestWorkers
{
    private string? _schemaProblem = "schema not migrated yet";

    public IngestWorkers(IOptions<OfficeOptions> options, BatchWriter writer, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<IngestWorker>();
        Workers = Enumerable.Range(0, options.Value.Workers).Select(n => new IngestWorker(n, options.Value, writer, time, logger)).ToList();
    }

    public IReadOnlyList<IngestWorker> Workers { get; }

    /// <summary>Why the schema is not ready (not migrated yet, or the last attempt's error); null once migrated.</summary>
    public string? SchemaProblem => Volatile.Read(ref _schemaProblem);

    internal void SetSchemaProblem(string? problem) => Volatile.Write(ref _schemaProblem, problem);
}
