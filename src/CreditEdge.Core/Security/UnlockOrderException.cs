namespace CreditEdge.Core.Security;

/// <summary>An unlock order that was refused; <see cref="Check"/> is one of the names in <see cref="UnlockOrderChecks"/>.</summary>
public sealed class UnlockOrderException : Exception
{
    public UnlockOrderException(string check, string message)
        : base($"unlock order refused ({check}): {message}")
    {
        Check = check;
    }

    public UnlockOrderException(string check, string message, Exception innerException)
        : base($"unlock order refused ({check}): {message}", innerException)
    {
        Check = check;
    }

    public UnlockOrderException()
        : this("unknown", "no reason given")
    {
    }

    public UnlockOrderException(string message)
        : this("unknown", message)
    {
    }

    public string Check { get; } = "unknown";
}
