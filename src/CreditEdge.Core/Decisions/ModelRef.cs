namespace CreditEdge.Core.Decisions;

/// <summary>Which model made a decision: package id and version, the variant file's SHA-256, and the variant.</summary>
public sealed record ModelRef(string Id, string Version, string Sha256, string Variant);
