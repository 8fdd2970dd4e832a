using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.TestKit;

namespace CreditEdge.Core.Tests.Packages.Rollout;

// the product runs on Linux boards; these tests check Unix file modes
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PackageArchiveTests : IDisposable
{
    private readonly TempDirectory _dir = new("archive");

    public void Dispose() => _dir.Dispose();

    private string Staging => _dir.Combine("staging");

    /// <summary>A copy of the default package with an <c>artifacts/</c> file, signed with a fresh key.</summary>
    private string SignedCopy(string name, ECDsa key)
    {
        var to = _dir.Combine(name);
        Directory.CreateDirectory(Path.Combine(to, "artifacts"));
        foreach (var file in Directory.EnumerateFiles(RepoPaths.DefaultModel))
        {
            if (Path.GetFileName(file) != ModelPackage.SignatureFile)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        File.WriteAllText(Path.Combine(to, "artifacts", "notes.txt"), "pruning levels\n");
        PackageSigner.Sign(to, key);
        return to;
    }

    private static byte[] ArchiveOf(string directory)
    {
        using var buffer = new MemoryStream();
        PackageArchive.Create(directory, buffer);
        return buffer.ToArray();
    }

    private ModelPackageException Refused(byte[] archive, PackageArchiveLimits? limits = null)
    {
        var ex = Assert.Throws<ModelPackageException>(() => PackageArchive.Extract(new MemoryStream(archive), Staging, limits ?? PackageArchiveLimits.Default));
        Assert.False(Directory.Exists(Staging), "a refused archive leaves nothing behind");
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, "escape*", SearchOption.AllDirectories));
        return ex;
    }

    [Fact]
    public void Create_SameDirectoryTwice_ByteIdentical()
    {
        using var key = SigningKeys.Generate();
        var package = SignedCopy("pkg", key);

        Assert.Equal(ArchiveOf(package), ArchiveOf(package));
    }

    [Fact]
    public void Create_TwoCopiesWithDifferentTimesAndModes_SameSha256()
    {
        using var key = SigningKeys.Generate();
        var first = SignedCopy("pkg-a", key);
        var second = _dir.Combine("pkg-b");
        Directory.CreateDirectory(Path.Combine(second, "artifacts"));
        foreach (var file in Directory.EnumerateFiles(first, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(second, Path.GetRelativePath(first, file));
            File.Copy(file, copy);
            File.SetLastWriteTimeUtc(copy, new DateTime(2031, 5, 6, 7, 8, 9, DateTimeKind.Utc));
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.SetLastWriteTimeUtc(Path.Combine(first, ModelPackage.ManifestFile), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal(SHA256.HashData(ArchiveOf(first)), SHA256.HashData(ArchiveOf(second)));
    }

    [Fact]
    public void Create_Entries_SortedRegularFilesWithFixedMetadata()
    {
        using var key = SigningKeys.Generate();
        var package = SignedCopy("pkg", key);

        using var reader = new TarReader(new MemoryStream(ArchiveOf(package)));
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries.Add(entry);
        }

        var expected = Directory.EnumerateFiles(package, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, entries.Select(e => e.Name));
        Assert.Contains("artifacts/notes.txt", expected);
        Assert.Contains(ModelPackage.SignatureFile, expected);
        Assert.All(entries, e =>
        {
            var ustar = Assert.IsType<UstarTarEntry>(e);
            Assert.Equal(TarEntryType.RegularFile, e.EntryType);
            Assert.Equal(DateTimeOffset.UnixEpoch, e.ModificationTime);
            Assert.Equal(PackageArchive.EntryMode, e.Mode);
            Assert.Equal(0, e.Uid);
            Assert.Equal(0, e.Gid);
            Assert.Equal(string.Empty, ustar.UserName);
            Assert.Equal(string.Empty, ustar.GroupName);
        });
    }

    [Fact]
    public void Extract_SignedPackage_FilesIdenticalAndSignatureStillVerifies()
    {
        using var key = SigningKeys.Generate();
        var package = SignedCopy("pkg", key);

        var names = PackageArchive.Extract(new MemoryStream(ArchiveOf(package)), Staging, PackageArchiveLimits.Default);

        var files = Directory.EnumerateFiles(package, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(package, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, names);
        Assert.Equal(files, Directory.EnumerateFiles(Staging, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Staging, f)).Order(StringComparer.Ordinal));
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(package, f)), File.ReadAllBytes(Path.Combine(Staging, f))));
        Assert.All(files, f => Assert.Equal(PackageArchive.EntryMode, File.GetUnixFileMode(Path.Combine(Staging, f))));
        Assert.Equal(SigningKeys.KeyId(key), PackageVerifier.Verify(Staging, [key]).KeyId);
    }

    [Fact]
    public void Extract_FromFileStream_SameAsFromMemory()
    {
        using var key = SigningKeys.Generate();
        var package = SignedCopy("pkg", key);
        var file = _dir.Combine("pkg.tar");
        using (var output = File.Create(file))
        {
            PackageArchive.Create(package, output);
        }

        using var input = File.OpenRead(file);
        PackageArchive.Extract(input, Staging, PackageArchiveLimits.Default);

        Assert.Equal(SigningKeys.KeyId(key), PackageVerifier.Verify(Staging, [key]).KeyId);
    }

    [Fact]
    public void Extract_SymbolicLink_RefusedEntryType()
    {
        var archive = TarBytes.Of(TarBytes.File("a.txt", "a"), new UstarTarEntry(TarEntryType.SymbolicLink, "manifest.json") { LinkName = "/etc/passwd" });

        var ex = Refused(archive);

        Assert.Equal(ArchiveChecks.EntryType, ex.Check);
        Assert.Contains("'manifest.json' is a SymbolicLink entry", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_HardLink_RefusedEntryType()
    {
        var archive = TarBytes.Of(TarBytes.File("a.txt", "a"), new UstarTarEntry(TarEntryType.HardLink, "b.txt") { LinkName = "a.txt" });

        Assert.Equal(ArchiveChecks.EntryType, Refused(archive).Check);
    }

    [Fact]
    public void Extract_GnuSparseEntry_RefusedEntryTypeNotAnUnexpectedException()
    {
        // found by PackageArchiveFuzzTests (seed 68w7MIvkv0y1): TarReader throws NotSupportedException for type 'S'
        var archive = TarBytes.Of(TarBytes.File("a.txt", "a"));
        archive[156] = (byte)'S'; // the typeflag of the first header
        TarBytes.FixChecksums(archive);

        var ex = Refused(archive);

        Assert.Equal(ArchiveChecks.EntryType, ex.Check);
        Assert.Contains("SparseFile", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TarEntryType.Directory)]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    [InlineData(TarEntryType.Fifo)]
    public void Extract_NotARegularFile_RefusedEntryType(TarEntryType type)
    {
        var archive = TarBytes.Of(new UstarTarEntry(type, "thing"));

        Assert.Equal(ArchiveChecks.EntryType, Refused(archive).Check);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("a/./b.txt")]
    [InlineData("/etc/escape.txt")]
    [InlineData("a//b.txt")]
    [InlineData("..")]
    public void Extract_HostileName_RefusedPath(string name)
    {
        var ex = Refused(TarBytes.WithRawName(Encoding.UTF8.GetBytes(name)));

        Assert.Equal(ArchiveChecks.Path, ex.Check);
        Assert.False(File.Exists(_dir.Combine("escape.txt")));
    }

    [Fact]
    public void Extract_Backslash_RefusedPath() => Assert.Equal(ArchiveChecks.Path, Refused(TarBytes.WithRawName("a\\..\\b.txt"u8.ToArray())).Check);

    [Fact]
    public void Extract_ControlCharacter_RefusedPath()
    {
        var ex = Refused(TarBytes.WithRawName("a\u0001b.txt"u8.ToArray()));

        Assert.Equal(ArchiveChecks.Path, ex.Check);
        Assert.Contains("a\\u0001b.txt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_NulInsideName_NeverWritesPastTheNul()
    {
        // a ustar name ends at its first NUL: "a.txt\0/../../x" is read as "a.txt"; whatever follows cannot reach the path
        var names = PackageArchive.Extract(new MemoryStream(TarBytes.WithRawName("a.txt\0/../../x"u8.ToArray())), Staging, PackageArchiveLimits.Default);

        Assert.Equal(["a.txt"], names);
    }

    [Fact]
    public void Extract_SameNameTwice_RefusedDuplicate()
    {
        var ex = Refused(TarBytes.Of(TarBytes.File("manifest.json", "{}"), TarBytes.File("manifest.json", "{\"evil\":1}")));

        Assert.Equal(ArchiveChecks.Duplicate, ex.Check);
    }

    [Fact]
    public void Extract_FileThatIsAlsoADirectory_RefusedPath()
    {
        Assert.Equal(ArchiveChecks.Path, Refused(TarBytes.Of(TarBytes.File("a", "1"), TarBytes.File("a/b", "2"))).Check);
        Assert.Equal(ArchiveChecks.Path, Refused(TarBytes.Of(TarBytes.File("a/b", "2"), TarBytes.File("a", "1"))).Check);
    }

    [Fact]
    public void Extract_MoreEntriesThanTheLimit_RefusedEntries()
    {
        var archive = TarBytes.Of(Enumerable.Range(0, 5).Select(i => (TarEntry)TarBytes.File($"f{i}", "x")).ToArray());

        var ex = Refused(archive, new PackageArchiveLimits { MaxEntries = 4 });

        Assert.Equal(ArchiveChecks.Entries, ex.Check);
    }

    [Fact]
    public void Extract_MoreBytesThanTheLimit_RefusedSizeBeforeWriting()
    {
        var archive = TarBytes.Of(TarBytes.File("a", new string('a', 600)), TarBytes.File("b", new string('b', 600)));

        var ex = Refused(archive, new PackageArchiveLimits { MaxTotalBytes = 1000 });

        Assert.Equal(ArchiveChecks.Size, ex.Check);
        Assert.Contains("'b' (600 bytes)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_CutInsideData_RefusedFormat()
    {
        var archive = TarBytes.Of(TarBytes.File("a", new string('a', 2000)));

        Assert.Equal(ArchiveChecks.Format, Refused(archive[..(TarBytes.Block + 1000)]).Check);
    }

    [Fact]
    public void Extract_CutInsideHeader_RefusedFormat()
    {
        var archive = TarBytes.Of(TarBytes.File("a", "1"), TarBytes.File("b", "2"));

        Assert.Equal(ArchiveChecks.Format, Refused(archive[..((2 * TarBytes.Block) + 100)]).Check);
    }

    [Fact]
    public void Extract_EndBlocksMissing_RefusedFormat()
    {
        var archive = TarBytes.Of(TarBytes.File("a", "1"), TarBytes.File("b", "2"));

        // cut exactly after the second entry's padded data: every entry is whole, only the end-of-archive blocks are gone
        Assert.Equal(ArchiveChecks.Format, Refused(archive[..(4 * TarBytes.Block)]).Check);
    }

    [Fact]
    public void Extract_NotATar_RefusedFormat()
    {
        Assert.Equal(ArchiveChecks.Format, Refused("this is not a tar archive, just text"u8.ToArray()).Check);
        Assert.Equal(ArchiveChecks.Format, Refused([]).Check);
        Assert.Equal(ArchiveChecks.Format, Refused(new byte[2 * TarBytes.Block]).Check); // end blocks only: no file
    }

    [Fact]
    public void Extract_RefusedIntoExistingEmptyStaging_LeavesItEmpty()
    {
        Directory.CreateDirectory(Staging);
        var archive = TarBytes.Of(TarBytes.File("a/ok.txt", "1"), TarBytes.File("../escape.txt", "2"));

        var ex = Assert.Throws<ModelPackageException>(() => PackageArchive.Extract(new MemoryStream(archive), Staging, PackageArchiveLimits.Default));

        Assert.Equal(ArchiveChecks.Path, ex.Check);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Staging));
    }

    [Fact]
    public void Extract_StagingNotEmpty_Throws()
    {
        Directory.CreateDirectory(Staging);
        File.WriteAllText(Path.Combine(Staging, "old"), "x");

        Assert.Throws<IOException>(() => PackageArchive.Extract(new MemoryStream(TarBytes.Of(TarBytes.File("a", "1"))), Staging, PackageArchiveLimits.Default));
        Assert.True(File.Exists(Path.Combine(Staging, "old")));
    }

    [Fact]
    public void Create_FileNameWithBackslash_RefusedPath()
    {
        var package = _dir.Combine("pkg");
        Directory.CreateDirectory(package);
        File.WriteAllText(Path.Combine(package, "a\\b"), "x");

        var ex = Assert.Throws<ModelPackageException>(() => PackageArchive.Create(package, new MemoryStream()));

        Assert.Equal(ArchiveChecks.Path, ex.Check);
    }
}
