namespace CreditEdge.Agent.Terminals;

/// <summary>What the terminal gate made of a <c>/v1/*</c> request.</summary>
public enum TerminalCheck
{
    /// <summary>From one of <c>Api:KioskAddresses</c>: no key needed, not rate limited, no terminal id recorded.</summary>
    Kiosk,

    /// <summary>An active terminal's key.</summary>
    Terminal,

    /// <summary>No <c>Authorization: Bearer KEY</c> header.</summary>
    Missing,

    /// <summary>A key that is no terminal's.</summary>
    Unknown,

    /// <summary>A revoked terminal's key.</summary>
    Revoked,
}
