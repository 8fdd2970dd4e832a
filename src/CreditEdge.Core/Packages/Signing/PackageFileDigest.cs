namespace CreditEdge.Core.Packages.Signing;

/// <summary>One file covered by a package signature: path relative to the package (<c>/</c>-separated), size and SHA-256.</summary>
public sealed record PackageFileDigest(string Path, long SizeBytes, string Sha256);
