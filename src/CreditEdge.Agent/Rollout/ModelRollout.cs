using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Options;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Rollout;
using CreditEdge.Core.Schema;
using CreditEdge.Inference;
using CreditEdge.Messaging;
using CreditEdge.Messaging.Rollout;
using CreditEdge.Messaging.Transfer;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Rollout;

/// <summary>
/// The device's side of a model push (README "Model rollout (OTA)"): takes the signed desired model of its group or its
/// own id (the device's wins), and for a new one — verified, above the last sequence it finished, for this device — fetches
/// the package archive from the broker, checks its digest, extracts it, verifies the package signature and that it is the
/// package the message names, checks the kiosks' requests still fit its schema, loads it in a fresh ORT session (golden
/// replay, output contract, variant choice), runs the shadow trial the message asks for, switches slots and the active
/// model, and watches the probation, rolling back on a breach. The active model serves throughout; every step is a
/// <see cref="ModelEvent"/> on <c>model/events</c>, every refusal names its check.
/// </summary>
public sealed partial class ModelRollout : BackgroundService
{
    private readonly FleetLink _link;
    private readonly DeviceIdentity _identity;
    private readonly ModelHost _models;
    private readonly RolloutGate _gate;
    private readonly RolloutStateFile _state;
    private readonly FleetLinkOptions _linkOptions;
    private readonly PackageTransferOptions _transfer;
    private readonly RolloutOptions _options;
    private readonly ModelsOptions _modelOptions;
    private readonly string _dataDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRollout> _logger;
    private readonly Channel<ReceivedMessage> _inbox = Channel.CreateBounded<ReceivedMessage>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });

    // Events wait here while the link is down and go out in order once it is up (README "Model rollout (OTA)").
    private readonly Channel<ModelEvent> _events = Channel.CreateBounded<ModelEvent>(new BoundedChannelOptions(EventsHeld) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly string _deviceTopic;
    private bool _deviceDesired;

    public ModelRollout(
        FleetLink link, DeviceIdentity identity, ModelHost models, RolloutGate gate, RolloutStateFile state,
        IOptions<FleetLinkOptions> linkOptions, IOptions<PackageTransferOptions> transfer, IOptions<RolloutOptions> options,
        IOptions<ModelsOptions> modelOptions, IOptions<AgentOptions> agent, TimeProvider time, ILogger<ModelRollout> logger)
    {
        _link = link;
        _identity = identity;
        _models = models;
        _gate = gate;
        _state = state;
        _linkOptions = linkOptions.Value;
        _transfer = transfer.Value;
        _options = options.Value;
        _modelOptions = modelOptions.Value;
        _dataDirectory = Path.GetFullPath(agent.Value.DataDirectory);
        _time = time;
        _logger = logger;
        _deviceTopic = Topics.DeviceDesired(identity.DeviceId);

        // the dispatcher only queues: a download never holds up commands or the link's own probe
        // state topics: read again at every connect, so a restart mid-update picks the update up where it was
        link.SubscribeToState(Topics.GroupDesired(identity.Group), Enqueue);
        link.SubscribeToState(_deviceTopic, Enqueue);
    }

    /// <summary>Model events held in memory while the link is down; beyond it the oldest go first.</summary>
    public const int EventsHeld = 256;

    /// <summary>The latest update and where it stands (for the retained status).</summary>
    public RolloutStatus? Status => _state.Current;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ProcessDesiredAsync(stoppingToken), SendEventsAsync(stoppingToken));

    private async Task ProcessDesiredAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _inbox.Reader.WaitToReadAsync(stoppingToken))
            {
                var next = Choose();
                if (next is null)
                {
                    continue;
                }

                try
                {
                    await ProcessAsync(next.Payload, next.Retained, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    Log.UpdateFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private Task Enqueue(ReceivedMessage message, CancellationToken cancellationToken)
    {
        _inbox.Writer.TryWrite(message);
        return Task.CompletedTask;
    }

    /// <summary>The newest message waiting on each topic; the device's own desired model wins over its group's while there is one.</summary>
    private ReceivedMessage? Choose()
    {
        ReceivedMessage? group = null;
        ReceivedMessage? device = null;
        while (_inbox.Reader.TryRead(out var message))
        {
            if (message.Topic == _deviceTopic)
            {
                device = message;
            }
            else
            {
                group = message;
            }
        }

        if (device is not null)
        {
            _deviceDesired = !device.Payload.IsEmpty; // an empty retained message clears the override
            if (_deviceDesired)
            {
                return device;
            }
        }

        if (group is not null && !group.Payload.IsEmpty && _deviceDesired)
        {
            Log.GroupIgnored(_logger, group.Topic);
            return null;
        }

        return group is { Payload.IsEmpty: false } ? group : null;
    }

    /// <summary>
    /// <paramref name="retained"/>: the broker delivered its stored message on a (re)subscribe — the desired state read
    /// again at a connect, not a new publish; one the device already finished is then passed over quietly, while a
    /// live publish of it is a replay and is refused out loud.
    /// </summary>
    private async Task ProcessAsync(ReadOnlyMemory<byte> payload, bool retained, CancellationToken stoppingToken)
    {
        var keys = TrustedKeys(out var trustProblem);
        try
        {
            if (keys is null)
            {
                Publish(Event(ModelEvents.Rejected, 0, null) with { Check = DesiredModelChecks.Untrusted, Detail = trustProblem });
                return;
            }

            DesiredModel desired;
            try
            {
                desired = DesiredModelReader.Read(payload.Span, keys);
            }
            catch (DesiredModelException ex)
            {
                Publish(Event(ModelEvents.Rejected, 0, null) with { Check = ex.Check, Detail = ex.Message });
                return;
            }

            if (!IsForThisDevice(desired.Target))
            {
                Publish(Event(ModelEvents.Rejected, desired.Sequence, desired.Package) with { Check = "desired-target", Detail = $"the message is for {desired.Target}, not this device ({_identity.DeviceId}, group {_identity.Group})" });
                return;
            }

            var floor = SequenceFloor();
            if (retained && desired.Sequence == floor)
            {
                if (_state.Finished < floor)
                {
                    // the switch was made (the slot pointer names this sequence) but a kill came before it was recorded
                    Save(desired, ModelEvents.Active, finished: true, check: null, detail: "switched before a restart");
                    await PublishStatusAsync(stoppingToken);
                }

                Log.AlreadyFinished(_logger, desired.Sequence);
                return;
            }

            if (desired.Sequence <= floor)
            {
                var replay = desired.Sequence == floor;
                Publish(Event(ModelEvents.Rejected, desired.Sequence, desired.Package) with
                {
                    Check = replay ? "sequence-replay" : "sequence-downgrade",
                    Detail = replay
                        ? $"sequence {desired.Sequence} was already acted on; an update needs a higher sequence"
                        : $"sequence {desired.Sequence} is below {floor}, the last this device acted on: no downgrade (a rollback is a new message with a higher sequence)",
                });
                return;
            }

            await RollOutAsync(desired, payload, keys, stoppingToken);
        }
        finally
        {
            foreach (var key in keys ?? [])
            {
                key.Dispose();
            }
        }
    }

    private async Task RollOutAsync(DesiredModel desired, ReadOnlyMemory<byte> message, IReadOnlyList<ECDsa> keys, CancellationToken stoppingToken)
    {
        var package = desired.Package;
        Step(desired, ModelEvents.Received, $"{package.Id} {package.Version}, archive {package.Size} bytes in {package.Chunks.Count} chunks");
        if (package.Size > _transfer.MaxPackageBytes)
        {
            await RejectAsync(desired, "too-large", $"the archive has {package.Size} bytes; this device takes at most {_transfer.MaxPackageBytes} (Transfer:MaxPackageBytes)", stoppingToken);
            return;
        }

        var archive = await DownloadAsync(desired, stoppingToken);
        if (archive is null)
        {
            return;
        }

        var staging = Path.GetDirectoryName(archive)!;
        var packageDirectory = Path.Combine(staging, "package");
        LoadedModel? candidate = null;
        try
        {
            try
            {
                var signature = await OffThePoolAsync(() => Unpack(archive, packageDirectory, package, keys), stoppingToken);
                Step(desired, ModelEvents.Verified, $"signed by key {signature.KeyId}, {signature.Files.Count} files");
                var active = _models.Current;
                if (active is not null && !desired.AllowSchemaChange)
                {
                    var candidateSchema = ModelPackage.Load(packageDirectory).Schema;
                    var problems = SchemaCompatibility.Problems(active.Package.Schema, candidateSchema);
                    if (problems.Count > 0)
                    {
                        throw new ModelPackageException(SchemaCompatibility.Check, string.Join("; ", problems) + " (push with --allow-schema-change once the kiosks send the new requests)");
                    }
                }

                candidate = await OffThePoolAsync(() => LoadedModel.Load(packageDirectory, _modelOptions.Variant, _modelOptions.ScorerOptions(), _time), stoppingToken);
            }
            catch (ModelPackageException ex)
            {
                await RejectAsync(desired, ex.Check, ex.Message, stoppingToken);
                return;
            }

            Step(desired, ModelEvents.Validated, $"{candidate.GoldenChecked} golden records reproduced; runs {candidate.Ref.Variant}: {candidate.Choice.Reason}");
            string? shadowSummary = null;
            if (desired.Shadow is { } criteria && _models.Current is not null)
            {
                var report = await ShadowAsync(desired, candidate, criteria, stoppingToken);
                if (!report.Passed)
                {
                    await RejectAsync(desired, report.FailedCheck ?? "shadow", report.Summary, stoppingToken);
                    return;
                }

                shadowSummary = report.Summary;
            }

            var previous = _models.Current;
            // the baseline is measured as the probation will measure the new model: on live requests (a hot loop over
            // golden inputs is ten times faster than a request's engine time and would roll every model back)
            var baseline = previous is null ? TimeSpan.Zero : _gate.RecentEngineMedian() ?? MedianEngineTime(previous);
            var before = _models.ActiveRecord; // null: the configured package runs
            var installStarted = Stopwatch.GetTimestamp();
            var slot = await OffThePoolAsync(() => _models.Slots.Install(packageDirectory), stoppingToken);
            Log.Phase(_logger, "install", Stopwatch.GetElapsedTime(installStarted).TotalMilliseconds);
            var record = new ActiveModelRecord(slot, package.Id, package.Version, package.Sha256, desired.Sequence, before?.Slot, _time.GetUtcNow());
            LoadedModel activated;
            try
            {
                // loaded again from the slot, so what runs is exactly what the next start will run
                var switchStarted = Stopwatch.GetTimestamp();
                activated = await OffThePoolAsync(() => _models.SwitchTo(slot, record), stoppingToken);
                Log.Phase(_logger, "switch (load from the slot, pointer, swap)", Stopwatch.GetElapsedTime(switchStarted).TotalMilliseconds);
            }
            catch (ModelPackageException ex)
            {
                await RejectAsync(desired, ex.Check, $"after install in {slot}: {ex.Message}", stoppingToken);
                return;
            }

            Save(desired, ModelEvents.Active, finished: true, check: null, detail: shadowSummary);
            Log.Activated(_logger, package.Id, package.Version, desired.Sequence, slot);
            Publish(Event(ModelEvents.Active, desired.Sequence, package) with { Detail = shadowSummary });
            await PublishStatusAsync(stoppingToken);
            TryDelete(staging);

            if (desired.Probation is { } probation)
            {
                await ProbationAsync(desired, message, activated, probation, baseline, before, stoppingToken);
            }
        }
        finally
        {
            candidate?.Dispose();
        }
    }

    private async Task<string?> DownloadAsync(DesiredModel desired, CancellationToken stoppingToken)
    {
        var package = desired.Package;
        Save(desired, ModelEvents.Downloading, finished: false, check: null, detail: null);
        var downloader = new PackageDownloader(_linkOptions, _identity.DeviceId, _dataDirectory, _transfer, _time, _logger);
        var progress = new EventProgress(this, desired);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(_options.DownloadTimeout);
        try
        {
            var archive = await downloader.DownloadAsync(new TransferPlan(package.Sha256, package.Size, package.ChunkSize, package.Chunks), progress, deadline.Token);
            Publish(Event(ModelEvents.Downloaded, desired.Sequence, package) with
            {
                ChunksFetched = (int)downloader.ChunksFetched,
                ChunksReused = (int)downloader.ChunksReused,
                ChunkDeliveries = (int)downloader.Deliveries,
                Detail = $"{downloader.ChunksFetched} chunks fetched, {downloader.ChunksReused} reused from an earlier attempt",
            });
            return archive;
        }
        catch (PackageTransferException ex)
        {
            await RejectAsync(desired, ex.Reason, ex.Message, stoppingToken);
            return null;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            await RejectAsync(desired, "transfer-timeout", $"the package did not arrive within {_options.DownloadTimeout} (Rollout:DownloadTimeout); chunks fetched so far are kept for the next attempt", stoppingToken);
            return null;
        }
    }

    private async Task<ShadowReport> ShadowAsync(DesiredModel desired, LoadedModel candidate, ShadowCriteria criteria, CancellationToken stoppingToken)
    {
        Save(desired, ModelEvents.Shadowing, finished: false, check: null, detail: null);
        Step(desired, ModelEvents.Shadowing, $"until {criteria.Decisions} decisions or {criteria.MaxDuration}");
        var trial = new ShadowTrial(criteria, _time);
        var run = _gate.StartShadow(candidate, trial);
        try
        {
            while (!trial.IsComplete)
            {
                await Task.Delay(_options.CheckInterval, _time, stoppingToken);
            }
        }
        finally
        {
            _gate.StopShadow(run);
        }

        return trial.Evaluate();
    }

    private async Task ProbationAsync(DesiredModel desired, ReadOnlyMemory<byte> message, LoadedModel activated, ProbationCriteria criteria, TimeSpan baseline, ActiveModelRecord? before, CancellationToken stoppingToken)
    {
        var watch = new ProbationWatch(criteria, activated.Package.Manifest.Reference.Score, baseline, _time);
        _gate.StartProbation(watch);
        try
        {
            while (true)
            {
                await Task.Delay(_options.CheckInterval, _time, stoppingToken);
                var report = watch.Check();
                if (report.Breached)
                {
                    await RollBackAsync(desired, report, before, stoppingToken);
                    return;
                }

                if (watch.IsComplete)
                {
                    Publish(Event(ModelEvents.ProbationPassed, desired.Sequence, desired.Package) with { Detail = report.Summary });
                    return;
                }

                if (_inbox.Reader.TryPeek(out var waiting))
                {
                    if (waiting.Payload.Span.SequenceEqual(message.Span))
                    {
                        _inbox.Reader.TryRead(out _); // this very message read again at a reconnect
                        continue;
                    }

                    Log.ProbationSuperseded(_logger, desired.Sequence);
                    return; // a newer desired model takes over
                }
            }
        }
        finally
        {
            _gate.StopProbation();
        }
    }

    /// <summary>Back to the model that ran before the switch: its slot, or the configured package when none was in a slot.</summary>
    private async Task RollBackAsync(DesiredModel desired, ProbationReport report, ActiveModelRecord? before, CancellationToken stoppingToken)
    {
        try
        {
            if (before is not null)
            {
                var current = _models.ActiveRecord;
                await OffThePoolAsync(() => _models.SwitchTo(before.Slot, before with { PreviousSlot = current?.Slot, ActivatedAt = _time.GetUtcNow() }), stoppingToken);
            }
            else
            {
                _models.Slots.Deactivate();
                await OffThePoolAsync(() =>
                {
                    _models.LoadConfigured();
                    return true;
                }, stoppingToken);
            }
        }
        catch (Exception ex) when (ex is ModelPackageException or IOException or ArgumentException)
        {
            Log.RollbackFailed(_logger, before?.Slot ?? "the configured package", ex.Message);
            Save(desired, ModelEvents.Active, finished: true, check: report.BreachedCheck, detail: $"{report.Summary}; rollback impossible: {ex.Message}");
            return;
        }

        var restored = _models.Current;
        Save(desired, ModelEvents.RolledBack, finished: true, check: report.BreachedCheck, detail: report.Summary);
        Log.RolledBack(_logger, desired.Package.Id, desired.Package.Version, report.BreachedCheck ?? "probation", report.Summary);
        Publish(Event(ModelEvents.RolledBack, desired.Sequence, desired.Package) with
        {
            Check = report.BreachedCheck,
            Detail = $"{report.Summary}; back to {restored?.Ref.Id} {restored?.Ref.Version}",
        });
        await PublishStatusAsync(stoppingToken);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a staging leftover costs disk, never correctness: the next download of it starts over
        }
    }

    /// <summary>
    /// Extracts the archive (its digest was checked by the download), verifies the package signature with the trusted keys
    /// and that it is the package the message names. Throws <see cref="ModelPackageException"/> naming the check.
    /// </summary>
    private static PackageSignature Unpack(string archive, string packageDirectory, DesiredPackage package, IReadOnlyList<ECDsa> keys)
    {
        if (Directory.Exists(packageDirectory))
        {
            Directory.Delete(packageDirectory, recursive: true);
        }

        using (var stream = File.OpenRead(archive))
        {
            // a tar holds fewer file bytes than its own size
            PackageArchive.Extract(stream, packageDirectory, new PackageArchiveLimits { MaxTotalBytes = package.Size });
        }

        var signature = PackageVerifier.Verify(packageDirectory, keys);
        if (signature.ModelId != package.Id || signature.Version != package.Version || signature.Sequence != package.Sequence)
        {
            throw new ModelPackageException("desired-mismatch", $"the archive holds {signature.ModelId} {signature.Version} (sequence {signature.Sequence}); the message names {package.Id} {package.Version} (sequence {package.Sequence})");
        }

        return signature;
    }

    /// <summary>
    /// Runs blocking work (file copies with fsync, hashing, ORT session creation, golden replay) on its own thread: on the
    /// pool it would hold one of a small board's few worker threads and scoring requests would queue behind it.
    /// </summary>
    private static Task<T> OffThePoolAsync<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The last sequence this device acted on: the last finished update, the slot's, or the active package's own.</summary>
    private long SequenceFloor() =>
        Math.Max(_state.Finished, _models.ActiveRecord?.RolloutSequence ?? 0);

    private bool IsForThisDevice(DesiredTarget target) =>
        target.Kind == DesiredTargetKind.Device ? target.Name == _identity.DeviceId : target.Name == _identity.Group;

    private List<ECDsa>? TrustedKeys(out string? problem)
    {
        problem = null;
        var directory = _models.TrustDirectory;
        if (SigningKeys.TrustFiles(directory).Count == 0)
        {
            problem = $"no trusted keys (*.pem) in '{directory}': this device accepts no pushed model until one is installed";
            return null;
        }

        try
        {
            return SigningKeys.LoadTrustedKeys(directory).ToList();
        }
        catch (SigningKeyException ex)
        {
            problem = $"the trusted keys in '{directory}' cannot be used: {ex.Message}";
            return null;
        }
    }

    /// <summary>Median time of the model's decision engine over its own golden inputs: the baseline of a device too quiet to have a live one.</summary>
    private static TimeSpan MedianEngineTime(LoadedModel model)
    {
        var rows = GoldenReplay.Read(model.Package).Take(50).Select(l => l.Record.Input.ToArray()).ToList();
        var reasons = new Reason[ReasonAttribution.MaxReasons];
        var times = new List<TimeSpan>(rows.Count);
        foreach (var row in rows)
        {
            var started = Stopwatch.GetTimestamp();
            _ = model.Engine.Decide(row, reasons);
            times.Add(Stopwatch.GetElapsedTime(started));
        }

        times.Sort();
        return times.Count == 0 ? TimeSpan.Zero : times[times.Count / 2];
    }

    private void Step(DesiredModel desired, string step, string detail)
    {
        Save(desired, step, finished: false, check: null, detail: detail);
        Publish(Event(step, desired.Sequence, desired.Package) with { Detail = detail });
    }

    private async Task RejectAsync(DesiredModel desired, string check, string detail, CancellationToken cancellationToken)
    {
        Save(desired, ModelEvents.Rejected, finished: true, check, detail);
        Log.Rejected(_logger, desired.Package.Id, desired.Package.Version, desired.Sequence, check, detail);
        Publish(Event(ModelEvents.Rejected, desired.Sequence, desired.Package) with { Check = check, Detail = detail });
        await PublishStatusAsync(cancellationToken);
    }

    private void Save(DesiredModel desired, string state, bool finished, string? check, string? detail) =>
        _state.Save(new RolloutStatus(state, desired.Sequence, desired.Package.Id, desired.Package.Version, _time.GetUtcNow()) { Check = check, Detail = detail }, finished);

    private ModelEvent Event(string name, long sequence, DesiredPackage? package) =>
        new(name, _identity.DeviceId, sequence, package?.Id, package?.Version, package?.Sha256, _time.GetUtcNow());

    /// <summary>Best effort: an event the link cannot carry now is logged; the retained status carries the latest state.</summary>
    /// <summary>Logs the event and queues it for <see cref="SendEventsAsync"/>.</summary>
    private void Publish(ModelEvent modelEvent)
    {
        Log.Event(_logger, modelEvent.Event, modelEvent.Sequence, modelEvent.Check, modelEvent.Detail);
        _events.Writer.TryWrite(modelEvent);
    }

    /// <summary>
    /// Publishes the queued events one at a time, in order: an event made while the broker is away (a download resumed by
    /// the transfer connection can finish before this link is back) waits for the link instead of being lost.
    /// </summary>
    private async Task SendEventsAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _events.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_events.Reader.TryPeek(out var modelEvent))
                {
                    await _link.WaitConnectedAsync(stoppingToken);
                    try
                    {
                        await _link.PublishAsync(Topics.ModelEvents(_identity.DeviceId), JsonSerializer.SerializeToUtf8Bytes(modelEvent, MessagingJson.Wire.ModelEvent), retain: false, stoppingToken);
                        _events.Reader.TryRead(out _);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        Log.EventNotPublished(_logger, modelEvent.Event, ex);
                        await Task.Delay(EventRetryDelay, _time, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: an event not yet sent is still in the journal ("Model update: …", event 1301)
        }
    }

    private static readonly TimeSpan EventRetryDelay = TimeSpan.FromSeconds(1);

    private async Task PublishStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _link.PublishStatusAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.EventNotPublished(_logger, "status", ex);
        }
    }

    /// <summary>Reports download progress as an event at each further tenth.</summary>
    private sealed class EventProgress(ModelRollout owner, DesiredModel desired) : IProgress<TransferProgress>
    {
        private int _lastTenth = -1;

        public void Report(TransferProgress value)
        {
            var tenth = value.ChunkCount == 0 ? 10 : value.ChunksDone * 10 / value.ChunkCount;
            if (Interlocked.Exchange(ref _lastTenth, tenth) >= tenth)
            {
                return;
            }

            owner.Publish(owner.Event(ModelEvents.Downloading, desired.Sequence, desired.Package) with { Progress = tenth * 10 });
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Model update: {Event} (sequence {Sequence}) {Check} {Detail}")]
        public static partial void Event(ILogger logger, string @event, long sequence, string? check, string? detail);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Model update {ModelId} {Version} (sequence {Sequence}) rejected: {Check}: {Detail}")]
        public static partial void Rejected(ILogger logger, string modelId, string version, long sequence, string check, string detail);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Model {ModelId} {Version} (sequence {Sequence}) is active from {Slot}")]
        public static partial void Activated(ILogger logger, string modelId, string version, long sequence, string slot);

        [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Model {ModelId} {Version} rolled back: {Check}: {Summary}")]
        public static partial void RolledBack(ILogger logger, string modelId, string version, string check, string summary);

        [LoggerMessage(EventId = 1305, Level = LogLevel.Error, Message = "Rolling back to {Directory} failed ({Reason}); the new model keeps serving")]
        public static partial void RollbackFailed(ILogger logger, string directory, string reason);

        [LoggerMessage(EventId = 1306, Level = LogLevel.Error, Message = "A model update failed unexpectedly; the active model keeps serving")]
        public static partial void UpdateFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1307, Level = LogLevel.Debug, Message = "Group desired model on {Topic} ignored: this device has its own")]
        public static partial void GroupIgnored(ILogger logger, string topic);

        [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "Model event {Event} could not be published; it is sent again in a second")]
        public static partial void EventNotPublished(ILogger logger, string @event, Exception exception);

        [LoggerMessage(EventId = 1311, Level = LogLevel.Debug, Message = "Model update phase {Phase} took {Milliseconds:F1} ms")]
        public static partial void Phase(ILogger logger, string phase, double milliseconds);

        [LoggerMessage(EventId = 1310, Level = LogLevel.Debug, Message = "Desired model sequence {Sequence} read again at connect: already finished")]
        public static partial void AlreadyFinished(ILogger logger, long sequence);

        [LoggerMessage(EventId = 1309, Level = LogLevel.Information, Message = "Probation of sequence {Sequence} ends early: a newer desired model arrived")]
        public static partial void ProbationSuperseded(ILogger logger, long sequence);
    }
}
