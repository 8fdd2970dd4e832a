namespace CreditEdge.Hardware;

/// <summary>Maps the agent's condition to a <see cref="LightState"/>.</summary>
public static class LightStates
{
    /// <summary>The light for <paramref name="condition"/>; precedence Locked, Starting, Fault, Updating, Ready (table on <see cref="LightState"/>).</summary>
    public static LightState For(AgentCondition condition) => condition switch
    {
        { Locked: true } => LightState.Locked,
        { Started: false } => LightState.Starting,
        { ModelLoaded: false } or { StoreWritable: false } => LightState.Fault,
        { Updating: true } => LightState.Updating,
        { Online: true } => LightState.ReadyOnline,
        _ => LightState.ReadyOffline,
    };
}
