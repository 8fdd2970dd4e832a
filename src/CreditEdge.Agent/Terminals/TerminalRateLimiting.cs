using System.Threading.RateLimiting;
using CreditEdge.Agent.Api;
using CreditEdge.Agent.Observability;
using CreditEdge.Agent.Options;
using Microsoft.AspNetCore.RateLimiting;

namespace CreditEdge.Agent.Terminals;

/// <summary>
/// The per-terminal rate limit on <c>/v1/*</c> (ASP.NET Core's rate limiter): a token bucket per terminal id
/// (<c>Api:TerminalRateLimit</c>); kiosk addresses are not limited; a caller without a valid key takes from a bucket
/// of its source address, so guessing keys is limited too. A refusal is 429 problem+json with <c>Retry-After</c>.
/// </summary>
public static class TerminalRateLimiting
{
    public const string PolicyName = "terminals";

    public static void Configure(RateLimiterOptions options, TerminalRateLimitOptions limit)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limit);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = limit.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };

        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.AddPolicy(PolicyName, context =>
        {
            var identity = context.RequestServices.GetRequiredService<TerminalAuthenticator>().Identify(context);
            return identity.Check switch
            {
                TerminalCheck.Kiosk => RateLimitPartition.GetNoLimiter("kiosk"),
                TerminalCheck.Terminal => RateLimitPartition.GetTokenBucketLimiter("terminal:" + identity.TerminalId, _ => bucket),
                _ => RateLimitPartition.GetTokenBucketLimiter("address:" + context.Connection.RemoteIpAddress, _ => bucket),
            };
        });
        options.OnRejected = async (rejected, cancellationToken) =>
        {
            var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                : 1;
            var http = rejected.HttpContext;
            http.RequestServices.GetRequiredService<AgentMetrics>().TerminalRateLimited();
            await Problems.TooManyRequests(seconds).ExecuteAsync(http);
        };
    }
}
