using System.Security.Cryptography;
using CreditEdge.Agent.Options;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Inference;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Models;

/// <summary>
/// Holds the active model. Readers take <see cref="Current"/> once per request; a switch replaces the reference
/// atomically, so scoring never stops and never sees half a model.
/// </summary>
public sealed partial class ModelHost : IDisposable
{
    private readonly AgentOptions _agent;
    private readonly ModelsOptions _models;
    private readonly ILogger<ModelHost> _logger;
    private readonly TimeProvider _timeProvider;
    private volatile LoadedModel? _current;

    public ModelHost(IOptions<AgentOptions> agent, IOptions<ModelsOptions> models, ILogger<ModelHost> logger, TimeProvider timeProvider)
    {
        _agent = agent.Value;
        _models = models.Value;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>The active model, or null when none could be loaded.</summary>
    public LoadedModel? Current => _current;

    /// <summary>Why the last load failed, for <c>/readyz</c>.</summary>
    public string? LoadError { get; private set; }

    /// <summary>Where the device's trusted package-signing keys are (<c>Models:TrustDirectory</c>).</summary>
    public string TrustDirectory => _models.TrustDirectoryOrDefault(_agent.DataDirectory);

    /// <summary>
    /// Checks the configured package's signature (when keys are trusted), then loads it; on failure logs the reason and
    /// leaves the agent without a model (503).
    /// </summary>
    public void LoadConfigured()
    {
        var directory = _agent.ModelDirectory;
        try
        {
            CheckSignature(directory);
            var model = LoadedModel.Load(directory, _models.Variant, new OnnxScorerOptions { IntraOpThreads = _models.IntraOpThreads }, _timeProvider);
            foreach (var skipped in model.Choice.Trials.Where(t => !t.Passed))
            {
                LogVariantSkipped(_logger, skipped.Name, model.Ref.Id, model.Choice.Cpu, skipped.Failure!);
            }

            Activate(model);
            Log.ModelLoaded(_logger, model.Ref.Id, model.Ref.Version, model.Ref.Variant, model.Ref.Sha256, model.Package.Directory, model.GoldenChecked);
            LogVariantChosen(_logger, model.Ref.Variant, model.Choice.Mode, model.Choice.Cpu, model.Choice.Reason);
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

    /// <summary>
    /// With at least one <c>*.pem</c> in the trust directory the package must carry a signature by one of those keys;
    /// with none, signatures are not enforced and a warning says so. An unreadable trust store refuses every package.
    /// </summary>
    private void CheckSignature(string directory)
    {
        var trustDirectory = TrustDirectory;
        if (SigningKeys.TrustFiles(trustDirectory).Count == 0)
        {
            LogSignaturesNotEnforced(_logger, trustDirectory, directory);
            return;
        }

        IReadOnlyList<ECDsa> keys;
        try
        {
            keys = SigningKeys.LoadTrustedKeys(trustDirectory);
        }
        catch (SigningKeyException ex)
        {
            throw new ModelPackageException("trust-store", $"the trusted keys in '{trustDirectory}' cannot be used, so no package is accepted: {ex.Message}", ex);
        }

        try
        {
            var signature = PackageVerifier.Verify(directory, keys);
            LogSignatureVerified(_logger, signature.ModelId, signature.Version, signature.KeyId, signature.Files.Count);
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Running variant {Variant} ({Mode}) on {Cpu}: {Reason}")]
    private static partial void LogVariantChosen(ILogger logger, string variant, string mode, string cpu, string reason);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Variant {Variant} of {ModelId} is skipped on this CPU ({Cpu}) and never run: {Failure}")]
    private static partial void LogVariantSkipped(ILogger logger, string variant, string modelId, string cpu, string failure);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "No trusted keys (*.pem) in {TrustDirectory}: package signatures are NOT enforced; loading {Directory} without a signature check")]
    private static partial void LogSignaturesNotEnforced(ILogger logger, string trustDirectory, string directory);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Package {ModelId} {Version} is signed by trusted key {KeyId} ({Files} files covered)")]
    private static partial void LogSignatureVerified(ILogger logger, string modelId, string version, string keyId, int files);
}
