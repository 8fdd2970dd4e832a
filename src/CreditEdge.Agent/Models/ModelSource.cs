namespace CreditEdge.Agent.Models;

/// <summary>Where the running model was loaded from: a slot under <c>&lt;DataDirectory&gt;/models</c>, or the configured <c>ModelDirectory</c>.</summary>
/// <param name="Directory">The package directory that was loaded.</param>
/// <param name="Slot">The slot name (<see cref="ModelSlots.SlotA"/>, <see cref="ModelSlots.SlotB"/>), or null for <c>ModelDirectory</c>.</param>
public sealed record ModelSource(string Directory, string? Slot)
{
    /// <summary>True when the model came from the configured <c>ModelDirectory</c> rather than a slot.</summary>
    public bool IsConfigured => Slot is null;

    public override string ToString() => Slot is null ? $"configured directory {Directory}" : $"{Slot} ({Directory})";
}
