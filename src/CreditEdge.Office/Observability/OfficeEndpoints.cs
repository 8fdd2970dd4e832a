using System.Globalization;
using System.Text;
using CreditEdge.Office.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace CreditEdge.Office.Observability;

/// <summary><c>/healthz</c> (alive), <c>/readyz</c> (database reachable, schema migrated, every worker connected), <c>/metrics</c> (Prometheus text).</summary>
public static class OfficeEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapOfficeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
        app.MapGet("/metrics", (IngestWorkers workers) => Results.Text(Metrics(workers), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> ReadyAsync(IngestWorkers workers, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var database = await ProbeDatabaseAsync(dataSource, cancellationToken);
        if (database is not null)
        {
            problems.Add($"database: {database}");
        }

        if (workers.SchemaProblem is { } schema)
        {
            problems.Add(schema);
        }

        foreach (var worker in workers.Workers)
        {
            if (!worker.Stats.Connected)
            {
                problems.Add($"worker {worker.ClientId} not connected to the broker{(worker.Stats.ConnectError is { } e ? $": {e}" : string.Empty)}");
            }

            if (worker.Stats.CommitError is { } commit)
            {
                problems.Add($"worker {worker.ClientId} cannot commit: {commit}");
            }
        }

        var body = new
        {
            ready = problems.Count == 0,
            problems,
            workers = workers.Workers.Select(w => new { clientId = w.ClientId, connected = w.Stats.Connected, queueDepth = w.Stats.QueueDepth }),
        };
        return Results.Json(body, statusCode: problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Null when <c>SELECT 1</c> answers within the probe timeout; else why not.</summary>
    private static async Task<string?> ProbeDatabaseAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {ProbeTimeout.TotalSeconds} s";
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    private static string Metrics(IngestWorkers workers)
    {
        var text = new StringBuilder();
        void Family(string name, string type, string help) => text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
        void Sample(string name, string labels, double value) => text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value}\n");

        Family("office_rows_total", "counter", "Rows added by committed batches, per table and worker (duplicates add none).");
        foreach (var w in workers.Workers)
        {
            foreach (var (table, rows) in w.Stats.Rows)
            {
                Sample("office_rows_total", $"table=\"{table}\",worker=\"{w.ClientId}\"", rows);
            }
        }

        Family("office_messages_total", "counter", "Messages committed and acknowledged, per worker.");
        foreach (var w in workers.Workers)
        {
            Sample("office_messages_total", $"worker=\"{w.ClientId}\"", w.Stats.Messages);
        }

        Family("office_batches_total", "counter", "Batches committed, per worker.");
        foreach (var w in workers.Workers)
        {
            Sample("office_batches_total", $"worker=\"{w.ClientId}\"", w.Stats.Batches);
        }

        Family("office_commit_failures_total", "counter", "Batch commits that failed and were retried, per worker.");
        foreach (var w in workers.Workers)
        {
            Sample("office_commit_failures_total", $"worker=\"{w.ClientId}\"", w.Stats.CommitFailures);
        }

        Family("office_commit_seconds_total", "counter", "Time spent in successful batch commits, per worker.");
        foreach (var w in workers.Workers)
        {
            Sample("office_commit_seconds_total", $"worker=\"{w.ClientId}\"", w.Stats.CommitTime.TotalSeconds);
        }

        Family("office_last_commit_seconds", "gauge", "Duration of the last successful batch commit, per worker.");
        foreach (var w in workers.Workers)
        {
            Sample("office_last_commit_seconds", $"worker=\"{w.ClientId}\"", w.Stats.LastCommit.TotalSeconds);
        }

        Family("office_queue_depth", "gauge", "Messages received and not yet acknowledged, per worker.");
        foreach (var w in workers.Workers)
        {
            Sample("office_queue_depth", $"worker=\"{w.ClientId}\"", w.Stats.QueueDepth);
        }

        Family("office_receive_stalls_total", "counter", "Times the echo probe found a worker's receive path stalled and the connection was replaced.");
        foreach (var w in workers.Workers)
        {
            Sample("office_receive_stalls_total", $"worker=\"{w.ClientId}\"", w.Stalls);
        }

        Family("office_worker_connected", "gauge", "1 while the worker is connected to the broker.");
        foreach (var w in workers.Workers)
        {
            Sample("office_worker_connected", $"worker=\"{w.ClientId}\"", w.Stats.Connected ? 1 : 0);
        }

        return text.ToString();
    }
}
