namespace CreditEdge.Hardware;

/// <summary>
/// What the three-lamp status light shows. <see cref="LightStates.For"/> picks the state from the agent's condition,
/// first matching row wins:
/// <list type="table">
/// <listheader><term>State</term><description>Lamp — when</description></listheader>
/// <item><term><see cref="Locked"/></term><description>red blinking — the kiosk is locked (tamper); shown even while starting.</description></item>
/// <item><term><see cref="Starting"/></term><description>amber blinking — the agent has not finished starting.</description></item>
/// <item><term><see cref="Fault"/></term><description>red steady — no model loaded, or the decision store refuses writes.</description></item>
/// <item><term><see cref="Updating"/></term><description>amber steady — a model update is being installed.</description></item>
/// <item><term><see cref="ReadyOnline"/></term><description>green steady — scoring, connected to the office.</description></item>
/// <item><term><see cref="ReadyOffline"/></term><description>green blinking — scoring, working offline.</description></item>
/// <item><term><see cref="Off"/></term><description>all lamps off — the agent is stopped (never chosen by <see cref="LightStates.For"/>).</description></item>
/// </list>
/// Blinking is on for half of <c>Hardware:BlinkPeriod</c>, off for the other half.
/// </summary>
public enum LightState
{
    /// <summary>All lamps off.</summary>
    Off,

    /// <summary>Amber blinking.</summary>
    Starting,

    /// <summary>Green steady.</summary>
    ReadyOnline,

    /// <summary>Green blinking.</summary>
    ReadyOffline,

    /// <summary>Amber steady.</summary>
    Updating,

    /// <summary>Red steady.</summary>
    Fault,

    /// <summary>Red blinking.</summary>
    Locked,
}
