namespace CreditEdge.Core.Packages.Rollout;

/// <summary>A desired-model message that was refused; <see cref="Check"/> is one of <see cref="DesiredModelChecks"/>.</summary>
public sealed class DesiredModelException : Exception
{
    public DesiredModelException(string check, string message)
        : base($"desired model refused ({check}): {message}")
    {
        Check = check;
    }

    public DesiredModelException(string check, string message, Exception innerException)
        : base($"desired model refused ({check}): {message}", innerException)
    {
        Check = check;
    }

    public DesiredModelException()
        : this("unknown", "no reason given")
    {
    }

    public DesiredModelException(string message)
        : this("unknown", message)
    {
    }

    public string Check { get; } = "unknown";
}
