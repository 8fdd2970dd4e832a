using CreditEdge.Agent;
using CreditEdge.Core.Packages;
using CreditEdge.Storage;
using Microsoft.Extensions.Options;

if (args is [GoldenReplayCommand.Name, .. var packages])
{
    return GoldenReplayCommand.Run(packages, Console.Out, Console.Error);
}

try
{
    await using var app = AgentApp.Create(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is StorageException or ModelPackageException or OptionsValidationException)
{
    await Console.Error.WriteLineAsync($"creditedge-agent: {ex.Message}");
    return 1;
}
