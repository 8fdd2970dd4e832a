using CreditEdge.Agent.Models;
using CreditEdge.Core.Decisions;

namespace CreditEdge.Agent;

/// <summary>
/// Opens the decision store and loads the model before the API takes requests. A store that cannot be opened
/// (locked by another process, wrong key) stops the agent; a model that cannot be loaded leaves it answering 503.
/// </summary>
internal sealed class StartupService(IDecisionStore store, ModelHost models) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = store.IsWritable; // resolving the store opened it
        models.LoadConfigured();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
