using CreditEdge.Agent.Models;
using CreditEdge.Core.Decisions;

namespace CreditEdge.Agent;

/// <summary>
/// Opens the decision store and loads the model before the API takes requests. A store that cannot be opened
/// (locked by another process, wrong key) stops the agent; a model that cannot be loaded leaves it answering 503.
/// </summary>
/// <remarks>
/// The two are the cold half of start to ready (LiteDB's first open, ORT's session and the golden replay) and share
/// nothing, so they run at once: this is the first hosted service built (<see cref="AgentApp"/>), and its constructor
/// starts the model load; the services built after it open the store as they are built, on the host's thread.
/// </remarks>
internal sealed class StartupService : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly Task _modelLoad;

    public StartupService(ModelHost models, IServiceProvider services)
    {
        _services = services;
        _modelLoad = Task.Run(models.LoadConfigured);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _services.GetRequiredService<IDecisionStore>().IsWritable; // resolving the store opened it (if nothing did before)
        await _modelLoad.WaitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
