using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CreditEdge.Messaging;

/// <summary>
/// The device's one MQTT 5 connection to the central broker. MQTTnet 5 has no managed client, so this owns the
/// reconnect loop (Polly: exponential backoff with jitter, capped, behind a circuit breaker; cancellation is never
/// retried), a persistent session (clean start off, session expiry), the retained birth message and Last Will, and a
/// receive path that cannot stall silently: messages are handed to a dispatcher through a channel, and an echo probe
/// sent through the broker must come back, or the client is replaced.
/// </summary>
public sealed partial class FleetLink : BackgroundService
{
    private readonly FleetLinkOptions _options;
    private readonly string _deviceId;
    private readonly IDeviceStatusSource _status;
    private readonly TimeProvider _time;
    private readonly ILogger<FleetLink> _logger;
    private readonly ResiliencePipeline _connectPipeline;
    private readonly List<(string Filter, Func<ReceivedMessage, CancellationToken, Task> Handler)> _handlers = [];
    private readonly Channel<ReceivedMessage> _inbox = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _echoes = new();
    private readonly SemaphoreSlim _clientLock = new(1, 1);
    private IMqttClient _client;
    private TaskCompletionSource _disconnected = NewSignal();
    private TaskCompletionSource _connected = NewSignal();
    private long _received;
    private long _reconnects;
    private long _stalls;

    public FleetLink(IOptions<FleetLinkOptions> options, DeviceIdentity identity, IDeviceStatusSource status, TimeProvider time, ILogger<FleetLink> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(identity);
        _options = options.Value;
        _deviceId = identity.DeviceId;
        _status = status;
        _time = time;
        _logger = logger;
        _client = CreateClient();
        _connectPipeline = BuildConnectPipeline();
        Subscribe(Topics.Echo(_deviceId), OnEchoAsync);
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Messages handed to handlers since start.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Times the receive path was found stalled and the client replaced.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public string DeviceId => _deviceId;

    /// <summary>Registers a handler for a topic filter; call before the host starts.</summary>
    public void Subscribe(string topicFilter, Func<ReceivedMessage, CancellationToken, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(topicFilter);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add((topicFilter, handler));
    }

    /// <summary>Completes when the link is up (immediately if it is).</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) =>
        IsConnected ? Task.CompletedTask : _connected.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Publishes one message. For QoS 1 the task completes after the broker's PUBACK; a PUBACK with an error reason
    /// (e.g. not authorized) throws <see cref="FleetPublishException"/>.
    /// </summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken,
        string? responseTopic = null, ReadOnlyMemory<byte> correlationData = default)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .WithContentType("application/json");
        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }

        if (!correlationData.IsEmpty)
        {
            builder.WithCorrelationData(correlationData.ToArray());
        }

        var result = await _client.PublishAsync(builder.Build(), cancellationToken);
        if (!result.IsSuccess)
        {
            throw new FleetPublishException(topic, result.ReasonCode.ToString(), result.ReasonString);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dispatcher = DispatchAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _connectPipeline.ExecuteAsync(ConnectOnceAsync, stoppingToken);
                    await WatchAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    Log.LinkPassFailed(_logger, ex);
                }

                Interlocked.Increment(ref _reconnects);
            }
        }
        finally
        {
            await GoOfflineAsync();
            _inbox.Writer.TryComplete();
            await dispatcher;
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        _clientLock.Dispose();
        base.Dispose();
    }

    private async ValueTask ConnectOnceAsync(CancellationToken cancellationToken)
    {
        await _clientLock.WaitAsync(cancellationToken);
        try
        {
            if (_client.IsConnected)
            {
                return;
            }

            _disconnected = NewSignal();
            var result = await _client.ConnectAsync(BuildClientOptions(), cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new FleetConnectException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
            }

            if (!result.IsSessionPresent)
            {
                var subscribe = new MqttClientSubscribeOptionsBuilder();
                foreach (var filter in _handlers.Select(h => h.Filter).Distinct(StringComparer.Ordinal))
                {
                    subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
                }

                var subscribed = await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
                foreach (var item in subscribed.Items.Where(i => (int)i.ResultCode > 2))
                {
                    Log.SubscribeRefused(_logger, item.TopicFilter.Topic, item.ResultCode.ToString());
                }
            }

            await PublishStatusAsync(_status.Online(), cancellationToken);
            Log.Connected(_logger, _options.Broker, _deviceId, result.IsSessionPresent);
            _connected.TrySetResult();
        }
        finally
        {
            _clientLock.Release();
        }
    }

    /// <summary>While connected: sends an echo probe every interval; returns when the link drops or the probe is lost.</summary>
    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.EchoInterval, _time);
        var disconnected = _disconnected.Task;
        while (!stoppingToken.IsCancellationRequested)
        {
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            if (await Task.WhenAny(tick, disconnected) == disconnected)
            {
                break;
            }

            await tick;
            if (!await EchoAsync(stoppingToken))
            {
                Interlocked.Increment(ref _stalls);
                Log.ReceiveStalled(_logger, _options.EchoTimeout.TotalSeconds);
                await ReplaceClientAsync();
                break;
            }
        }

        _connected = NewSignal();
        Log.Disconnected(_logger, _options.Broker);
    }

    private async Task<bool> EchoAsync(CancellationToken cancellationToken)
    {
        var nonce = Guid.NewGuid().ToString("N");
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _echoes[nonce] = back;
        try
        {
            await PublishAsync(Topics.Echo(_deviceId), Encoding.UTF8.GetBytes(nonce), retain: false, cancellationToken);
            await back.Task.WaitAsync(_options.EchoTimeout, _time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EchoFailed(_logger, ex);
            return _client.IsConnected is false; // a dropped link is handled by the loop, not counted as a stall
        }
        finally
        {
            _echoes.TryRemove(nonce, out _);
        }
    }

    private Task OnEchoAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (_echoes.TryGetValue(Encoding.UTF8.GetString(message.Payload.Span), out var waiting))
        {
            waiting.TrySetResult();
        }

        return Task.CompletedTask;
    }

    /// <summary>A stalled client is not trusted again: it is disposed and a fresh one connects (the session brings back unacknowledged messages).</summary>
    private async Task ReplaceClientAsync()
    {
        await _clientLock.WaitAsync();
        try
        {
            var old = _client;
            _client = CreateClient();
            try
            {
                await old.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build());
            }
            catch (Exception ex)
            {
                Log.EchoFailed(_logger, ex);
            }

            old.Dispose();
        }
        finally
        {
            _clientLock.Release();
        }
    }

    private async Task DispatchAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync(CancellationToken.None))
        {
            Interlocked.Increment(ref _received);
            foreach (var (filter, handler) in _handlers)
            {
                if (MqttTopicFilterComparer.Compare(message.Topic, filter) != MqttTopicFilterCompareResult.IsMatch)
                {
                    continue;
                }

                try
                {
                    await handler(message, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.HandlerFailed(_logger, message.Topic, ex);
                }
            }
        }
    }

    private IMqttClient CreateClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            _inbox.Writer.TryWrite(new ReceivedMessage(m.Topic, m.Payload.ToArray(), m.ResponseTopic, m.CorrelationData ?? ReadOnlyMemory<byte>.Empty, m.Retain));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        return client;
    }

    private MqttClientOptions BuildClientOptions()
    {
        var uri = _options.BrokerUri();
        var tls = uri.Scheme == "mqtts";
        var offline = JsonSerializer.SerializeToUtf8Bytes(Offline(), MessagingJson.Wire.DeviceStatus);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId(_deviceId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout)
            .WithWillTopic(Topics.Status(_deviceId))
            .WithWillPayload(offline)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_options.Username is { Length: > 0 } user)
        {
            builder.WithCredentials(user, _options.Password ?? string.Empty);
        }

        if (tls)
        {
            builder.WithTlsOptions(o =>
            {
                o.UseTls();
                if (_options.ClientCertificateFile is { } cert)
                {
                    o.WithClientCertificates([X509Certificate2.CreateFromPemFile(cert, _options.ClientKeyFile)]);
                }

                if (_options.CaFile is { } ca)
                {
                    var authority = X509CertificateLoader.LoadCertificateFromFile(ca);
                    o.WithTrustChain([authority]);
                }
            });
        }

        return builder.Build();
    }

    private ResiliencePipeline BuildConnectPipeline() =>
        new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException || ex is TimeoutRejectedException),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectMinDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    Log.ConnectFailed(_logger, _options.Broker, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "unknown");
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException || ex is TimeoutRejectedException),
                FailureRatio = 1.0,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromMinutes(2),
                BreakDuration = _options.ReconnectMaxDelay,
            })
            .AddTimeout(_options.ConnectTimeout + TimeSpan.FromSeconds(5))
            .Build();

    private async Task PublishStatusAsync(DeviceStatus status, CancellationToken cancellationToken) =>
        await PublishAsync(Topics.Status(_deviceId), JsonSerializer.SerializeToUtf8Bytes(status, MessagingJson.Wire.DeviceStatus), retain: true, cancellationToken);

    private DeviceStatus Offline() => _status.Online() with { State = "offline", At = _time.GetUtcNow() };

    /// <summary>A clean stop says "offline" itself (a normal disconnect does not trigger the Will).</summary>
    private async Task GoOfflineAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await PublishStatusAsync(Offline(), timeout.Token);
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
        catch (Exception ex)
        {
            Log.EchoFailed(_logger, ex);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Fleet link up: {Broker} as {DeviceId} (session present: {SessionPresent})")]
        public static partial void Connected(ILogger logger, string broker, string deviceId, bool sessionPresent);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Fleet link down: {Broker}; reconnecting")]
        public static partial void Disconnected(ILogger logger, string broker);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Connecting to {Broker} failed (attempt {Attempt}), next try in {DelaySeconds:F1} s: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string broker, int attempt, double delaySeconds, string reason);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Receive path stalled: the echo probe did not return within {TimeoutSeconds} s while connected; replacing the MQTT client")]
        public static partial void ReceiveStalled(ILogger logger, double timeoutSeconds);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Echo probe or disconnect failed")]
        public static partial void EchoFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Handler for {Topic} failed")]
        public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

        [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Fleet link pass failed; reconnecting")]
        public static partial void LinkPassFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "Broker refused subscription to {Filter}: {Reason}")]
        public static partial void SubscribeRefused(ILogger logger, string filter, string reason);
    }
}
