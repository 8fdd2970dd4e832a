using System.CommandLine;
using CreditEdge.Messaging.Central;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge fleet ingest --broker URL --out FILE</c>: the office's consumer. Appends each device decision once (by
/// decision id) to a JSON-lines file, with a persistent session so nothing published while it was away is missed.
/// </summary>
public static class FleetIngestCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var (broker, username, password) = FleetCommand.ConnectionOptions();
        var outFile = new Option<FileInfo>("--out") { Description = "JSON-lines file of unique decisions (appended; ids already in it are not written again).", Required = true };
        var clientId = new Option<string>("--client-id") { Description = "MQTT client id of this consumer's persistent session.", DefaultValueFactory = _ => "cedge-ingest" };
        var duration = new Option<TimeSpan?>("--duration") { Description = "Stop after this long (default: until Ctrl+C)." };
        var count = new Option<long?>("--until-count") { Description = "Stop once the file holds this many unique decisions." };
        var command = new Command("ingest", "Collect every device's decisions exactly once into a JSON-lines file.") { broker, username, password, outFile, clientId, duration, count };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (parseResult.GetValue(duration) is { } limit)
            {
                stop.CancelAfter(limit);
            }

            await using var ingest = await DecisionIngest.StartAsync(parseResult.GetRequiredValue(broker), parseResult.GetRequiredValue(outFile).FullName,
                parseResult.GetRequiredValue(clientId), parseResult.GetValue(username), FleetCommand.Password(parseResult, password), stop.Token);
            await error.WriteLineAsync($"· ingesting into {parseResult.GetRequiredValue(outFile).FullName} ({ingest.Unique} decisions already there)");
            var target = parseResult.GetValue(count);
            try
            {
                while (target is null || ingest.Unique < target)
                {
                    await Task.Delay(100, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // duration reached or Ctrl+C: a normal end
            }

            await output.WriteLineAsync($"{ingest.Unique} unique decisions, {ingest.Duplicates} duplicates dropped");
            return CedgeApp.Success;
        });
        return command;
    }
}
