namespace CreditEdge.Agent.Terminals;

/// <summary>Who sent a request: the kiosk, a terminal (its id), or a caller refused and why.</summary>
public sealed record TerminalIdentity(TerminalCheck Check, string? TerminalId = null)
{
    public static TerminalIdentity Kiosk { get; } = new(TerminalCheck.Kiosk);

    public static TerminalIdentity Missing { get; } = new(TerminalCheck.Missing);

    public static TerminalIdentity Unknown { get; } = new(TerminalCheck.Unknown);

    public bool IsAllowed => Check is TerminalCheck.Kiosk or TerminalCheck.Terminal;
}
