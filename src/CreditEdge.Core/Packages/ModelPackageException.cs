namespace CreditEdge.Core.Packages;

/// <summary>A package that was refused; <see cref="Check"/> names the check that failed.</summary>
public sealed class ModelPackageException : Exception
{
    public ModelPackageException(string check, string message)
        : base($"model package refused ({check}): {message}")
    {
        Check = check;
    }

    public ModelPackageException(string check, string message, Exception innerException)
        : base($"model package refused ({check}): {message}", innerException)
    {
        Check = check;
    }

    public ModelPackageException()
        : this("unknown", "no reason given")
    {
    }

    public ModelPackageException(string message)
        : this("unknown", message)
    {
    }

    public string Check { get; } = "unknown";
}
