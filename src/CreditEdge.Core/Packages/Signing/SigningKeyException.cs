namespace CreditEdge.Core.Packages.Signing;

/// <summary>A signing or trusted key file cannot be used; the message names the file and what to do.</summary>
public sealed class SigningKeyException : Exception
{
    public SigningKeyException()
    {
    }

    public SigningKeyException(string message)
        : base(message)
    {
    }

    public SigningKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
