namespace CreditEdge.Core.Packages;

/// <summary>One ONNX file of a package: input <c>features</c> float32 [N, F] → output <c>probability</c> float32 [N, 1].</summary>
public sealed record ModelVariant
{
    /// <summary>Variant name used in API responses and configuration, e.g. <c>fp32</c>, <c>int8</c>.</summary>
    public required string Name { get; init; }

    /// <summary>File name inside the package directory.</summary>
    public required string File { get; init; }

    /// <summary><c>fp32</c> or <c>int8</c>.</summary>
    public required string Precision { get; init; }

    /// <summary>Lower-case hex SHA-256 of the file.</summary>
    public required string Sha256 { get; init; }

    public required long SizeBytes { get; init; }
}
