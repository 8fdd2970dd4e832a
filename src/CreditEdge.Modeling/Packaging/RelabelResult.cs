namespace CreditEdge.Modeling.Packaging;

/// <summary>What <see cref="PackageRelabeler.Relabel"/> wrote.</summary>
public sealed record RelabelResult(
    string OutputDirectory,
    string ModelId,
    string FromVersion,
    long FromSequence,
    string Version,
    long Sequence,
    IReadOnlyList<string> CopiedFiles,
    int GoldenRecords,
    bool SourceWasSigned);
