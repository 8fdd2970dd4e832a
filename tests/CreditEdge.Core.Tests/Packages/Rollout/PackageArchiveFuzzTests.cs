using System.Formats.Tar;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Core.Tests.Packages.Rollout;

/// <summary>
/// 10,000 hostile archives (mutated real and hand-made hostile tars, header checksums recomputed half the time so mutated
/// headers reach the parser, and random bytes) through <see cref="PackageArchive.Extract"/>: each is extracted or refused
/// with a named archive check — never another exception — and nothing is ever written outside the staging directory.
/// </summary>
public sealed class PackageArchiveFuzzTests
{
    private static readonly HashSet<string> Checks =
        [ArchiveChecks.Format, ArchiveChecks.EntryType, ArchiveChecks.Path, ArchiveChecks.Duplicate, ArchiveChecks.Entries, ArchiveChecks.Size];

    [Fact]
    public void Extract_TenThousandHostileArchives_OnlyNamedRefusalsAndNothingOutsideStaging()
    {
        using var root = new TempDirectory("archive-fuzz");
        var sandbox = Path.Combine(root.Path, "sandbox");
        Directory.CreateDirectory(sandbox);
        byte[][] seeds =
        [
            TarBytes.Of(TarBytes.File("manifest.json", "{\"id\":\"x\"}"), TarBytes.File("artifacts/a.bin", new string('a', 700)), TarBytes.File("golden.jsonl", "{}\n")),
            TarBytes.Of(TarBytes.File("a", "1"), new UstarTarEntry(TarEntryType.SymbolicLink, "b") { LinkName = "../../etc" }),
            TarBytes.Of(TarBytes.File("x/y/z.txt", "deep"), new UstarTarEntry(TarEntryType.Directory, "x/")),
            TarBytes.WithRawName("../a.txt"u8.ToArray(), "up"),
            TarBytes.Of(TarBytes.File("dup", "1"), TarBytes.File("dup", "2")),
        ];
        var limits = new PackageArchiveLimits { MaxEntries = 4, MaxTotalBytes = 4096 };
        var mutation = Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Byte);
        var mutated = Gen.Select(Gen.Int[0, seeds.Length - 1], mutation.Array[1, 4], Gen.Bool, (seed, ops, fix) => Mutate(seeds[seed], ops, fix));
        var archives = Gen.Frequency((19, mutated), (1, Gen.Byte.Array[0, 2048]));
        var extracted = 0;
        var refused = 0;
        var run = 0;

        archives.Sample(archive =>
        {
            var staging = Path.Combine(sandbox, $"s{run++}");
            try
            {
                PackageArchive.Extract(new MemoryStream(archive), staging, limits);
                extracted++;
                Assert.All(Directory.EnumerateFileSystemEntries(staging, "*", SearchOption.AllDirectories),
                    p => Assert.StartsWith(staging + Path.DirectorySeparatorChar, Path.GetFullPath(p), StringComparison.Ordinal));
                Directory.Delete(staging, recursive: true);
            }
            catch (ModelPackageException ex)
            {
                refused++;
                Assert.Contains(ex.Check, Checks);
                Assert.False(Directory.Exists(staging), $"refused ({ex.Check}) but left {staging}");
            }

            Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox)); // nothing beside the staging directory, ever
            Assert.Equal([sandbox], Directory.EnumerateFileSystemEntries(root.Path));
        }, iter: 10_000, threads: 1);

        Assert.Equal(10_000, extracted + refused);
        Assert.True(extracted > 100 && refused > 1000, $"{extracted} extracted, {refused} refused: mutations should break archives often, not always");
    }

    private static byte[] Mutate(byte[] seed, (int Op, int Position, byte Value)[] ops, bool fixChecksums)
    {
        var bytes = new List<byte>(seed);
        foreach (var (op, position, value) in ops)
        {
            var at = bytes.Count == 0 ? 0 : position % bytes.Count;
            // most mutations hit the first header bytes (name, mode, size, type flag), where parsers are hurt most
            var header = (position % 3 == 0 ? position % 4 : 0) * TarBytes.Block + (position % 345);
            switch (op)
            {
                case 0 when header < bytes.Count:
                    bytes[header] = value;
                    break;
                case 1 when at < bytes.Count:
                    bytes[at] = value;
                    break;
                case 2:
                    bytes.Insert(at, value);
                    break;
                case 3 when at < bytes.Count:
                    bytes.RemoveRange(at, Math.Min(1 + (position % 600), bytes.Count - at));
                    break;
                case 4 when at < bytes.Count:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                case 5 when (header / TarBytes.Block * TarBytes.Block) + 136 <= bytes.Count:
                    var size = value % 2 == 0 ? "77777777777"u8.ToArray() : "00000000001"u8.ToArray();
                    for (var i = 0; i < size.Length; i++)
                    {
                        bytes[(header / TarBytes.Block * TarBytes.Block) + 124 + i] = size[i]; // the size field: huge or tiny
                    }

                    break;
                default:
                    break;
            }
        }

        var result = bytes.ToArray();
        if (fixChecksums)
        {
            TarBytes.FixChecksums(result);
        }

        return result;
    }
}
