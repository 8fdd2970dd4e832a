namespace CreditEdge.Hardware;

/// <summary>The facts about the agent that decide the status light (see <see cref="LightStates.For"/>).</summary>
/// <param name="Started">Start-up has finished.</param>
/// <param name="ModelLoaded">A model is loaded and answers.</param>
/// <param name="StoreWritable">The decision store takes writes.</param>
/// <param name="Online">The link to the office is up.</param>
/// <param name="Updating">A model update is being installed.</param>
/// <param name="Locked">The kiosk is locked (tamper) until unlocked on site.</param>
public readonly record struct AgentCondition(bool Started, bool ModelLoaded, bool StoreWritable, bool Online, bool Updating, bool Locked);
