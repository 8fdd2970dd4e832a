using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;

namespace CreditEdge.Messaging.Transfer;

/// <summary>
/// The MQTT connection a package download runs on, apart from the device's <see cref="BrokerLink"/>: client id
/// <c>{deviceId}-transfer</c>, clean start and no session expiry (nothing lingers at the broker after the download, or after
/// the agent is killed: the next run subscribes what is still missing), built by <see cref="LinkClientOptions"/> from the
/// same <see cref="FleetLinkOptions"/> (broker, TLS client certificate, CA, credentials; the ACL's <c>%u</c> is the
/// certificate's CN, as for the device link), with an MQTT maximum packet size just above one chunk so the broker never
/// sends anything bigger. Connects through the same <see cref="LinkPipeline"/> (backoff, circuit breaker, timeout).
/// Received messages wait in a small bounded channel; when it is full the newest is dropped (counted) and comes again when
/// its chunk is subscribed again, so memory stays bounded whatever the broker sends and the receive loop never blocks.
/// </summary>
internal sealed partial class TransferConnection : IAsyncDisposable
{
    /// <summary>Room in a packet beyond the payload: fixed header, topic (at most ~110 bytes here) and properties.</summary>
    private const int PacketOverhead = 4096;

    private readonly FleetLinkOptions _options;
    private readonly string _clientId;
    private readonly int _maxPayloadBytes;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _connectPipeline;
    private readonly Channel<ChunkMessage> _inbox;
    private IMqttClient? _client;
    private TaskCompletionSource _disconnected = NewSignal();
    private long _generation;
    private long _connectFailures;
    private long _oversized;
    private long _dropped;

    public TransferConnection(FleetLinkOptions options, string clientId, int maxPayloadBytes, int capacity, TimeProvider time, ILogger logger)
    {
        _options = options;
        _clientId = clientId;
        _maxPayloadBytes = maxPayloadBytes;
        _logger = logger;
        _connectPipeline = LinkPipeline.Build(options, time, OnConnectFailed);
        _inbox = Channel.CreateBounded<ChunkMessage>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Successful connects so far; each is a fresh session without subscriptions.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Messages whose payload was larger than a chunk: dropped unread.</summary>
    public long Oversized => Interlocked.Read(ref _oversized);

    /// <summary>Messages dropped because the inbox was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Connects (retrying with backoff until it succeeds or is cancelled) unless connected; returns the connection's generation.</summary>
    public async Task<long> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!IsConnected)
        {
            await _connectPipeline.ExecuteAsync(async ct => await ConnectOnceAsync(ct), cancellationToken);
        }

        return Generation;
    }

    /// <summary>
    /// Subscribes (QoS 1, retained messages sent at every subscribe, also for a filter already subscribed) and returns true;
    /// false if the link failed meanwhile (it is dropped: the next <see cref="ConnectAsync"/> starts a fresh session).
    /// </summary>
    /// <exception cref="PackageTransferException">The broker refused a topic (reason <c>not-authorized</c>).</exception>
    public async Task<bool> SubscribeAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken)
    {
        if (topics.Count == 0)
        {
            return true;
        }

        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var topic in topics)
        {
            builder.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce, retainHandling: MqttRetainHandling.SendAtSubscribe);
        }

        MqttClientSubscribeResult result;
        try
        {
            result = await Client().SubscribeAsync(builder.Build(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested(); // MQTTnet reports a cancelled wait as MqttCommunicationTimedOutException
            await DropAsync(ex);
            return false;
        }

        foreach (var item in result.Items.Where(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2))
        {
            throw new PackageTransferException(PackageTransferException.Reasons.NotAuthorized,
                $"the broker refused {_clientId} the subscription to {item.TopicFilter.Topic}: {item.ResultCode}");
        }

        return true;
    }

    /// <summary>Unsubscribes; false if the link failed meanwhile (a fresh session has no subscriptions anyway).</summary>
    public async Task<bool> UnsubscribeAsync(string topic, CancellationToken cancellationToken)
    {
        try
        {
            await Client().UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(topic).Build(), cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested(); // MQTTnet reports a cancelled wait as MqttCommunicationTimedOutException
            await DropAsync(ex);
            return false;
        }
    }

    /// <summary>A message already received, if any.</summary>
    public bool TryReceive(out ChunkMessage? message) => _inbox.Reader.TryRead(out message);

    /// <summary>The next message; null when <paramref name="timeout"/> passes or the link goes down first.</summary>
    public async Task<ChunkMessage?> ReceiveAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_inbox.Reader.TryRead(out var ready))
        {
            return ready;
        }

        if (!IsConnected || timeout <= TimeSpan.Zero)
        {
            return null;
        }

        using var expiry = new CancellationTokenSource(timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        var readable = _inbox.Reader.WaitToReadAsync(wait.Token).AsTask();
        try
        {
            var first = await Task.WhenAny(readable, _disconnected.Task);
            if (first == readable && await readable && _inbox.Reader.TryRead(out var message))
            {
                return message;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // timed out
        }
        finally
        {
            await wait.CancelAsync();
            _ = await Task.WhenAny(readable); // observed: no unobserved cancellation
        }

        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        if (_client is { } client)
        {
            await DisconnectAsync(client, MqttClientDisconnectOptionsReason.NormalDisconnection);
            client.Dispose();
        }
    }

    private async Task ConnectOnceAsync(CancellationToken cancellationToken)
    {
        if (_client is { } old)
        {
            await DisconnectAsync(old, MqttClientDisconnectOptionsReason.UnspecifiedError);
            old.Dispose();
            _client = null;
        }

        var options = LinkClientOptions.Build(_options, _clientId, will: null);
        options.CleanSession = true;
        options.SessionExpiryInterval = 0;
        options.MaximumPacketSize = (uint)(_maxPayloadBytes + PacketOverhead);
        var disconnected = NewSignal(); // this client's own: a late event from an earlier client cannot wake a later wait
        var client = CreateClient(disconnected);
        _disconnected = disconnected;
        try
        {
            var result = await client.ConnectAsync(options, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new FleetConnectException($"broker {_options.Broker} refused {_clientId}: {result.ResultCode} {result.ReasonString}".TrimEnd());
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _client = client;
        Interlocked.Increment(ref _generation);
        Log.Connected(_logger, _options.Broker, _clientId);
    }

    private IMqttClient CreateClient(TaskCompletionSource disconnected)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload;
            if (payload.Length > _maxPayloadBytes)
            {
                Interlocked.Increment(ref _oversized); // not copied, not hashed
            }
            else
            {
                _inbox.Writer.TryWrite(new ChunkMessage(e.ApplicationMessage.Topic, payload.ToArray()));
            }

            return Task.CompletedTask;
        };
        client.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        return client;
    }

    private IMqttClient Client() => _client ?? throw new InvalidOperationException("not connected");

    /// <summary>A failed subscribe or unsubscribe leaves the session in doubt: drop the connection, the next connect starts clean.</summary>
    private async Task DropAsync(Exception failure)
    {
        Log.LinkFailed(_logger, _clientId, failure.Message);
        if (_client is { } client)
        {
            await DisconnectAsync(client, MqttClientDisconnectOptionsReason.UnspecifiedError);
        }

        _disconnected.TrySetResult();
    }

    private async Task DisconnectAsync(IMqttClient client, MqttClientDisconnectOptionsReason reason)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(reason).Build(), timeout.Token);
        }
        catch (Exception ex)
        {
            Log.LinkFailed(_logger, _clientId, ex.Message);
        }
    }

    private void OnConnectFailed(int attempt, TimeSpan delay, Exception? failure)
    {
        Interlocked.Increment(ref _connectFailures);
        Log.ConnectFailed(_logger, _options.Broker, _clientId, attempt, delay.TotalSeconds, failure?.Message ?? "unknown");
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3701, Level = LogLevel.Information, Message = "Transfer link up: {Broker} as {ClientId}")]
        public static partial void Connected(ILogger logger, string broker, string clientId);

        [LoggerMessage(EventId = 3702, Level = LogLevel.Warning, Message = "Transfer link {ClientId}: connecting to {Broker} failed (attempt {Attempt}), next try in {DelaySeconds:F1} s: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string broker, string clientId, int attempt, double delaySeconds, string reason);

        [LoggerMessage(EventId = 3703, Level = LogLevel.Warning, Message = "Transfer link {ClientId} failed ({Reason}); reconnecting")]
        public static partial void LinkFailed(ILogger logger, string clientId, string reason);
    }
}
