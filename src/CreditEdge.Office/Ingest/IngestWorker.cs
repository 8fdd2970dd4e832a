using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using CreditEdge.Office.Observability;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

namespace CreditEdge.Office.Ingest;

/// <summary>
/// One ingest worker: its own MQTT 5 client (<c>{ClientIdPrefix}-{n}</c>, clean start off, session expiry, Receive
/// Maximum = <see cref="OfficeOptions.MaxInFlight"/>) on the shared subscriptions, a bounded queue, and a batch loop that
/// commits up to <see cref="OfficeOptions.BatchSize"/> messages in one transaction and only then acknowledges each of them
/// (PUBACK). While a commit fails (database down) it is retried with backoff and nothing more is taken: the queue fills,
/// the broker stops sending at Receive Maximum and keeps the rest in the session.
/// </summary>
internal sealed partial class IngestWorker
{
    /// <summary>The topics every worker takes its share of (MQTT 5 shared subscriptions under <c>$share/{Group}/</c>).</summary>
    public static readonly IReadOnlyList<string> Filters =
    [
        "creditedge/devices/+/decisions",
        "creditedge/devices/+/telemetry",
        "creditedge/devices/+/status",
        "creditedge/devices/+/model/events",
    ];

    /// <summary>How long a stopping worker lets the batch in hand commit (and be acknowledged) before it disconnects.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly OfficeOptions _options;
    private readonly BatchWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Inbound> _queue;
    private readonly ResiliencePipeline _commitPipeline;
    private readonly MqttClientFactory _factory = new();
    private readonly string _echoTopic;
    private long _generation;
    private int _batchCount;
    private long _stalls;
    private long _received; // every message through the receive handler: proof the receive path is alive
    private long _overflowGeneration;
    private IMqttClient? _current;
    private TaskCompletionSource<string> _echo = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IngestWorker(int index, OfficeOptions options, BatchWriter writer, TimeProvider time, ILogger logger)
    {
        _options = options;
        _writer = writer;
        _time = time;
        _logger = logger;
        ClientId = $"{options.ClientIdPrefix}-{index}";
        _echoTopic = CreditEdge.Messaging.Topics.OfficeEcho(ClientId);
        Stats = new WorkerStats(ClientId);
        // Room for one connection's worth of in-flight messages plus what an earlier connection left queued.
        _queue = Channel.CreateBounded<Inbound>(new BoundedChannelOptions(options.MaxInFlight * 2)
        {
            SingleReader = true,
            SingleWriter = false, // a dropped client's handler may still be writing while the next one's starts
            FullMode = BoundedChannelFullMode.Wait,
        });
        Stats.ReadQueueDepthFrom(() => _queue.Reader.Count + Volatile.Read(ref _batchCount));
        _commitPipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryMinDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    var reason = args.Outcome.Exception?.Message ?? "unknown";
                    Stats.CommitFailed(reason);
                    Log.CommitFailed(_logger, ClientId, Volatile.Read(ref _batchCount), args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, reason);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public string ClientId { get; }

    public WorkerStats Stats { get; }

    /// <summary>Times the receive path was found stalled (the echo probe did not come back) and the connection replaced.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>Receives and commits until <paramref name="stoppingToken"/> is cancelled; what is not acknowledged by then stays in the broker's session.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // On stop the batch being committed gets ShutdownGrace to finish and be acknowledged before the client disconnects.
        using var commitStop = new CancellationTokenSource();
        using var stopping = stoppingToken.Register(() => commitStop.CancelAfter(ShutdownGrace));
        var batches = Task.Run(() => BatchLoopAsync(stoppingToken, commitStop.Token), CancellationToken.None);
        try
        {
            await ConnectionLoopAsync(batches, stoppingToken);
        }
        finally
        {
            try
            {
                await batches;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // stopping: the batch in hand was not acknowledged and comes back in the next session
            }
        }
    }

    private async Task ConnectionLoopAsync(Task batches, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var client = _factory.CreateMqttClient();
            var generation = Interlocked.Increment(ref _generation);
            var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += _ =>
            {
                disconnected.TrySetResult();
                return Task.CompletedTask;
            };
            client.ApplicationMessageReceivedAsync += e =>
            {
                var m = e.ApplicationMessage;
                Interlocked.Increment(ref _received);
                if (m.Topic == _echoTopic)
                {
                    Volatile.Read(ref _echo).TrySetResult(Encoding.UTF8.GetString(m.Payload)); // QoS 0: nothing to acknowledge
                    return Task.CompletedTask;
                }

                e.AutoAcknowledge = false; // PUBACK after the batch holding it is committed
                if (!_queue.Writer.TryWrite(new Inbound(m.Topic, m.Payload.ToArray(), e, generation)))
                {
                    // Full only with what dropped connections left while commits fail: never block the receive path (the
                    // echo probe must get through). Not acknowledged, so the session delivers it again after the reconnect
                    // the batch loop asks for once the queue has room for a whole window again.
                    Interlocked.Exchange(ref _overflowGeneration, generation);
                }

                return Task.CompletedTask;
            };
            try
            {
                var result = await client.ConnectAsync(ClientOptions(_options, ClientId), stoppingToken);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new InvalidOperationException($"broker refused {ClientId}: {result.ResultCode} {result.ReasonString}".TrimEnd());
                }

                // Subscribed at every connect, session or not: Mosquitto 2.0 does not bring shared subscriptions back from
                // its persistence file after a restart (the session comes back without them). Subscribing again to the
                // same filter replaces the subscription and keeps what is queued.
                await SubscribeAsync(client, stoppingToken);

                failures = 0;
                Volatile.Write(ref _current, client);
                Stats.SetConnected(true);
                Log.Connected(_logger, ClientId, _options.Broker, result.IsSessionPresent);
                if (await WatchAsync(client, disconnected.Task, stoppingToken))
                {
                    Log.Disconnected(_logger, ClientId);
                }
                else
                {
                    Interlocked.Increment(ref _stalls);
                    Log.ReceiveStalled(_logger, ClientId, _options.EchoTimeout.TotalSeconds);
                    await DisconnectAsync(client);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await Task.WhenAny(batches, Task.Delay(ShutdownGrace + TimeSpan.FromSeconds(1), _time, CancellationToken.None));
                Stats.SetConnected(false);
                await DisconnectAsync(client);
                break;
            }
            catch (Exception ex)
            {
                var reason = ex.InnerException is { } inner && inner.Message != ex.Message ? $"{ex.Message} ({inner.Message})" : ex.Message;
                Stats.ConnectFailed(reason);
                Log.ConnectFailed(_logger, ClientId, _options.Broker, reason);
            }

            Stats.SetConnected(false);
            Interlocked.Increment(ref _generation); // nothing the lost connection delivered is acknowledged on a later one
            failures++;
            try
            {
                await Task.Delay(Backoff(failures), _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// While connected, every <see cref="OfficeOptions.EchoInterval"/> publishes a probe to the worker's own echo topic and
    /// waits up to <see cref="OfficeOptions.EchoTimeout"/> for it to come back through the receive handler. Returns true
    /// when the connection dropped, false when a probe was lost while connected (the receive path stalled).
    /// </summary>
    private async Task<bool> WatchAsync(IMqttClient client, Task disconnected, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.EchoInterval, _time);
        while (true)
        {
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            if (await Task.WhenAny(tick, disconnected) == disconnected)
            {
                return true;
            }

            await tick;
            var probe = Guid.NewGuid().ToString("N");
            var receivedBefore = Interlocked.Read(ref _received);
            var echo = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _echo, echo);
            try
            {
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_echoTopic).WithPayload(probe)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                return true; // could not send: the connection is going; the loop reconnects
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var timeout = Task.Delay(_options.EchoTimeout, _time, wait.Token);
            var first = await Task.WhenAny(echo.Task, timeout, disconnected);
            await wait.CancelAsync();
            stoppingToken.ThrowIfCancellationRequested();
            if (first == disconnected)
            {
                return true;
            }

            // A probe can wait behind a backlog: Mosquitto queues it after QoS 1 messages held back by a full Receive
            // Maximum (commits slower than the offered rate). Messages that came through meanwhile prove the path alive.
            if (first == timeout && Interlocked.Read(ref _received) == receivedBefore)
            {
                return false;
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = _options.RetryMinDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        return delay < _options.RetryMaxDelay ? delay : _options.RetryMaxDelay;
    }

    /// <summary>The options of one connect attempt of worker <paramref name="clientId"/>.</summary>
    internal static MqttClientOptions ClientOptions(OfficeOptions options, string clientId)
    {
        var uri = options.BrokerUri();
        var tls = uri.Scheme == "mqtts";
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(options.SessionExpiry.TotalSeconds, uint.MaxValue))
            .WithReceiveMaximum((ushort)options.MaxInFlight)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (options.Username is { Length: > 0 } user)
        {
            builder.WithCredentials(user, options.Password ?? string.Empty);
        }

        if (tls)
        {
            builder.WithTlsOptions(o => o.UseTls());
        }

        return CreditEdge.Messaging.MqttSocketBuffers.Apply(builder.Build());
    }

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in Filters)
        {
            subscribe.WithTopicFilter($"$share/{_options.Group}/{filter}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        subscribe.WithTopicFilter(_echoTopic, MqttQualityOfServiceLevel.AtMostOnce);

        var subscribed = await client.SubscribeAsync(subscribe.Build(), cancellationToken);
        var refused = subscribed.Items.Where(i => (int)i.ResultCode > 2).Select(i => $"{i.TopicFilter.Topic}: {i.ResultCode}").ToList();
        if (refused.Count > 0)
        {
            throw new InvalidOperationException($"broker refused subscriptions ({string.Join(", ", refused)})");
        }
    }

    private static async Task DisconnectAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || timeout.IsCancellationRequested)
        {
            // the session is kept either way; unacknowledged messages come back
        }
    }

    private async Task BatchLoopAsync(CancellationToken stoppingToken, CancellationToken commitToken)
    {
        var reader = _queue.Reader;
        var batch = new List<Inbound>(_options.BatchSize);
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            await FillAsync(reader, batch, stoppingToken);
            Volatile.Write(ref _batchCount, batch.Count);
            var now = _time.GetUtcNow();
            var rows = batch.Select(m => OfficeMessageParser.Parse(m.Topic, m.Payload, now)).ToList();
            foreach (var rejected in rows.OfType<RejectedRow>())
            {
                Log.Rejected(_logger, ClientId, rejected.Topic, rejected.Reason);
            }

            var started = Stopwatch.GetTimestamp();
            var result = await _commitPipeline.ExecuteAsync(async ct => await _writer.CommitAsync(rows, ClientId, ct), commitToken);
            Stats.Committed(batch.Count, Stopwatch.GetElapsedTime(started), result);
            foreach (var message in batch)
            {
                await AcknowledgeAsync(message);
            }

            batch.Clear();
            Volatile.Write(ref _batchCount, 0);
            if (Interlocked.Read(ref _overflowGeneration) == Interlocked.Read(ref _generation) && reader.Count <= _options.MaxInFlight
                && Volatile.Read(ref _current) is { IsConnected: true } current)
            {
                Interlocked.Exchange(ref _overflowGeneration, 0);
                Log.ReconnectAfterOverflow(_logger, ClientId);
                await DisconnectAsync(current); // the resumed session delivers what the full queue could not take
            }
        }
    }

    /// <summary>Takes what is queued, then waits up to <see cref="OfficeOptions.BatchDelay"/> for more, up to <see cref="OfficeOptions.BatchSize"/>.</summary>
    private async Task FillAsync(ChannelReader<Inbound> reader, List<Inbound> batch, CancellationToken stoppingToken)
    {
        while (batch.Count < _options.BatchSize && reader.TryRead(out var first))
        {
            batch.Add(first);
        }

        if (batch.Count >= _options.BatchSize || _options.BatchDelay <= TimeSpan.Zero)
        {
            return;
        }

        using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        window.CancelAfter(_options.BatchDelay);
        try
        {
            while (batch.Count < _options.BatchSize && await reader.WaitToReadAsync(window.Token))
            {
                while (batch.Count < _options.BatchSize && reader.TryRead(out var next))
                {
                    batch.Add(next);
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // the batch window closed
        }
    }

    private async Task AcknowledgeAsync(Inbound message)
    {
        if (message.Generation != Interlocked.Read(ref _generation))
        {
            return; // delivered on a connection that is gone: the session delivers it again, and the copy is a no-op
        }

        try
        {
            await message.Delivery.AcknowledgeAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.AcknowledgeFailed(_logger, ClientId, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Worker {ClientId} connected to {Broker} (session present: {SessionPresent})")]
        public static partial void Connected(ILogger logger, string clientId, string broker, bool sessionPresent);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Worker {ClientId} lost its connection; reconnecting")]
        public static partial void Disconnected(ILogger logger, string clientId);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Worker {ClientId} could not connect to {Broker}: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string clientId, string broker, string reason);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "Worker {ClientId}: committing a batch of {Count} failed (attempt {Attempt}), retrying in {DelaySeconds:F1} s; nothing of it is acknowledged: {Reason}")]
        public static partial void CommitFailed(ILogger logger, string clientId, int count, int attempt, double delaySeconds, string reason);

        [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Worker {ClientId}: message on {Topic} rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, string clientId, string topic, string reason);

        [LoggerMessage(EventId = 5107, Level = LogLevel.Error, Message = "Worker {ClientId}: receive path stalled (the echo probe did not return within {TimeoutSeconds} s while connected); reconnecting")]
        public static partial void ReceiveStalled(ILogger logger, string clientId, double timeoutSeconds);

        [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "Worker {ClientId}: its queue was full and left messages unacknowledged; reconnecting so the session delivers them again")]
        public static partial void ReconnectAfterOverflow(ILogger logger, string clientId);

        [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Worker {ClientId}: acknowledging failed (the broker delivers it again): {Reason}")]
        public static partial void AcknowledgeFailed(ILogger logger, string clientId, string reason);
    }
}
