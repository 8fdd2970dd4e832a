namespace CreditEdge.Core.Schema;

/// <summary>A feature schema that cannot be used; <see cref="Problems"/> names each reason.</summary>
public sealed class InvalidSchemaException : Exception
{
    public InvalidSchemaException(IReadOnlyList<string> problems)
        : base("Invalid feature schema: " + string.Join("; ", problems))
    {
        Problems = problems;
    }

    public InvalidSchemaException()
        : this([])
    {
    }

    public InvalidSchemaException(string message)
        : base(message)
    {
        Problems = [message];
    }

    public InvalidSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; } = [];
}
