using System.Globalization;

namespace CreditEdge.Core.Security;

/// <summary>
/// The check names a refused unlock order carries in <see cref="UnlockOrderException.Check"/>, and the device's checks of
/// a verified order (<see cref="Check"/>): signed is not enough — the order must be for this kiosk and for this lock.
/// </summary>
public static class UnlockOrderChecks
{
    /// <summary>
    /// Over <see cref="UnlockOrder.MaxMessageBytes"/>, not a COSE_Sign1 with an embedded payload, or the signed payload is
    /// not an unlock order: not JSON, another format, a missing, unknown, repeated or wrong-typed field, a field breaking
    /// its rule. Also for an order the signer is asked to sign.
    /// </summary>
    public const string Format = "unlock-format";

    /// <summary>
    /// No key is trusted, the order is signed by a key that is not trusted (its <c>kid</c> is named), the signature does
    /// not verify (the order was altered), or it is not ES256.
    /// </summary>
    public const string Signature = "unlock-signature";

    /// <summary>The order is for another device (both ids are named).</summary>
    public const string Device = "unlock-device";

    /// <summary>The order was issued before the lock began (an old order replayed), or more than <see cref="MaxAge"/> ago.</summary>
    public const string Stale = "unlock-stale";

    /// <summary>The order was issued more than <see cref="MaxClockSkew"/> after the device's now.</summary>
    public const string Future = "unlock-future";

    /// <summary>Oldest order accepted: 24 hours. An order is signed to be used at once, not kept for later.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    /// <summary>How far an order's <see cref="UnlockOrder.IssuedAt"/> may be ahead of the device's clock: 5 minutes.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>
    /// Throws <see cref="UnlockOrderException"/> (<see cref="Device"/>, <see cref="Future"/>, <see cref="Stale"/>, in that
    /// order) unless <paramref name="order"/> — verified by <see cref="UnlockOrderReader"/> — may unlock
    /// <paramref name="deviceId"/>, locked since <paramref name="lockedAt"/>, at <paramref name="now"/>. Bounds are
    /// inclusive: an order issued exactly at <paramref name="lockedAt"/>, exactly <see cref="MaxAge"/> ago or exactly
    /// <see cref="MaxClockSkew"/> ahead is accepted.
    /// </summary>
    public static void Check(UnlockOrder order, string deviceId, DateTimeOffset lockedAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        if (!string.Equals(order.DeviceId, deviceId, StringComparison.Ordinal))
        {
            throw new UnlockOrderException(Device, $"the order is for device '{order.DeviceId}', not for this device '{deviceId}'");
        }

        var issued = order.IssuedAt;
        if (issued - now > MaxClockSkew)
        {
            throw new UnlockOrderException(Future,
                $"the order was issued at {Time(issued)}, {Minutes(issued - now)} min ahead of this device's clock ({Time(now)}); "
                + $"at most {Minutes(MaxClockSkew)} min of clock skew is accepted: check the operator's and the device's clocks");
        }

        if (issued < lockedAt)
        {
            throw new UnlockOrderException(Stale,
                $"the order was issued at {Time(issued)}, before this lock began at {Time(lockedAt)}: an old order cannot unlock a new lock; sign a new one");
        }

        if (now - issued > MaxAge)
        {
            throw new UnlockOrderException(Stale,
                $"the order was issued at {Time(issued)}, {Hours(now - issued)} h ago; orders older than {Hours(MaxAge)} h are refused: sign a new one");
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static string Minutes(TimeSpan span) => span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Hours(TimeSpan span) => span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture);
}
