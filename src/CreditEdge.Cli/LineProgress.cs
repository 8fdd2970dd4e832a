namespace CreditEdge.Cli;

/// <summary>Writes each progress message as one line ("· …", so only a failure starts with "cedge:"), synchronously (unlike <see cref="Progress{T}"/>, which posts).</summary>
public sealed class LineProgress(TextWriter writer) : IProgress<string>
{
    private readonly TextWriter _writer = writer;

    public void Report(string value) => _writer.WriteLine($"· {value}");
}
