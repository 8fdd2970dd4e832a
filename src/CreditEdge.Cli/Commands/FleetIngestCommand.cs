using System.CommandLine;
using System.Text.RegularExpressions;
using CreditEdge.Messaging.Central;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge fleet ingest --broker URL --out FILE</c>: the office's consumer. Appends each device decision once (by
/// decision id) to a JSON-lines file through a persistent session that reconnects like the device's link, acknowledging
/// each decision only once its line is on disk, so nothing published while it was away or reconnecting is missed.
/// </summary>
public static partial class FleetIngestCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var (broker, username, password) = FleetCommand.ConnectionOptions();
        var outFile = new Option<FileInfo>("--out") { Description = "JSON-lines file of unique decisions (appended; ids already in it are not written again).", Required = true };
        var clientId = new Option<string>("--client-id")
        {
            Description = "MQTT client id of this consumer's persistent session: the same id gets what was queued while it was away.",
            DefaultValueFactory = _ => "cedge-ingest",
        };
        clientId.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } id && !ClientIdRule().IsMatch(id))
            {
                r.AddError($"--client-id must be 1-64 letters, digits, '.', '_' or '-', not '{id}'");
            }
        });
        var sessionExpiry = new Option<TimeSpan>("--session-expiry")
        {
            Description = "How long the broker keeps the session (and queues decisions for it) while ingest is away.",
            DefaultValueFactory = _ => TimeSpan.FromDays(30),
        };
        sessionExpiry.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<TimeSpan>() is var t && (t <= TimeSpan.Zero || t.TotalSeconds > uint.MaxValue))
            {
                r.AddError($"--session-expiry must be positive and at most {TimeSpan.FromSeconds(uint.MaxValue):c}, not {t:c}");
            }
        });
        var duration = new Option<TimeSpan?>("--duration") { Description = "Stop after this long (default: until Ctrl+C)." };
        var count = new Option<long?>("--until-count") { Description = "Stop once the file holds this many unique decisions." };
        var command = new Command("ingest", "Collect every device's decisions exactly once into a JSON-lines file.")
        {
            broker, username, password, outFile, clientId, sessionExpiry, duration, count,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (parseResult.GetValue(duration) is { } limit)
            {
                stop.CancelAfter(limit);
            }

            var file = parseResult.GetRequiredValue(outFile).FullName;
            var id = parseResult.GetRequiredValue(clientId);
            var logger = new LineLogger(error, LogLevel.Information);
            await using var ingest = DecisionIngest.Open(file, logger);
            await error.WriteLineAsync($"· ingesting into {file} as {id} ({ingest.Unique} decisions already there)");
            var run = ingest.RunAsync(FleetCommand.Connection(parseResult, broker, username, password), id, parseResult.GetValue(sessionExpiry),
                TimeProvider.System, stop.Token);
            var target = parseResult.GetValue(count);
            try
            {
                while ((target is null || ingest.Unique < target) && !run.IsCompleted)
                {
                    await Task.Delay(100, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // duration reached or Ctrl+C: a normal end
            }

            await stop.CancelAsync();
            await run; // hands on what was received, then disconnects; throws if the file could not be written
            await output.WriteLineAsync($"{ingest.Unique} unique decisions, {ingest.Duplicates} duplicates dropped");
            return CedgeApp.Success;
        });
        return command;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ClientIdRule();
}
