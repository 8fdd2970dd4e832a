namespace CreditEdge.Modeling.Data;

/// <summary>A dataset schema file that cannot be used; the message names the file, the column and what is wrong.</summary>
public sealed class DatasetSchemaException : Exception
{
    public DatasetSchemaException(string file, IReadOnlyList<string> problems)
        : base($"schema '{file}': {string.Join("; ", problems)}")
    {
        File = file;
        Problems = problems;
    }

    public DatasetSchemaException(string file, string problem, Exception innerException)
        : base($"schema '{file}': {problem}", innerException)
    {
        File = file;
        Problems = [problem];
    }

    public DatasetSchemaException()
        : this("?", ["no reason given"])
    {
    }

    public DatasetSchemaException(string message)
        : this("?", [message])
    {
    }

    public DatasetSchemaException(string message, Exception innerException)
        : this("?", message, innerException)
    {
    }

    public string File { get; } = "?";

    public IReadOnlyList<string> Problems { get; } = [];
}
