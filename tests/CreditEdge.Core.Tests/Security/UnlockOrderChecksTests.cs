using CreditEdge.Core.Security;

namespace CreditEdge.Core.Tests.Security;

public sealed class UnlockOrderChecksTests
{
    private static readonly DateTimeOffset LockedAt = UnlockOrders.LockedAt;
    private static readonly DateTimeOffset Now = LockedAt.AddHours(2);

    private static UnlockOrder IssuedAt(DateTimeOffset at) => UnlockOrders.Sample() with { IssuedAt = at };

    private static UnlockOrderException Refused(UnlockOrder order, string deviceId = "kiosk-7") =>
        Assert.Throws<UnlockOrderException>(() => UnlockOrderChecks.Check(order, deviceId, LockedAt, Now));

    [Fact]
    public void Check_OrderForThisDeviceIssuedDuringTheLock_Accepted()
    {
        UnlockOrderChecks.Check(IssuedAt(Now.AddMinutes(-3)), "kiosk-7", LockedAt, Now);
    }

    [Fact]
    public void Check_OrderForAnotherDevice_RefusedDeviceNamingBoth()
    {
        var ex = Refused(IssuedAt(Now.AddMinutes(-3)), deviceId: "kiosk-8");

        Assert.Equal(UnlockOrderChecks.Device, ex.Check);
        Assert.Contains("'kiosk-7'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'kiosk-8'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DeviceIdDiffersOnlyInCase_RefusedDevice()
    {
        Assert.Equal(UnlockOrderChecks.Device, Refused(IssuedAt(Now.AddMinutes(-3)), deviceId: "Kiosk-7").Check);
    }

    [Fact]
    public void Check_IssuedBeforeTheLockBegan_RefusedStaleAsReplay()
    {
        // a recent order that unlocked an earlier lock: replayed, it must not open this one
        var ex = Refused(IssuedAt(LockedAt.AddTicks(-1)));

        Assert.Equal(UnlockOrderChecks.Stale, ex.Check);
        Assert.Contains("before this lock began at 2026-03-02T09:00:00Z", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_IssuedExactlyWhenTheLockBegan_Accepted()
    {
        UnlockOrderChecks.Check(IssuedAt(LockedAt), "kiosk-7", LockedAt, Now);
    }

    [Fact]
    public void Check_OlderThanMaxAge_RefusedStale()
    {
        var lockedLongAgo = Now.AddDays(-3);

        var ex = Assert.Throws<UnlockOrderException>(() =>
            UnlockOrderChecks.Check(IssuedAt(Now - UnlockOrderChecks.MaxAge - TimeSpan.FromSeconds(1)), "kiosk-7", lockedLongAgo, Now));

        Assert.Equal(UnlockOrderChecks.Stale, ex.Check);
        Assert.Contains("24 h ago; orders older than 24 h are refused", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExactlyMaxAgeOld_Accepted()
    {
        UnlockOrderChecks.Check(IssuedAt(Now - UnlockOrderChecks.MaxAge), "kiosk-7", Now.AddDays(-3), Now);
    }

    [Fact]
    public void Check_AheadOfTheClockBeyondTheSkew_RefusedFuture()
    {
        var ex = Refused(IssuedAt(Now + UnlockOrderChecks.MaxClockSkew + TimeSpan.FromSeconds(1)));

        Assert.Equal(UnlockOrderChecks.Future, ex.Check);
        Assert.Contains("5 min ahead of this device's clock", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AheadOfTheClockWithinTheSkew_Accepted()
    {
        UnlockOrderChecks.Check(IssuedAt(Now + UnlockOrderChecks.MaxClockSkew), "kiosk-7", LockedAt, Now);
        UnlockOrderChecks.Check(IssuedAt(Now.AddMinutes(2)), "kiosk-7", LockedAt, Now);
    }

    [Fact]
    public void Limits_AreTheDocumentedOnes()
    {
        Assert.Equal(TimeSpan.FromHours(24), UnlockOrderChecks.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(5), UnlockOrderChecks.MaxClockSkew);
        Assert.Equal(4096, UnlockOrder.MaxMessageBytes);
    }
}
