using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using CreditEdge.Agent.Options;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Inference;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Models;

/// <summary>
/// Holds the active model. Requests take a lease with <see cref="Acquire"/> (or read <see cref="Current"/> for its
/// description); a switch replaces the reference atomically, so scoring never stops and never sees half a model. A replaced
/// model stays open for the requests still holding it and is closed once none does (checked every
/// <see cref="RetireGrace"/>).
/// </summary>
public sealed partial class ModelHost : IDisposable
{
    /// <summary>
    /// How long a replaced model stays open before its first close attempt, and the interval of later ones while a request
    /// still holds a lease on it. The lease count is what makes closing safe; the grace only spares a check per request.
    /// </summary>
    public static readonly TimeSpan RetireGrace = TimeSpan.FromSeconds(30);

    private readonly AgentOptions _agent;
    private readonly ModelsOptions _models;
    private readonly ILogger<ModelHost> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<LoadedModel, ITimer> _retiring = new();
    private readonly Lock _switchGate = new();
    private volatile LoadedModel? _current;
    private volatile ActiveSnapshot? _active;
    private bool _disposed;

    public ModelHost(IOptions<AgentOptions> agent, IOptions<ModelsOptions> models, ModelSlots slots, ILogger<ModelHost> logger, TimeProvider timeProvider)
    {
        _agent = agent.Value;
        _models = models.Value;
        Slots = slots;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>The active model, or null when none could be loaded. For its description; scoring uses <see cref="Acquire"/>.</summary>
    public LoadedModel? Current => _current;

    /// <summary>Why the last load failed, for <c>/readyz</c>.</summary>
    public string? LoadError { get; private set; }

    /// <summary>Where the device's trusted package-signing keys are (<c>Models:TrustDirectory</c>).</summary>
    public string TrustDirectory => _models.TrustDirectoryOrDefault(_agent.DataDirectory);

    /// <summary>The device's model slots and active pointer (<c>&lt;DataDirectory&gt;/models</c>).</summary>
    public ModelSlots Slots { get; }

    /// <summary>
    /// The pointer record the running model was started or switched from (its slot, id, version, archive SHA-256, rollout
    /// sequence, previous slot); null when the running model is the configured <c>ModelDirectory</c> or none is loaded.
    /// </summary>
    public ActiveModelRecord? ActiveRecord => _active?.Record;

    /// <summary>Where the running model was loaded from (a slot or the configured directory); null when none is loaded.</summary>
    public ModelSource? ActiveSource => _active?.Source;

    /// <summary>
    /// Loads the model to run at start, first that passes every check (signature when trust keys are present, package,
    /// golden replay, variant choice):
    /// <list type="number">
    /// <item>the slot <c>models/active.json</c> names;</item>
    /// <item>else the pointer's previous slot (the reason is logged, and the pointer is rewritten to name that slot without
    /// a previous one, so the next install overwrites the refused slot and never the running one);</item>
    /// <item>else the configured <c>ModelDirectory</c> (a missing or damaged pointer goes straight here);</item>
    /// </list>
    /// and when none loads, logs the reason and leaves the agent without a model (503).
    /// </summary>
    public void LoadConfigured()
    {
        if (Slots.ReadActive() is { } pointer && TryStartFromSlots(pointer))
        {
            return;
        }

        var directory = _agent.ModelDirectory;
        try
        {
            Run(LoadChecked(directory), new ModelSource(directory, Slot: null), record: null);
        }
        catch (ModelPackageException ex)
        {
            LoadError = ex.Message;
            Log.ModelLoadFailed(_logger, directory, ex.Message);
        }
    }

    /// <summary>
    /// Switches the running agent to the package installed in <paramref name="slot"/> (<see cref="ModelSlots.Install"/>):
    /// loads it with every start check, then writes the pointer (<see cref="ModelSlots.Activate"/>), then makes it the active
    /// model. A package that fails a check throws <see cref="ModelPackageException"/> naming it, and nothing changes; a pointer
    /// that cannot be written throws <see cref="IOException"/>, and nothing changes either. A rollback is a switch to
    /// <see cref="ActiveModelRecord.PreviousSlot"/>.
    /// </summary>
    public LoadedModel SwitchTo(string slot, ActiveModelRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var directory = Slots.DirectoryOf(slot) ?? throw new ModelPackageException("directory", $"nothing is installed in {slot}");
        lock (_switchGate)
        {
            var model = LoadChecked(directory);
            try
            {
                Slots.Activate(slot, record);
            }
            catch
            {
                model.Dispose();
                throw;
            }

            Run(model, new ModelSource(directory, slot), record);
            return model;
        }
    }

    /// <summary>
    /// A lease on the active model: its ORT session stays open until the lease is disposed, whatever is activated meanwhile.
    /// The lease's model is null when none is loaded.
    /// </summary>
    public ModelLease Acquire()
    {
        while (true)
        {
            var model = _current;
            if (model is null || model.TryAcquire())
            {
                return new ModelLease(model);
            }

            // retired between the read and the lease: it was replaced before it was retired, so _current is newer now
        }
    }

    /// <summary>
    /// Makes <paramref name="model"/> the active one. Requests already holding the previous model keep it; it is closed
    /// once none holds it, at the earliest after <see cref="RetireGrace"/>.
    /// </summary>
    public void Activate(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var previous = Interlocked.Exchange(ref _current, model);
        LoadError = null;
        if (previous is not null && !ReferenceEquals(previous, model))
        {
            ScheduleRetirement(previous);
        }
    }

    /// <summary>Closes the active model and every replaced one still waiting to be closed (shutdown: no request is running).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (model, timer) in _retiring)
        {
            timer.Dispose();
            model.Dispose();
        }

        _retiring.Clear();
        _current?.Dispose();
    }

    private void Run(LoadedModel model, ModelSource source, ActiveModelRecord? record)
    {
        Activate(model);
        _active = new ActiveSnapshot(source, record);
        Log.ModelLoaded(_logger, model.Ref.Id, model.Ref.Version, model.Ref.Variant, model.Ref.Sha256, model.Package.Directory, model.GoldenChecked);
        LogVariantChosen(_logger, model.Ref.Variant, model.Choice.Mode, model.Choice.Cpu, model.Choice.Reason);
    }

    private bool TryStartFromSlots(ActiveModelRecord pointer)
    {
        if (TryLoadSlot(pointer.Slot, out var model, out var reason))
        {
            Run(model, new ModelSource(model.Package.Directory, pointer.Slot), pointer);
            return true;
        }

        LogActiveSlotRefused(_logger, pointer.Slot, pointer.ModelId, pointer.Version, reason);
        if (pointer.PreviousSlot is not { } previous)
        {
            LogNoSlotToRun(_logger, "the pointer names no previous slot", _agent.ModelDirectory);
            return false;
        }

        if (!TryLoadSlot(previous, out model, out var previousReason))
        {
            LogNoSlotToRun(_logger, $"previous slot {previous} is refused too: {previousReason}", _agent.ModelDirectory);
            return false;
        }

        var repaired = new ActiveModelRecord(previous, model.Ref.Id, model.Ref.Version, PackageSha256: null, pointer.RolloutSequence, PreviousSlot: null, _timeProvider.GetUtcNow());
        try
        {
            Slots.Activate(previous, repaired);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // it runs all the same; the next start falls back the same way
            LogPointerNotRepaired(_logger, previous, ex.Message);
        }

        LogRunningPreviousSlot(_logger, previous, model.Ref.Id, model.Ref.Version, pointer.Slot);
        Run(model, new ModelSource(model.Package.Directory, previous), repaired);
        return true;
    }

    private bool TryLoadSlot(string slot, [NotNullWhen(true)] out LoadedModel? model, [NotNullWhen(false)] out string? reason)
    {
        model = null;
        if (Slots.DirectoryOf(slot) is not { } directory)
        {
            reason = $"{slot} is not installed";
            return false;
        }

        try
        {
            model = LoadChecked(directory);
            reason = null;
            return true;
        }
        catch (ModelPackageException ex)
        {
            reason = ex.Message;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = $"its files cannot be read: {ex.Message}";
        }

        return false;
    }

    /// <summary>Signature (when trust keys are present), then package, golden replay and variant choice; throws naming the check.</summary>
    private LoadedModel LoadChecked(string directory)
    {
        CheckSignature(directory);
        var model = LoadedModel.Load(directory, _models.Variant, _models.ScorerOptions(), _timeProvider);
        if (model.Scorer.ProviderNote is { } note)
        {
            LogProviderFallback(_logger, model.Ref.Id, note);
        }

        foreach (var skipped in model.Choice.Trials.Where(t => !t.Passed))
        {
            LogVariantSkipped(_logger, skipped.Name, model.Ref.Id, model.Choice.Cpu, skipped.Failure!);
        }

        return model;
    }

    private void ScheduleRetirement(LoadedModel model)
    {
        // armed after it is registered, so the callback always finds its own timer
        var timer = _timeProvider.CreateTimer(static state => ((RetireState)state!).Host.TryRetire(((RetireState)state).Model), new RetireState(this, model), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _retiring[model] = timer;
        timer.Change(RetireGrace, RetireGrace);
    }

    private void TryRetire(LoadedModel model)
    {
        if (!model.TryRetire())
        {
            if (!model.IsRetired)
            {
                LogRetireDeferred(_logger, model.Ref.Id, model.Ref.Version, model.Leases, RetireGrace);
                return;
            }
        }
        else
        {
            LogRetired(_logger, model.Ref.Id, model.Ref.Version, model.Ref.Variant);
        }

        if (_retiring.TryRemove(model, out var timer))
        {
            timer.Dispose();
        }
    }

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

    [LoggerMessage(EventId = 1034, Level = LogLevel.Warning, Message = "Active slot {Slot} ({ModelId} {Version}) is refused: {Reason}")]
    private static partial void LogActiveSlotRefused(ILogger logger, string slot, string modelId, string version, string reason);

    [LoggerMessage(EventId = 1035, Level = LogLevel.Warning, Message = "Running previous slot {Slot} ({ModelId} {Version}) because active slot {Refused} is refused; the pointer now names it")]
    private static partial void LogRunningPreviousSlot(ILogger logger, string slot, string modelId, string version, string refused);

    [LoggerMessage(EventId = 1036, Level = LogLevel.Warning, Message = "No model slot can run ({Reason}); starting from the configured ModelDirectory {Directory}")]
    private static partial void LogNoSlotToRun(ILogger logger, string reason, string directory);

    [LoggerMessage(EventId = 1037, Level = LogLevel.Error, Message = "The pointer could not be rewritten to name {Slot}: {Reason}")]
    private static partial void LogPointerNotRepaired(ILogger logger, string slot, string reason);

    [LoggerMessage(EventId = 1038, Level = LogLevel.Information, Message = "Replaced model {ModelId} {Version} ({Variant}) closed: no request holds it any more")]
    private static partial void LogRetired(ILogger logger, string modelId, string version, string variant);

    [LoggerMessage(EventId = 1039, Level = LogLevel.Debug, Message = "Replaced model {ModelId} {Version} still held by {Leases} requests; closing it is tried again in {Interval}")]
    private static partial void LogRetireDeferred(ILogger logger, string modelId, string version, int leases, TimeSpan interval);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Running variant {Variant} ({Mode}) on {Cpu}: {Reason}")]
    private static partial void LogVariantChosen(ILogger logger, string variant, string mode, string cpu, string reason);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "Model {ModelId}: {Note}")]
    private static partial void LogProviderFallback(ILogger logger, string modelId, string note);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Variant {Variant} of {ModelId} is skipped on this CPU ({Cpu}) and never run: {Failure}")]
    private static partial void LogVariantSkipped(ILogger logger, string variant, string modelId, string cpu, string failure);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "No trusted keys (*.pem) in {TrustDirectory}: package signatures are NOT enforced; loading {Directory} without a signature check")]
    private static partial void LogSignaturesNotEnforced(ILogger logger, string trustDirectory, string directory);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Package {ModelId} {Version} is signed by trusted key {KeyId} ({Files} files covered)")]
    private static partial void LogSignatureVerified(ILogger logger, string modelId, string version, string keyId, int files);

    private sealed record ActiveSnapshot(ModelSource Source, ActiveModelRecord? Record);

    private sealed record RetireState(ModelHost Host, LoadedModel Model);
}
