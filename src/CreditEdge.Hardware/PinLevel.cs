namespace CreditEdge.Hardware;

/// <summary>A line level as written in configuration (<c>High</c> or <c>Low</c>).</summary>
public enum PinLevel
{
    /// <summary>Logic low (ground).</summary>
    Low,

    /// <summary>Logic high (supply).</summary>
    High,
}
