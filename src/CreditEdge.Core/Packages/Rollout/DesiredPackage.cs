namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// The package a desired model points at: its manifest's id, version and sequence, and how to fetch its archive — SHA-256
/// and size of the whole archive, the chunk size and each chunk's SHA-256 (all hashes lower-case hex), the chunks being
/// retained on <c>creditedge/packages/{Sha256}/chunks/{index}</c>.
/// </summary>
public sealed record DesiredPackage(string Id, string Version, long Sequence, string Sha256, long Size, int ChunkSize, IReadOnlyList<string> Chunks)
{
    /// <summary>The package fields of a manifest and the chunking of its archive.</summary>
    public static DesiredPackage From(ModelManifest manifest, PackageChunks archive)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(archive);
        return new(manifest.Id, manifest.Version, manifest.Sequence, archive.Sha256, archive.Size, archive.ChunkSize, archive.ChunkHashes);
    }
}
