namespace CreditEdge.Agent.Models;

/// <summary>
/// The device's active-model pointer (<c>&lt;DataDirectory&gt;/models/active.json</c>, written by
/// <see cref="ModelSlots.Activate"/>): which slot the agent runs at its next start, and what is in it.
/// </summary>
/// <param name="Slot">The slot to run: <see cref="ModelSlots.SlotA"/> or <see cref="ModelSlots.SlotB"/>.</param>
/// <param name="ModelId">The package's manifest id.</param>
/// <param name="Version">The package's manifest version.</param>
/// <param name="PackageSha256">
/// SHA-256 (lower-case hex) of the archive the package came in (the desired model's <c>package.sha256</c>); null for a
/// package installed from a directory on disk, or when the agent fell back to the previous slot and rewrote the pointer.
/// </param>
/// <param name="RolloutSequence">The desired model's rollout sequence this activation acted on (0 when none).</param>
/// <param name="PreviousSlot">The slot a rollback returns to (the one active before), or null when there is none.</param>
/// <param name="ActivatedAt">When the pointer was written (UTC).</param>
public sealed record ActiveModelRecord(
    string Slot,
    string ModelId,
    string Version,
    string? PackageSha256,
    long RolloutSequence,
    string? PreviousSlot,
    DateTimeOffset ActivatedAt)
{
    /// <summary>What is wrong with this record, or null when it is sound (a pointer that is not is ignored at start).</summary>
    public string? Problem()
    {
        if (!ModelSlots.IsSlotName(Slot))
        {
            return $"slot '{Slot}' is not one of {string.Join(", ", ModelSlots.SlotNames)}";
        }

        if (PreviousSlot is not null && (!ModelSlots.IsSlotName(PreviousSlot) || PreviousSlot == Slot))
        {
            return $"previous slot '{PreviousSlot}' is not the other slot of '{Slot}'";
        }

        if (string.IsNullOrWhiteSpace(ModelId) || string.IsNullOrWhiteSpace(Version))
        {
            return "modelId and version must not be empty";
        }

        if (PackageSha256 is not null && (PackageSha256.Length != 64 || !PackageSha256.All(char.IsAsciiHexDigitLower)))
        {
            return $"packageSha256 '{PackageSha256}' is not 64 lower-case hex digits";
        }

        return RolloutSequence < 0 ? $"rolloutSequence {RolloutSequence} is negative" : null;
    }
}
