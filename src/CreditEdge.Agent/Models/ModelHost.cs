using CreditEdge.Agent.Options;
using CreditEdge.Core.Packages;
using CreditEdge.Inference;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Models;

/// <summary>
/// Holds the active model. Readers take <see cref="Current"/> once per request; a switch replaces the reference
/// atomically, so scoring never stops and never sees half a model.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly AgentOptions _agent;
    private readonly ModelsOptions _models;
    private readonly ILogger<ModelHost> _logger;
    private volatile LoadedModel? _current;

    public ModelHost(IOptions<AgentOptions> agent, IOptions<ModelsOptions> models, ILogger<ModelHost> logger)
    {
        _agent = agent.Value;
        _models = models.Value;
        _logger = logger;
    }

    /// <summary>The active model, or null when none could be loaded.</summary>
    public LoadedModel? Current => _current;

    /// <summary>Why the last load failed, for <c>/readyz</c>.</summary>
    public string? LoadError { get; private set; }

    /// <summary>Loads the configured package; on failure logs the reason and leaves the agent without a model (503).</summary>
    public void LoadConfigured()
    {
        var directory = _agent.ModelDirectory;
        try
        {
            var variant = string.Equals(_models.Variant, "auto", StringComparison.OrdinalIgnoreCase) ? null : _models.Variant;
            var model = LoadedModel.Load(directory, variant, new OnnxScorerOptions { IntraOpThreads = _models.IntraOpThreads });
            Activate(model);
            Log.ModelLoaded(_logger, model.Ref.Id, model.Ref.Version, model.Ref.Variant, model.Ref.Sha256, model.Package.Directory, model.GoldenChecked);
        }
        catch (ModelPackageException ex)
        {
            LoadError = ex.Message;
            Log.ModelLoadFailed(_logger, directory, ex.Message);
        }
    }

    /// <summary>Makes <paramref name="model"/> the active one. The previous session stays open for requests already using it.</summary>
    public void Activate(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _current = model;
        LoadError = null;
    }

    public void Dispose() => _current?.Dispose();
}
