using CreditEdge.Agent.Api;
using CreditEdge.Agent.Observability;

namespace CreditEdge.Agent.Terminals;

/// <summary>
/// Refuses a <c>/v1/*</c> request that needs a terminal key and has none, an unknown one or a revoked one: 401
/// problem+json whose <c>type</c> says which, with <c>WWW-Authenticate: Bearer</c>.
/// </summary>
public sealed class TerminalGate(TerminalAuthenticator authenticator, AgentMetrics metrics) : IEndpointFilter
{
    /// <summary>The terminal that sent <paramref name="context"/>'s request; null for the kiosk's own addresses.</summary>
    public static string? TerminalIdOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var identity = context.RequestServices.GetRequiredService<TerminalAuthenticator>().Identify(context);
        return identity.Check == TerminalCheck.Terminal ? identity.TerminalId : null;
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var identity = authenticator.Identify(context.HttpContext);
        if (identity.IsAllowed)
        {
            return next(context);
        }

        metrics.TerminalRefused(identity.Check);
        return ValueTask.FromResult<object?>(identity.Check switch
        {
            TerminalCheck.Missing => Problems.TerminalKeyMissing(),
            TerminalCheck.Revoked => Problems.TerminalKeyRevoked(),
            _ => Problems.TerminalKeyUnknown(),
        });
    }
}
