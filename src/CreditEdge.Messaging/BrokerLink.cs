using System.Buffers;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;

namespace CreditEdge.Messaging;

/// <summary>
/// One MQTT 5 connection that stays up: the device's link to the central broker and the office's clients
/// (<c>cedge fleet ingest</c>, <c>cedge fleet status</c>) are each one of these. MQTTnet 5 has no managed client, so this
/// owns the reconnect loop (<see cref="LinkPipeline"/>), a persistent session (fixed client id, clean start off, session
/// expiry; subscriptions are sent again only when the broker has no session), and a receive path that cannot stall
/// silently (<see cref="EchoProbe"/>: the echo must come back, or the client is replaced). Received messages go through a
/// <see cref="MessageDispatcher"/> and are acknowledged (PUBACK) only after their handlers have finished.
/// </summary>
public sealed partial class BrokerLink : IDisposable
{
    private readonly FleetLinkOptions _options;
    private readonly ILinkPresence? _presence;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _connectPipeline;
    private readonly MessageDispatcher _dispatcher;
    private readonly HashSet<string> _stateFilters = new(StringComparer.Ordinal);
    private readonly EchoProbe _probe;
    private readonly SemaphoreSlim _clientLock = new(1, 1);
    private IMqttClient _client;
    private TaskCompletionSource _disconnected = NewSignal();
    private TaskCompletionSource _connected = NewSignal();
    private long _generation;
    private long _reconnects;
    private long _stalls;
    private long _connectFailures;
    private string? _lastConnectFailure;

    /// <param name="options">Broker, credentials, TLS, keep-alive, session expiry, reconnect delays, echo interval and timeout.</param>
    /// <param name="clientId">The session's identity: the same id finds the same session (and what was queued for it).</param>
    /// <param name="echoTopic">A topic only this client uses, which it may publish to and subscribe.</param>
    /// <param name="presence">Will, birth and goodbye messages, or null for none.</param>
    public BrokerLink(FleetLinkOptions options, string clientId, string echoTopic, ILinkPresence? presence, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(echoTopic);
        _options = options;
        ClientId = clientId;
        _presence = presence;
        _time = time;
        _logger = logger;
        _dispatcher = new MessageDispatcher(logger);
        _probe = new EchoProbe(echoTopic, options.EchoTimeout, time);
        _connectPipeline = LinkPipeline.Build(options, time, OnConnectFailed);
        _client = CreateClient();
        _dispatcher.Subscribe(echoTopic, _probe.OnEchoAsync);
    }

    public string ClientId { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Messages whose handlers have finished since start.</summary>
    public long Received => _dispatcher.Handled;

    /// <summary>Times the receive path was found stalled and the client replaced.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>Times the link went down (or was replaced) after being up.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Connect attempts that failed since start, and why the last one did (null if none failed).</summary>
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    public string? LastConnectFailure => Volatile.Read(ref _lastConnectFailure);

    /// <summary>
    /// Registers a handler for a topic filter (QoS 1); call before <see cref="RunAsync"/>. A message is acknowledged after
    /// every matching handler has returned; if one throws, it is not, and the broker delivers it again after the next connect.
    /// </summary>
    public void Subscribe(string topicFilter, Func<ReceivedMessage, CancellationToken, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(topicFilter);
        ArgumentNullException.ThrowIfNull(handler);
        _dispatcher.Subscribe(topicFilter, handler);
    }

    /// <summary>
    /// As <see cref="Subscribe"/>, for a topic whose retained message is state the owner must read at every connect (a
    /// desired model): subscribed again even when the broker kept the session, so the broker sends the retained message
    /// again (it sends retained messages only on a subscribe). Such deliveries arrive with <see cref="ReceivedMessage.Retained"/> set.
    /// </summary>
    public void SubscribeToState(string topicFilter, Func<ReceivedMessage, CancellationToken, Task> handler)
    {
        Subscribe(topicFilter, handler);
        lock (_stateFilters)
        {
            _stateFilters.Add(topicFilter);
        }
    }

    /// <summary>Completes when the link is up (immediately if it is).</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) =>
        IsConnected ? Task.CompletedTask : _connected.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Publishes one message at QoS 1; the task completes after the broker's PUBACK. A PUBACK with an error reason
    /// (e.g. not authorized) throws <see cref="FleetPublishException"/>. <paramref name="contentType"/> defaults to JSON.
    /// With <paramref name="messageExpiry"/> (whole seconds, rounded up) the broker drops the message if it has not
    /// delivered it by then — a request nobody waits for any more is not handed to a device that comes back later.
    /// </summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken,
        string? responseTopic = null, ReadOnlyMemory<byte> correlationData = default, string contentType = "application/json", TimeSpan? messageExpiry = null,
        bool requireSubscriber = false)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .WithContentType(contentType);
        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }

        if (!correlationData.IsEmpty)
        {
            builder.WithCorrelationData(correlationData.ToArray());
        }

        if (messageExpiry is { } expiry)
        {
            builder.WithMessageExpiryInterval((uint)Math.Clamp(Math.Ceiling(expiry.TotalSeconds), 1, uint.MaxValue));
        }

        var result = await _client.PublishAsync(builder.Build(), cancellationToken);
        // MQTTnet counts "no matching subscribers" (16) a success: the broker took the message and dropped it, which for a
        // decision means nobody will ever get it (Mosquitto 2.0 forgets shared subscriptions across a restart, until the
        // office's workers subscribe again)
        if (!result.IsSuccess || (requireSubscriber && result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers))
        {
            throw new FleetPublishException(topic, result.ReasonCode.ToString(), result.ReasonString);
        }
    }

    /// <summary>
    /// Connects, watches and reconnects until <paramref name="stoppingToken"/> is cancelled; then hands on what was received,
    /// says goodbye (<see cref="ILinkPresence.OnStoppingAsync"/>) and disconnects normally. Never throws but for a bug.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var dispatcher = _dispatcher.RunAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _connectPipeline.ExecuteAsync(async ct => await ConnectOnceAsync(ct), stoppingToken);
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
            _dispatcher.Complete();
            await dispatcher;
            await DisconnectCleanlyAsync();
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _clientLock.Dispose();
    }

    private async Task ConnectOnceAsync(CancellationToken cancellationToken)
    {
        await _clientLock.WaitAsync(cancellationToken);
        try
        {
            if (_client.IsConnected)
            {
                return;
            }

            _disconnected = NewSignal();
            Interlocked.Increment(ref _generation); // what the previous connection delivered is acknowledged on it or not at all
            var result = await _client.ConnectAsync(LinkClientOptions.Build(_options, ClientId, _presence?.Will()), cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new FleetConnectException($"broker {_options.Broker} refused {ClientId}: {result.ResultCode} {result.ReasonString}".TrimEnd());
            }

            try
            {
                if (!result.IsSessionPresent)
                {
                    await SubscribeAsync(_dispatcher.Filters, cancellationToken);
                }
                else if (StateFilters() is { Count: > 0 } state)
                {
                    await SubscribeAsync(state, cancellationToken);
                }

                if (_presence is not null)
                {
                    await _presence.OnConnectedAsync(this, cancellationToken);
                }
            }
            catch
            {
                await DisconnectQuietlyAsync(_client); // half set up: the next attempt starts from a fresh connection
                throw;
            }

            Log.Connected(_logger, _options.Broker, ClientId, result.IsSessionPresent);
            _connected.TrySetResult();
        }
        finally
        {
            _clientLock.Release();
        }
    }

    private List<string> StateFilters()
    {
        lock (_stateFilters)
        {
            return [.. _stateFilters];
        }
    }

    private async Task SubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var subscribed = await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
        foreach (var item in subscribed.Items.Where(i => (int)i.ResultCode > 2))
        {
            Log.SubscribeRefused(_logger, item.TopicFilter.Topic, item.ResultCode.ToString());
        }
    }

    /// <summary>While connected: probes the receive path every interval; returns when the link drops or the probe is lost.</summary>
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
            if (!await _probe.ProbeAsync(this, () => _dispatcher.Handled, stoppingToken))
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

    /// <summary>A stalled client is not trusted again: it is disposed and a fresh one connects (the session brings back unacknowledged messages).</summary>
    private async Task ReplaceClientAsync()
    {
        await _clientLock.WaitAsync();
        try
        {
            var old = _client;
            _client = CreateClient();
            Interlocked.Increment(ref _generation);
            await DisconnectQuietlyAsync(old);
            old.Dispose();
        }
        finally
        {
            _clientLock.Release();
        }
    }

    private IMqttClient CreateClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false; // PUBACK after the handlers (MessageDispatcher), not on receipt
            var generation = Interlocked.Read(ref _generation);
            var m = e.ApplicationMessage;
            var message = new ReceivedMessage(m.Topic, m.Payload.ToArray(), m.ResponseTopic, m.CorrelationData ?? ReadOnlyMemory<byte>.Empty, m.Retain);
            _dispatcher.Post(new InboundMessage(message, ct => AcknowledgeAsync(client, e, generation, ct)));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        return client;
    }

    /// <summary>
    /// PUBACK on the connection that delivered the message. After a reconnect its packet id may name another message, so a
    /// message from an earlier connection is not acknowledged: the resumed session delivers it again.
    /// </summary>
    private Task AcknowledgeAsync(IMqttClient client, MqttApplicationMessageReceivedEventArgs e, long generation, CancellationToken cancellationToken) =>
        generation == Interlocked.Read(ref _generation) && client.IsConnected ? e.AcknowledgeAsync(cancellationToken) : Task.CompletedTask;

    private void OnConnectFailed(int attempt, TimeSpan delay, Exception? failure)
    {
        var reason = failure is null ? "unknown"
            : failure.InnerException is { } inner && inner.Message != failure.Message ? $"{failure.Message} ({inner.Message})" : failure.Message;
        Interlocked.Increment(ref _connectFailures);
        Volatile.Write(ref _lastConnectFailure, reason);
        Log.ConnectFailed(_logger, _options.Broker, attempt, delay.TotalSeconds, reason);
    }

    private async Task DisconnectCleanlyAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            if (_presence is not null)
            {
                await _presence.OnStoppingAsync(this, timeout.Token);
            }

            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
        }
        catch (Exception ex)
        {
            Log.DisconnectFailed(_logger, ex);
        }
    }

    private async Task DisconnectQuietlyAsync(IMqttClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build(), timeout.Token);
        }
        catch (Exception ex)
        {
            Log.DisconnectFailed(_logger, ex);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Link up: {Broker} as {ClientId} (session present: {SessionPresent})")]
        public static partial void Connected(ILogger logger, string broker, string clientId, bool sessionPresent);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Link down: {Broker}; reconnecting")]
        public static partial void Disconnected(ILogger logger, string broker);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Connecting to {Broker} failed (attempt {Attempt}), next try in {DelaySeconds:F1} s: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string broker, int attempt, double delaySeconds, string reason);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Receive path stalled: the echo probe did not return within {TimeoutSeconds} s while connected; replacing the MQTT client")]
        public static partial void ReceiveStalled(ILogger logger, double timeoutSeconds);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Disconnecting failed")]
        public static partial void DisconnectFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Link pass failed; reconnecting")]
        public static partial void LinkPassFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "Broker refused subscription to {Filter}: {Reason}")]
        public static partial void SubscribeRefused(ILogger logger, string filter, string reason);
    }
}
