using System.Text.RegularExpressions;

namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// The group or device a desired model is for. Its name follows the agent's <c>DeviceId</c> rule (it is a topic level):
/// 1–64 letters, digits, <c>.</c>, <c>_</c> or <c>-</c>, starting with a letter or digit. A device checks that the target
/// in a message is its own group or id: a message copied to another topic does not apply.
/// </summary>
public sealed partial record DesiredTarget(DesiredTargetKind Kind, string Name)
{
    public static DesiredTarget ForGroup(string group) => new(DesiredTargetKind.Group, group);

    public static DesiredTarget ForDevice(string deviceId) => new(DesiredTargetKind.Device, deviceId);

    /// <summary>Whether <paramref name="name"/> can name a group or device.</summary>
    public static bool IsValidName(string? name) => name is not null && NameRule().IsMatch(name);

    public override string ToString() => $"{(Kind == DesiredTargetKind.Group ? "group" : "device")} {Name}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NameRule();
}
