namespace CreditEdge.Messaging;

/// <summary>The host's view of itself, for birth messages and the <c>status</c> command.</summary>
public interface IDeviceStatusSource
{
    DeviceStatus Online();
}
