using System.Text.Json.Nodes;
using CreditEdge.Agent.Models;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Security;
using CreditEdge.Hardware;
using CreditEdge.Messaging;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Hardware;

/// <summary>
/// <c>unlock</c> with <c>{"order": "&lt;base64 signed unlock order&gt;"}</c> (<c>cedge fleet unlock</c>): an operator's
/// order, signed by a key in the trust directory, for this device, issued after the lock began and within the last 24 h,
/// lifts the tamper lock once the enclosure is closed. Every refusal names its check.
/// </summary>
internal sealed class UnlockCommand(TamperLock tamperLock, ModelHost models, IOptions<HardwareOptions> hardware, DeviceIdentity identity, TimeProvider time) : IDeviceCommand
{
    public string Name => UnlockOrder.CommandName;

    public async Task<JsonObject> ExecuteAsync(JsonObject? arguments, CancellationToken cancellationToken)
    {
        if (tamperLock.Current is not { } state)
        {
            throw new InvalidOperationException("the kiosk is not locked");
        }

        UnlockOrder order;
        try
        {
            var argument = arguments?[UnlockOrder.CommandArgument] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            order = UnlockOrderReader.ReadBase64(argument, SigningKeys.LoadTrustedKeys(hardware.Value.UnlockTrustDirectory is { Length: > 0 } own ? Path.GetFullPath(own) : models.TrustDirectory));
            UnlockOrderChecks.Check(order, identity.DeviceId, state.LockedAt, time.GetUtcNow());
        }
        catch (UnlockOrderException ex)
        {
            throw new ArgumentException(ex.Message, ex); // the office hears why, on one line
        }
        catch (SigningKeyException ex)
        {
            throw new ArgumentException($"unlock order refused ({UnlockOrderChecks.Signature}): the device's trust keys cannot be read: {ex.Message}", ex);
        }

        await tamperLock.UnlockAsync(order.Operator, $"signed order: {order.Reason}", cancellationToken);
        return new JsonObject { ["unlocked"] = true, ["operator"] = order.Operator };
    }
}
