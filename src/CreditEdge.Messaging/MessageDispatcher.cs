using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace CreditEdge.Messaging;

/// <summary>
/// The link's receive side after the MQTT client: messages wait in a channel (the client's callback only enqueues, so it
/// is never blocked by work), one reader hands each to the handlers of the matching filters in arrival order, and only
/// then acknowledges it. A message whose handler throws is not acknowledged: the broker delivers it again after the next
/// connect (persistent session). Acknowledgements therefore follow the work, in arrival order.
/// </summary>
internal sealed partial class MessageDispatcher(ILogger logger)
{
    private static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(10);
    private readonly List<(string Filter, Func<ReceivedMessage, CancellationToken, Task> Handler)> _handlers = [];
    private readonly Channel<InboundMessage> _inbox = Channel.CreateUnbounded<InboundMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger = logger;
    private long _handled;

    /// <summary>Messages whose handlers have finished (successfully or not).</summary>
    public long Handled => Interlocked.Read(ref _handled);

    public IReadOnlyList<string> Filters => _handlers.Select(h => h.Filter).Distinct(StringComparer.Ordinal).ToList();

    public void Subscribe(string topicFilter, Func<ReceivedMessage, CancellationToken, Task> handler) => _handlers.Add((topicFilter, handler));

    /// <summary>False once the dispatcher is completing: the message is then left unacknowledged for the next session.</summary>
    public bool Post(InboundMessage message) => _inbox.Writer.TryWrite(message);

    public void Complete() => _inbox.Writer.TryComplete();

    /// <summary>Runs until <see cref="Complete"/>; what is queued then is still handed on (handlers see the cancelled token).</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var item in _inbox.Reader.ReadAllAsync(CancellationToken.None))
        {
            var handled = true;
            foreach (var (filter, handler) in _handlers)
            {
                if (MqttTopicFilterComparer.Compare(item.Message.Topic, filter) != MqttTopicFilterCompareResult.IsMatch)
                {
                    continue;
                }

                try
                {
                    await handler(item.Message, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    handled = false; // stopping: the next session brings it back
                }
                catch (Exception ex)
                {
                    handled = false;
                    Log.HandlerFailed(_logger, item.Message.Topic, ex);
                }
            }

            Interlocked.Increment(ref _handled);
            if (handled)
            {
                await AcknowledgeAsync(item);
            }
        }
    }

    private async Task AcknowledgeAsync(InboundMessage item)
    {
        using var timeout = new CancellationTokenSource(AcknowledgeTimeout);
        try
        {
            await item.AcknowledgeAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            Log.AcknowledgeFailed(_logger, item.Message.Topic, ex.Message); // the connection is gone: the broker sends it again
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Handler for {Topic} failed; the message is not acknowledged and comes again after the next connect")]
        public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

        [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "Acknowledging a message on {Topic} failed ({Reason}); the broker sends it again")]
        public static partial void AcknowledgeFailed(ILogger logger, string topic, string reason);
    }
}
