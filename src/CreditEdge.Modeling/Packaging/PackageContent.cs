using System.Text.Json.Nodes;
using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Data;
using Onnx;

namespace CreditEdge.Modeling.Packaging;

/// <summary>What <see cref="PackageWriter"/> seals into a package directory.</summary>
public sealed record PackageContent
{
    public required string Id { get; init; }

    public required string Version { get; init; }

    public required long Sequence { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Description { get; init; }

    public required string SchemaPath { get; init; }

    public required Dataset Train { get; init; }

    public required Dataset Test { get; init; }

    public required ModelProto Fp32 { get; init; }

    public required string Fp32Description { get; init; }

    public double Fp32Sparsity { get; init; }

    public required ModelProto Quantized { get; init; }

    /// <summary>Null: cutoffs from the fp32 variant's train probabilities (<see cref="PolicyCalibration"/>).</summary>
    public ScorePolicy? Policy { get; init; }

    /// <summary>Null: built from the train split (<see cref="ReasonTableBuilder"/>).</summary>
    public IReadOnlyList<ReasonCode>? Reasons { get; init; }

    /// <summary>Split, rows, seed, data hash: the head of metrics.json and of the manifest's metrics.</summary>
    public required JsonObject Header { get; init; }

    public IReadOnlyList<ComparedModel> Compared { get; init; } = [];

    public IReadOnlyList<Pruning.PruningStep> Pruning { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>The model card's "How it was made" bullets.</summary>
    public IReadOnlyList<string> HowMade { get; init; } = [];

    /// <summary>The exact command that rebuilds the package.</summary>
    public required string Command { get; init; }

    public int GoldenRows { get; init; } = 200;

    /// <summary>Measure latency, throughput and memory (slow-ish; tests switch it off).</summary>
    public bool MeasureCost { get; init; } = true;
}
