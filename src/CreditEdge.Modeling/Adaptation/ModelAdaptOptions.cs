using CreditEdge.Modeling.Quantization;

namespace CreditEdge.Modeling.Adaptation;

/// <summary><c>cedge model adapt</c>: the package to start from, the region's data, where to write, and the fine-tuning settings.</summary>
public sealed record ModelAdaptOptions
{
    public required string PackageDirectory { get; init; }

    public required string DataPath { get; init; }

    public required string SchemaPath { get; init; }

    public required string OutputDirectory { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>Adam step size for fine-tuning: small, so the region's few rows adjust rather than replace. Default 1e-4.</summary>
    public double LearningRate { get; init; } = 1e-4;

    public int MaxEpochs { get; init; } = 30;

    public int Patience { get; init; } = 5;

    /// <summary>Version of the new package; default: the original's.</summary>
    public string? Version { get; init; }

    public QuantizationOptions Quantization { get; init; } = new();

    public bool MeasureCost { get; init; } = true;

    public DateTimeOffset CreatedAt { get; init; } = ModelBuildOptions.DefaultCreatedAt;
}
