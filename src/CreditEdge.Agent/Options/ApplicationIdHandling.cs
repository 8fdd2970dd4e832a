namespace CreditEdge.Agent.Options;

/// <summary>How <see cref="PrivacyOptions.ApplicationIds"/> stores a request's <c>applicationId</c>.</summary>
public enum ApplicationIdHandling
{
    /// <summary>A keyed hash under the device's salt.</summary>
    Hash,

    /// <summary>As given.</summary>
    Keep,
}
