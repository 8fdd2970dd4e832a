namespace CreditEdge.Benchmarks.Http;

/// <summary>
/// One load run against <c>POST /v1/score</c>. Latencies are counted from each request's scheduled send time
/// (open loop) or its actual send time (closed loop, where the two are the same).
/// </summary>
public sealed record LoadResult
{
    public required string Label { get; init; }

    /// <summary>Requests per second asked for; null for the closed loop.</summary>
    public int? TargetRate { get; init; }

    /// <summary>Concurrent requests of the closed loop; null for the open loop.</summary>
    public int? Connections { get; init; }

    public required TimeSpan Duration { get; init; }

    public required int Requests { get; init; }

    /// <summary>Responses other than 200, plus requests that failed or timed out.</summary>
    public required int NonOk { get; init; }

    /// <summary>Completed requests per second of wall time.</summary>
    public required double AchievedRate { get; init; }

    public required TimeSpan P50 { get; init; }

    public required TimeSpan P90 { get; init; }

    public required TimeSpan P99 { get; init; }

    public required TimeSpan Max { get; init; }

    /// <summary>Median time from the actual send to the response: the server's share without the generator's lateness.</summary>
    public required TimeSpan ServiceP50 { get; init; }

    /// <summary>Mean delay between a request's scheduled and actual send (the generator's timer lateness).</summary>
    public required TimeSpan MeanSendLag { get; init; }
}
