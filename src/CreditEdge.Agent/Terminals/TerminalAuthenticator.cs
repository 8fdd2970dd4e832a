using System.Net;
using CreditEdge.Agent.Options;
using Microsoft.Extensions.Options;

namespace CreditEdge.Agent.Terminals;

/// <summary>
/// Decides who sent a request (README "Terminals (handhelds)"): a source address in <c>Api:KioskAddresses</c> is the
/// kiosk; any other needs <c>Authorization: Bearer KEY</c> with an active terminal's key. Used by the rate limiter (to
/// pick the bucket) and the gate (to refuse); the answer is kept on the request, so the key is hashed once.
/// </summary>
public sealed class TerminalAuthenticator
{
    private const string Bearer = "Bearer ";
    private static readonly object ItemKey = new();

    private readonly IReadOnlySet<IPAddress> _kioskAddresses;
    private readonly TerminalRegistryWatcher _registry;

    public TerminalAuthenticator(IOptions<ApiOptions> options, TerminalRegistryWatcher registry)
    {
        _kioskAddresses = options.Value.ParsedKioskAddresses();
        _registry = registry;
    }

    public TerminalIdentity Identify(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is TerminalIdentity known)
        {
            return known;
        }

        var identity = IdentifyUncached(context);
        context.Items[ItemKey] = identity;
        return identity;
    }

    private TerminalIdentity IdentifyUncached(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is { } remote && _kioskAddresses.Contains(ApiOptions.Normalize(remote)))
        {
            return TerminalIdentity.Kiosk;
        }

        var header = context.Request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return TerminalIdentity.Missing;
        }

        var key = value[Bearer.Length..].Trim();
        return key.Length == 0 ? TerminalIdentity.Missing : _registry.Keys.Check(key);
    }
}
