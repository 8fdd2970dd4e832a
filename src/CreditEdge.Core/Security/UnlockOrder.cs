using System.Globalization;
using System.Text;

namespace CreditEdge.Core.Security;

/// <summary>
/// An operator's order to unlock one kiosk that locked itself when its enclosure was opened: signed by
/// <see cref="UnlockOrderSigner"/>, read by <see cref="UnlockOrderReader"/>, and accepted by the device only if
/// <see cref="UnlockOrderChecks.Check"/> passes (its own id, issued after the lock began, recent, not from the future).
/// </summary>
/// <param name="DeviceId">The kiosk to unlock; the agent's <c>DeviceId</c> rule (see <see cref="Packages.Rollout.DesiredTarget.IsValidName"/>).</param>
/// <param name="IssuedAt">When the operator signed it; written as UTC.</param>
/// <param name="Operator">Who unlocks: 1–<see cref="MaxOperatorLength"/> printable characters (<see cref="IsValidOperator"/>).</param>
/// <param name="Reason">Why, for the audit trail: up to <see cref="MaxReasonLength"/> printable characters, may be empty (<see cref="IsValidReason"/>).</param>
public sealed record UnlockOrder(string DeviceId, DateTimeOffset IssuedAt, string Operator, string Reason)
{
    /// <summary>The <c>format</c> of the signed document.</summary>
    public const string CurrentFormat = "creditedge.unlock-order/1";

    /// <summary>The device command that carries an order: <c>creditedge/devices/{id}/commands/unlock</c>.</summary>
    public const string CommandName = "unlock";

    /// <summary>The command's one argument: the signed order, base64 (RFC 4648, padded) — <c>{"order":"…"}</c>.</summary>
    public const string CommandArgument = "order";

    /// <summary>Largest signed message accepted: 4 KiB (the largest valid order, every character escaped, is under 2 KiB).</summary>
    public const int MaxMessageBytes = 4096;

    /// <summary>Longest <see cref="Operator"/>, in UTF-16 characters.</summary>
    public const int MaxOperatorLength = 64;

    /// <summary>Longest <see cref="Reason"/>, in UTF-16 characters.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>1–<see cref="MaxOperatorLength"/> printable characters (<see cref="IsPrintable"/>), not only white space.</summary>
    public static bool IsValidOperator(string? name) =>
        name is { Length: > 0 and <= MaxOperatorLength } && !string.IsNullOrWhiteSpace(name) && IsPrintable(name);

    /// <summary>0–<see cref="MaxReasonLength"/> printable characters (<see cref="IsPrintable"/>).</summary>
    public static bool IsValidReason(string? reason) => reason is { Length: <= MaxReasonLength } && IsPrintable(reason);

    /// <summary>
    /// Whether every character can be shown on one line of a log or audit entry: no control characters (line breaks,
    /// tabs, escapes), no invisible formatting characters (bidirectional overrides, zero-width), no line or paragraph
    /// separators, no unassigned or private-use code points, no lone surrogates.
    /// </summary>
    public static bool IsPrintable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length;)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                return false; // a lone surrogate
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate)
            {
                return false;
            }

            i += rune.Utf16SequenceLength;
        }

        return true;
    }
}
