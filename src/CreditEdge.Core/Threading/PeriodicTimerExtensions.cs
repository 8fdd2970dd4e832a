namespace CreditEdge.Core.Threading;

/// <summary>The wait of every periodic worker: the next tick, or false once stopping.</summary>
public static class PeriodicTimerExtensions
{
    /// <summary>True at the next tick; false when the timer was disposed or <paramref name="cancellationToken"/> fired.</summary>
    public static async Task<bool> TickOrStopAsync(this PeriodicTimer timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
