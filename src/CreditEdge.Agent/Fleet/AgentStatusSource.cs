using System.Reflection;
using CreditEdge.Agent.Hardware;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Rollout;
using CreditEdge.Messaging;

namespace CreditEdge.Agent.Fleet;

/// <summary>The agent's status for birth messages and the <c>status</c> command.</summary>
internal sealed class AgentStatusSource(DeviceIdentity identity, ModelHost models, RolloutStateFile rollout, TamperLock tamperLock, TimeProvider time) : IDeviceStatusSource
{
    public static readonly string AgentVersion =
        typeof(AgentStatusSource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private readonly DateTimeOffset _started = time.GetUtcNow();

    public DeviceStatus Online()
    {
        var model = models.Current;
        var now = time.GetUtcNow();
        return new DeviceStatus("online", identity.DeviceId, AgentVersion, model?.Ref.Id, model?.Ref.Version, model?.Ref.Variant, (now - _started).TotalSeconds, now)
        {
            VariantChoice = model?.Choice,
            Rollout = rollout.Current,
            Locked = tamperLock.RefusalReason,
        };
    }
}
