using CreditEdge.Agent.Options;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Api;

/// <summary>
/// Kestrel's limits, set on purpose for a kiosk API whose honest requests are one small JSON body: hostile clients (header
/// floods, slow headers or bodies that hold connections open, huge bodies) are refused early and cheaply (README, "Local
/// HTTP API").
/// </summary>
internal sealed class KestrelLimits(IOptions<ApiOptions> api) : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>Headers a request may carry (a kiosk or handheld sends about ten).</summary>
    public const int MaxHeaderCount = 32;

    /// <summary>Total size of a request's headers.</summary>
    public const int MaxHeadersBytes = 8 * 1024;

    /// <summary>Longest request line (method, path, query).</summary>
    public const int MaxRequestLineBytes = 2 * 1024;

    /// <summary>Time to send all headers; a client that dribbles them (slowloris) is cut off after it.</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Slowest body accepted after a grace period; slower bodies lose their connection.</summary>
    public static readonly MinDataRate MinBodyRate = new(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(3));

    /// <summary>Idle keep-alive connections are closed after this.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    /// <summary>Most connections at once; a kiosk has a handful of clients.</summary>
    public const int MaxConnections = 512;

    public void Configure(KestrelServerOptions options)
    {
        var limits = options.Limits;
        limits.MaxRequestHeaderCount = MaxHeaderCount;
        limits.MaxRequestHeadersTotalSize = MaxHeadersBytes;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.RequestHeadersTimeout = HeadersTimeout;
        limits.MinRequestBodyDataRate = MinBodyRate;
        limits.KeepAliveTimeout = KeepAlive;
        limits.MaxConcurrentConnections = MaxConnections;
        limits.MaxConcurrentUpgradedConnections = 0;
        // the API refuses bodies over Api:MaxBodyBytes itself with a 400 naming the rule; Kestrel's own cap is the backstop
        limits.MaxRequestBodySize = 2L * api.Value.MaxBodyBytes;
        options.AddServerHeader = false;
    }
}
