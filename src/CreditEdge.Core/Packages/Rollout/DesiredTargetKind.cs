namespace CreditEdge.Core.Packages.Rollout;

/// <summary>Whom a desired model addresses: every device of a fleet group, or one device.</summary>
public enum DesiredTargetKind
{
    Group,
    Device,
}
