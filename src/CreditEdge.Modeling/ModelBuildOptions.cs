using CreditEdge.Modeling.Pruning;
using CreditEdge.Modeling.Quantization;
using CreditEdge.Modeling.Teacher;
using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling;

/// <summary>Everything <c>cedge model build</c> needs. Defaults produce the default package.</summary>
public sealed record ModelBuildOptions
{
    /// <summary>The fixed creation time written when none is given, so equal data and seed give identical bytes.</summary>
    public static readonly DateTimeOffset DefaultCreatedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The training data file.</summary>
    public required string DataPath { get; init; }

    /// <summary>The dataset schema (JSON) naming each column's role and the split.</summary>
    public required string SchemaPath { get; init; }

    /// <summary>The package directory to write; created when missing, its package files replaced.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Student training settings; <see cref="TrainingOptions.Seed"/> is the build's seed (teacher included).</summary>
    public TrainingOptions Training { get; init; } = new();

    public TeacherOptions Teacher { get; init; } = new();

    public PruningOptions Pruning { get; init; } = new();

    public QuantizationOptions Quantization { get; init; } = new();

    /// <summary>Where the teacher and the pruning levels' ONNX files go; default <c>OUT/artifacts</c>. Not part of the package.</summary>
    public string? ArtifactsDirectory { get; init; }

    /// <summary>Measure latency, throughput and peak memory of every variant. Default true.</summary>
    public bool MeasureCost { get; init; } = true;

    /// <summary>The command line written into the model card; default: the equivalent <c>cedge model build</c> line.</summary>
    public string? Command { get; init; }

    /// <summary>Model id in the manifest; defaults to the schema's name.</summary>
    public string? ModelId { get; init; }

    public string Version { get; init; } = "1.0.0";

    public long Sequence { get; init; } = 1;

    /// <summary>Written into the manifest; fixed by default (see <see cref="DefaultCreatedAt"/>).</summary>
    public DateTimeOffset CreatedAt { get; init; } = DefaultCreatedAt;

    /// <summary>Test rows copied into <c>golden.jsonl</c>.</summary>
    public int GoldenRows { get; init; } = 200;
}
