using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CreditEdge.Messaging;

/// <summary>
/// The one connect policy of every link, the device's and the office's: exponential backoff with jitter from
/// <see cref="FleetLinkOptions.ReconnectMinDelay"/> up to <see cref="FleetLinkOptions.ReconnectMaxDelay"/>, retried without
/// end, behind a circuit breaker (5 straight failures open it for <see cref="FleetLinkOptions.ReconnectMaxDelay"/>), each
/// attempt under a timeout. Cancellation is never retried; a per-attempt timeout is.
/// </summary>
internal static class LinkPipeline
{
    /// <param name="onRetry">Told of each failed attempt: its number (1 = the first), the delay before the next and the failure.</param>
    public static ResiliencePipeline Build(FleetLinkOptions options, TimeProvider time, Action<int, TimeSpan, Exception?> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsRetried),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectMinDelay,
                MaxDelay = options.ReconnectMaxDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    onRetry(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsRetried),
                FailureRatio = 1.0,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromMinutes(2),
                BreakDuration = options.ReconnectMaxDelay,
            })
            .AddTimeout(options.ConnectTimeout + TimeSpan.FromSeconds(5))
            .Build();

    private static bool IsRetried(Exception ex) => ex is not OperationCanceledException || ex is TimeoutRejectedException;
}
