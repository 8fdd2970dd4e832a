using System.Collections.Concurrent;
using System.Text;

namespace CreditEdge.Messaging;

/// <summary>
/// The link's receive-path probe: a nonce published to the link's own echo topic through the broker must come back
/// through the dispatcher within the timeout. Messages the dispatcher finished meanwhile also prove the path is alive
/// (a long backlog delays the echo without being a stall).
/// </summary>
internal sealed class EchoProbe(string topic, TimeSpan timeout, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _echoes = new();

    public string Topic { get; } = topic;

    public Task OnEchoAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (_echoes.TryGetValue(Encoding.UTF8.GetString(message.Payload.Span), out var waiting))
        {
            waiting.TrySetResult();
        }

        return Task.CompletedTask;
    }

    /// <summary>False when the receive path is stalled while the link is connected.</summary>
    public async Task<bool> ProbeAsync(BrokerLink link, Func<long> handled, CancellationToken cancellationToken)
    {
        var nonce = Guid.NewGuid().ToString("N");
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _echoes[nonce] = back;
        var before = handled();
        try
        {
            // the whole round trip is under the timeout, the PUBACK too: a broker that stops answering while the connection
            // stays open (frozen, or its path half-open) would otherwise hold the probe until the keep-alive gives up
            await RoundTripAsync().WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return handled() != before;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return !link.IsConnected; // a dropped link is handled by the loop, not counted as a stall
        }
        finally
        {
            _echoes.TryRemove(nonce, out _);
        }

        async Task RoundTripAsync()
        {
            await link.PublishAsync(Topic, Encoding.UTF8.GetBytes(nonce), retain: false, cancellationToken);
            await back.Task;
        }
    }
}
