namespace CreditEdge.TestKit;

/// <summary>Polls a condition until it holds; a deadline turns a hang into a failure that says what was awaited.</summary>
public static class Eventually
{
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return HoldsAsync(() => Task.FromResult(condition()), timeout, what);
    }

    /// <summary>The same for a condition that has to ask something (an HTTP call).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds} s for {what}");
            }

            await Task.Delay(25);
        }
    }
}
