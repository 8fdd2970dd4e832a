using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace CreditEdge.Messaging.Central;

/// <summary>
/// The office's half of a device command (<see cref="CommandProcessor"/>): an MQTT 5 request on
/// <c>creditedge/devices/{id}/commands/{name}</c> whose response topic (<see cref="Topics.Reply"/>) and correlation data
/// are this call's alone, and the one answer that comes back there. Connects as an office client (same reconnect policy,
/// TLS and credentials) with a throwaway session, subscribed to the response topic before the request goes out.
/// </summary>
public static class DeviceCommandSender
{
    /// <summary>
    /// Sends <paramref name="command"/> with <paramref name="arguments"/> to <paramref name="deviceId"/> and waits up to
    /// <paramref name="replyTimeout"/> after the broker took the request. Returns the device's answer, or null when none
    /// came in time (the device is offline, or too busy). The request expires on the broker with the wait: a device that
    /// comes back later never acts on a request its sender gave up on. No connection within
    /// <paramref name="connectTimeout"/> throws <see cref="FleetConnectException"/>; a request the broker refuses,
    /// <see cref="FleetPublishException"/>.
    /// </summary>
    public static async Task<CommandReply?> SendAsync(CentralConnection connection, string deviceId, string command, JsonObject arguments,
        TimeSpan replyTimeout, TimeSpan connectTimeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(replyTimeout, TimeSpan.Zero);
        var requestId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var responseTopic = Topics.Reply(deviceId, requestId);
        var correlation = RandomNumberGenerator.GetBytes(16);
        var reply = new TaskCompletionSource<CommandReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task OnReply(ReceivedMessage message, CancellationToken _)
        {
            // the topic is this call's, but anyone allowed to write there could: only the request's own correlation counts
            if (message.CorrelationData.Span.SequenceEqual(correlation))
            {
                reply.TrySetResult(CommandReply.Parse(deviceId, message.Payload.Span));
            }

            return Task.CompletedTask;
        }

        using var link = CentralClient.Create(connection.LinkOptions(sessionExpiry: TimeSpan.Zero), $"cedge-command-{requestId}", time, logger);
        link.Subscribe(responseTopic, OnReply);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = link.RunAsync(stop.Token);
        try
        {
            await CentralClient.WaitConnectedAsync(link, connection, connectTimeout, time, stop.Token);

            await link.PublishAsync(Topics.Command(deviceId, command), JsonSerializer.SerializeToUtf8Bytes(arguments, MessagingJson.Wire.JsonObject), retain: false,
                stop.Token, responseTopic, correlation, messageExpiry: replyTimeout);
            try
            {
                return await reply.Task.WaitAsync(replyTimeout, time, stop.Token);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
