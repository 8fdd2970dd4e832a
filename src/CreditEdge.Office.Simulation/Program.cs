using System.CommandLine;
using CreditEdge.Office.Simulation;

var root = new RootCommand("The office's scale simulation: simulated CreditEdge devices over MQTT 5.");
root.Subcommands.Add(SimulateCommand.Create(Console.Out, Console.Error));
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"creditedge-office-sim: {parsed.Errors[0].Message.ReplaceLineEndings(" ")}");
    return 2;
}

try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception ex) when (ex is IOException or MQTTnet.Exceptions.MqttCommunicationException or CreditEdge.Core.Packages.ModelPackageException
    or CreditEdge.Messaging.FleetPublishException or OperationCanceledException)
{
    Console.Error.WriteLine($"creditedge-office-sim: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}
