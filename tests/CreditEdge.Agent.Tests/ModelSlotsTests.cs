using CreditEdge.Agent.Models;
using CreditEdge.Core.Packages;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>The slot layout and the active pointer on real files: what is touched, what survives, in which fsync order.</summary>
public sealed class ModelSlotsTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("model-slots");
    private readonly ListLogger<ModelSlots> _logger = new();
    private readonly List<string> _synced = [];

    public ModelSlotsTests()
    {
        SlotPackages.CopyDefault(PackageV1, "1.1.0");
        SlotPackages.CopyDefault(PackageV2, "2.0.0");
    }

    private string DataDirectory => _temp.Combine("data");

    private string PackageV1 => _temp.Combine("v1");

    private string PackageV2 => _temp.Combine("v2");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Install_NoPointer_InstallsIntoSlotACompleteCopy()
    {
        var slots = CreateSut();

        var slot = slots.Install(PackageV1);

        Assert.Equal(ModelSlots.SlotA, slot);
        Assert.Equal(SlotPackages.Snapshot(PackageV1), SlotPackages.Snapshot(slots.DirectoryOf(slot)!));
        Assert.Null(slots.DirectoryOf(ModelSlots.SlotB));
        Assert.Null(slots.ReadActive());
    }

    [Fact]
    public void Install_WhileSlotAActive_GoesToSlotBAndLeavesSlotAByteIdentical()
    {
        var slots = CreateSut();
        slots.Activate(slots.Install(PackageV1), Record(ModelSlots.SlotA, "1.1.0"));
        var before = SlotPackages.Snapshot(slots.DirectoryOf(ModelSlots.SlotA)!);
        var pointerBefore = File.ReadAllBytes(slots.PointerPath);

        var slot = slots.Install(PackageV2);

        Assert.Equal(ModelSlots.SlotB, slot);
        Assert.Equal(before, SlotPackages.Snapshot(slots.DirectoryOf(ModelSlots.SlotA)!));
        Assert.Equal(pointerBefore, File.ReadAllBytes(slots.PointerPath));
        Assert.Equal(SlotPackages.Snapshot(PackageV2), SlotPackages.Snapshot(slots.DirectoryOf(ModelSlots.SlotB)!));
    }

    [Fact]
    public void Install_OverTheRollbackTarget_ClearsPreviousSlotFirstAndKeepsActive()
    {
        var slots = CreateSut();
        slots.Activate(slots.Install(PackageV1), Record(ModelSlots.SlotA, "1.1.0"));
        slots.Activate(slots.Install(PackageV2), Record(ModelSlots.SlotB, "2.0.0", previous: ModelSlots.SlotA));
        var activeBefore = SlotPackages.Snapshot(slots.DirectoryOf(ModelSlots.SlotB)!);

        var slot = slots.Install(PackageV1);

        Assert.Equal(ModelSlots.SlotA, slot);
        Assert.Equal(Record(ModelSlots.SlotB, "2.0.0"), slots.ReadActive());
        Assert.Equal(activeBefore, SlotPackages.Snapshot(slots.DirectoryOf(ModelSlots.SlotB)!));
        Assert.Single(_logger.MessagesOf(1032));
    }

    [Fact]
    public void Install_LeftoversOfAnInterruptedChange_AreRemoved()
    {
        var slots = CreateSut();
        var staleSlot = Path.Combine(slots.Root, "slot-b.tmp-0123");
        Directory.CreateDirectory(staleSlot);
        File.WriteAllText(Path.Combine(staleSlot, "manifest.json"), "{");
        File.WriteAllText(Path.Combine(slots.Root, "active.json.tmp-0123"), "{\"slot\":");

        slots.Install(PackageV1);

        Assert.Equal([ModelSlots.SlotA], Directory.EnumerateFileSystemEntries(slots.Root).Select(p => Path.GetFileName(p)!));
    }

    [Fact]
    public void Activate_ThenReadActive_RoundTripsTheRecord()
    {
        var slots = CreateSut();
        var record = Record(ModelSlots.SlotA, "1.1.0", previous: ModelSlots.SlotB, sha256: new string('a', 64), sequence: 1767225600123);
        slots.Activate(slots.Install(PackageV1), record);

        var read = CreateSut().ReadActive();

        Assert.Equal(record, read);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Activate_SlotNotInstalled_ThrowsAndWritesNothing()
    {
        var slots = CreateSut();

        var ex = Assert.Throws<ArgumentException>(() => slots.Activate(ModelSlots.SlotB, Record(ModelSlots.SlotB, "1.1.0")));

        Assert.Contains("nothing is installed in slot-b", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(slots.PointerPath));
    }

    [Fact]
    public void Activate_RecordNamingAnotherSlot_Throws()
    {
        var slots = CreateSut();
        slots.Install(PackageV1);

        Assert.Throws<ArgumentException>(() => slots.Activate(ModelSlots.SlotA, Record(ModelSlots.SlotB, "1.1.0")));
    }

    [Fact]
    public void ReadActive_NoPointer_ReturnsNullWithoutLogging()
    {
        Assert.Null(CreateSut().ReadActive());
        Assert.Empty(_logger.Entries);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"slot\":\"slot-a\",\"modelId\":\"taiwan-credit\"")]
    [InlineData("\u0000\u0000\u0000\u0000")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"slot\":\"slot-c\",\"modelId\":\"m\",\"version\":\"1\",\"packageSha256\":null,\"rolloutSequence\":1,\"previousSlot\":null,\"activatedAt\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"slot\":\"slot-a\",\"modelId\":\"m\",\"version\":\"1\",\"packageSha256\":null,\"rolloutSequence\":1,\"previousSlot\":\"slot-a\",\"activatedAt\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"slot\":\"slot-a\",\"modelId\":null,\"version\":\"1\",\"packageSha256\":null,\"rolloutSequence\":1,\"previousSlot\":null,\"activatedAt\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"slot\":\"slot-a\",\"modelId\":\"m\",\"version\":\"1\",\"packageSha256\":\"XYZ\",\"rolloutSequence\":1,\"previousSlot\":null,\"activatedAt\":\"2026-01-01T00:00:00Z\"}")]
    public void ReadActive_DamagedPointer_ReturnsNullAndLogsWhy(string content)
    {
        var slots = CreateSut();
        Directory.CreateDirectory(slots.Root);
        File.WriteAllText(slots.PointerPath, content);

        Assert.Null(slots.ReadActive());

        var message = Assert.Single(_logger.MessagesOf(1031));
        Assert.Contains(slots.PointerPath, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_FsyncOrder_EveryFileThenItsDirectoryThenTheSlotsDirectory()
    {
        var slots = CreateSut();
        Directory.CreateDirectory(slots.Root);
        var nested = Path.Combine(PackageV1, "charts");
        Directory.CreateDirectory(nested);
        File.WriteAllText(Path.Combine(nested, "extra.txt"), "x");

        slots.Install(PackageV1);

        var staging = Path.GetDirectoryName(_synced[0])!;
        Assert.StartsWith(Path.Combine(slots.Root, "slot-a.tmp-"), staging, StringComparison.Ordinal);
        var nestedCopy = Path.Combine(staging, "charts");
        string[] directories = [nestedCopy, staging, slots.Root];
        var expectedFiles = Directory.EnumerateFiles(PackageV1, "*", SearchOption.AllDirectories)
            .Select(f => Path.Combine(staging, Path.GetRelativePath(PackageV1, f)))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expectedFiles, _synced.Where(p => !directories.Contains(p)).Order(StringComparer.Ordinal));
        Assert.True(_synced.IndexOf(nestedCopy) > _synced.IndexOf(Path.Combine(nestedCopy, "extra.txt")), "a subdirectory is synced after its files");
        Assert.Equal(staging, _synced[^2]);
        Assert.Equal(slots.Root, _synced[^1]);
        Assert.Equal(SlotPackages.Snapshot(PackageV1), SlotPackages.Snapshot(slots.DirectoryOf(ModelSlots.SlotA)!));
    }

    [Fact]
    public void Activate_FsyncOrder_TemporaryPointerThenTheSlotsDirectory()
    {
        var slots = CreateSut();
        slots.Install(PackageV1);
        _synced.Clear();

        slots.Activate(ModelSlots.SlotA, Record(ModelSlots.SlotA, "1.1.0"));

        Assert.Equal(2, _synced.Count);
        Assert.StartsWith(slots.PointerPath + ".tmp-", _synced[0], StringComparison.Ordinal);
        Assert.False(File.Exists(_synced[0]), "the synced temporary file was renamed over the pointer");
        Assert.Equal(slots.Root, _synced[1]);
    }

    private static ActiveModelRecord Record(string slot, string version, string? previous = null, string? sha256 = null, long sequence = 7) =>
        new(slot, "taiwan-credit", version, sha256, sequence, previous, At);

    private ModelSlots CreateSut() => new(DataDirectory, _logger, _synced.Add);
}
