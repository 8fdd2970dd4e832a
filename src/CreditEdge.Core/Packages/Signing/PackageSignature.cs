namespace CreditEdge.Core.Packages.Signing;

/// <summary>A signature that verified: which trusted key made it and what it covers.</summary>
public sealed record PackageSignature(string KeyId, string ModelId, string Version, long Sequence, IReadOnlyList<PackageFileDigest> Files);
