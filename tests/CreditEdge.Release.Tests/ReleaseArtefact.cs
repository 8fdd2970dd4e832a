namespace CreditEdge.Release.Tests;

/// <summary>One runtime's release: the unpacked tree publish-arm64.sh staged, its tarball and its .deb.</summary>
public sealed record ReleaseArtefact(string Rid, string Tree, string Tarball, string Deb);
