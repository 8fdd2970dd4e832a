namespace CreditEdge.Core.Packages;

/// <summary>What loading one variant on this CPU showed: its golden replay and, when it passed, its measured cost.</summary>
public sealed record VariantTrial
{
    public required string Name { get; init; }

    public required string Precision { get; init; }

    /// <summary>Golden records replayed (all of them when it passed; up to the failing one otherwise).</summary>
    public required int GoldenRecords { get; init; }

    /// <summary>Largest |expected − replayed| probability over the replayed records.</summary>
    public required double MaxDelta { get; init; }

    /// <summary>Why the variant was refused (failing golden line, load error); null when it passed.</summary>
    public string? Failure { get; init; }

    /// <summary>Median µs for one decision's model call (the applicant and its reason rows in one batch); null when not measured.</summary>
    public double? MicrosecondsPerDecision { get; init; }

    public bool Passed => Failure is null;
}
