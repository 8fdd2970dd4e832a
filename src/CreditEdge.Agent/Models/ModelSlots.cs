using System.Text.Json;
using CreditEdge.Core.IO;
using CreditEdge.Core.Packages;

namespace CreditEdge.Agent.Models;

/// <summary>
/// The device's two model slots and the pointer to the active one, on disk:
/// <code>
/// &lt;DataDirectory&gt;/models/slot-a/       a complete package directory
/// &lt;DataDirectory&gt;/models/slot-b/       a complete package directory
/// &lt;DataDirectory&gt;/models/active.json    ActiveModelRecord: the slot to run, what is in it, the previous slot
/// </code>
/// <para>
/// Every change is durable and atomic at any instant of a power cut: a slot is written under a temporary name, every
/// file and directory fsynced, and only then renamed into place; the pointer is written to a temporary file, fsynced,
/// renamed over <c>active.json</c>, and the directory fsynced. <see cref="Install"/> never touches the slot the pointer
/// names as active, so the pointer always names either the old or the new complete package.
/// </para>
/// <para>
/// One writer at a time: the agent holds the data directory's lock, and within the process calls are serialized.
/// Leftovers of an interrupted change (<c>slot-x.tmp-*</c>, <c>active.json.tmp-*</c>) are removed by the next
/// <see cref="Install"/>.
/// </para>
/// </summary>
public sealed partial class ModelSlots
{
    /// <summary>The first slot; the one a device with no pointer installs into.</summary>
    public const string SlotA = "slot-a";

    /// <summary>The second slot.</summary>
    public const string SlotB = "slot-b";

    /// <summary>The pointer's file name in <see cref="Root"/>.</summary>
    public const string PointerFile = "active.json";

    /// <summary>The directory under <c>DataDirectory</c> holding the slots and the pointer.</summary>
    public const string DirectoryName = "models";

    private const string TemporaryMarker = ".tmp-";

    private readonly ILogger<ModelSlots> _logger;
    private readonly Action<string>? _onSynced;
    private readonly Lock _gate = new();

    /// <param name="dataDirectory">The agent's <c>DataDirectory</c>; the slots live in its <c>models</c> subdirectory.</param>
    /// <param name="logger">Where a damaged pointer and a lost rollback target are reported.</param>
    /// <param name="onSynced">
    /// Told the path of every file and directory right after its fsync returned, in order (as
    /// <c>DecisionStoreSettings.OnFileSynced</c>): the seam through which the fsync order is observed.
    /// </param>
    public ModelSlots(string dataDirectory, ILogger<ModelSlots> logger, Action<string>? onSynced = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        DataDirectory = Path.GetFullPath(dataDirectory);
        Root = Path.Combine(DataDirectory, DirectoryName);
        _logger = logger;
        _onSynced = onSynced;
    }

    /// <summary>Both slot names, in the order an empty device fills them.</summary>
    public static IReadOnlyList<string> SlotNames { get; } = [SlotA, SlotB];

    /// <summary>The data directory (full path) this instance works in.</summary>
    public string DataDirectory { get; }

    /// <summary><c>&lt;DataDirectory&gt;/models</c>: the slots and the pointer.</summary>
    public string Root { get; }

    /// <summary><c>&lt;DataDirectory&gt;/models/active.json</c>.</summary>
    public string PointerPath => Path.Combine(Root, PointerFile);

    /// <summary>True for <see cref="SlotA"/> and <see cref="SlotB"/> (exact, lower case).</summary>
    public static bool IsSlotName(string? name) => name is SlotA or SlotB;

    /// <summary>The other slot of <paramref name="slot"/>.</summary>
    public static string OtherSlot(string slot) => slot switch
    {
        SlotA => SlotB,
        SlotB => SlotA,
        _ => throw new ArgumentException($"'{slot}' is not a slot (slots: {SlotA}, {SlotB})", nameof(slot)),
    };

    /// <summary>
    /// The directory of <paramref name="slot"/> when something is installed there (it exists), else null. Throws
    /// <see cref="ArgumentException"/> for a name that is not a slot. It says nothing about whether the package loads.
    /// </summary>
    public string? DirectoryOf(string slot)
    {
        _ = OtherSlot(slot); // validates the name
        var directory = Path.Combine(Root, slot);
        return Directory.Exists(directory) ? directory : null;
    }

    /// <summary>
    /// Reads the pointer. A missing file is null (nothing was ever activated). A pointer that cannot be read or parsed, or
    /// names no slot, is logged (Warning, event 1031, with the reason) and is also null: the agent then starts from its
    /// configured <c>ModelDirectory</c>; it never fails because of it.
    /// </summary>
    public ActiveModelRecord? ReadActive()
    {
        var path = PointerPath;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogPointerIgnored(_logger, path, $"it cannot be read: {ex.Message}");
            return null;
        }

        ActiveModelRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(bytes, ModelSlotsJson.Default.ActiveModelRecord);
        }
        catch (JsonException ex)
        {
            LogPointerIgnored(_logger, path, $"it is not an active-model record: {ex.Message}");
            return null;
        }

        if (record is null)
        {
            LogPointerIgnored(_logger, path, "it is JSON null");
            return null;
        }

        if (record.Problem() is { } problem)
        {
            LogPointerIgnored(_logger, path, problem);
            return null;
        }

        return record;
    }

    /// <summary>
    /// Copies the (already verified) package in <paramref name="packageDirectory"/>, subdirectories included, into the
    /// slot the pointer does not name as active (<see cref="SlotA"/> when there is no pointer) and returns that slot's
    /// name. The active slot is never touched; the package directory is left as it was.
    /// <para>
    /// The other slot is usually the pointer's previous slot, the rollback target: installing over it loses that target.
    /// Before anything is written there, the pointer is rewritten without its previous slot (logged, event 1032), so a
    /// start never falls back to a slot that holds something else than the pointer says.
    /// </para>
    /// <para>
    /// Durability: the copy goes to <c>slot-x.tmp-&lt;guid&gt;</c>; every file and directory in it is fsynced; the old slot
    /// is renamed aside (<c>slot-x.tmp-&lt;guid&gt;</c>), the copy renamed to <c>slot-x</c>, <see cref="Root"/> fsynced, and
    /// the old copy deleted. At any instant <c>slot-x</c> is absent, the old package or the new one, never part of one.
    /// </para>
    /// Throws <see cref="DirectoryNotFoundException"/> for a missing package directory, <see cref="IOException"/> when
    /// the disk refuses (the temporary copy is then removed; the slots and the pointer are as they were).
    /// </summary>
    public string Install(string packageDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageDirectory);
        var source = Path.GetFullPath(packageDirectory);
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"package directory '{source}' does not exist");
        }

        lock (_gate)
        {
            EnsureRoot();
            RemoveLeftovers();
            var active = ReadActive();
            var target = active is null ? SlotA : OtherSlot(active.Slot);
            if (active?.PreviousSlot == target)
            {
                LogRollbackTargetLost(_logger, target, active.Slot);
                WritePointer(active with { PreviousSlot = null });
            }

            var staging = Path.Combine(Root, target + TemporaryMarker + Guid.NewGuid().ToString("N"));
            try
            {
                CopyDurably(source, staging);
            }
            catch
            {
                TryDelete(staging);
                throw;
            }

            var slotDirectory = Path.Combine(Root, target);
            string? aside = null;
            if (Directory.Exists(slotDirectory))
            {
                aside = Path.Combine(Root, target + TemporaryMarker + Guid.NewGuid().ToString("N"));
                Directory.Move(slotDirectory, aside);
            }

            Directory.Move(staging, slotDirectory);
            Sync(Root);
            if (aside is not null)
            {
                TryDelete(aside);
            }

            return target;
        }
    }

    /// <summary>
    /// Makes <paramref name="slot"/> the one the agent runs from its next start: writes <paramref name="record"/> to
    /// <c>active.json</c> through a temporary file, fsync, rename over the pointer and fsync of <see cref="Root"/>; at any
    /// instant the pointer is the old record or the new one. <c>record.Slot</c> must be <paramref name="slot"/> and the slot
    /// must hold an installed package (<see cref="ArgumentException"/> otherwise). It does not load the package: the
    /// running agent switches with <see cref="ModelHost.SwitchTo"/>, which checks the package and then calls this.
    /// A rollback is an <see cref="Activate"/> of the pointer's <see cref="ActiveModelRecord.PreviousSlot"/>.
    /// </summary>
    public void Activate(string slot, ActiveModelRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Slot != slot)
        {
            throw new ArgumentException($"the record names slot '{record.Slot}', not '{slot}'", nameof(record));
        }

        if (record.Problem() is { } problem)
        {
            throw new ArgumentException($"the active-model record is not valid: {problem}", nameof(record));
        }

        lock (_gate)
        {
            if (DirectoryOf(slot) is null || !File.Exists(Path.Combine(Root, slot, ModelPackage.ManifestFile)))
            {
                throw new ArgumentException($"nothing is installed in {slot} ({Path.Combine(Root, slot)}); install a package before activating it", nameof(slot));
            }

            WritePointer(record);
        }
    }

    /// <summary>
    /// Removes the pointer (durably), so the next start — and <see cref="ModelHost.LoadConfigured"/> — runs the configured
    /// <c>ModelDirectory</c>: a rollback to the package the device had before any pushed one. The slots stay as they are.
    /// </summary>
    public void Deactivate()
    {
        lock (_gate)
        {
            if (File.Exists(PointerPath))
            {
                File.Delete(PointerPath);
                Sync(Root);
            }
        }
    }

    private void WritePointer(ActiveModelRecord record) =>
        AtomicFile.Write(PointerPath, JsonSerializer.SerializeToUtf8Bytes(record, ModelSlotsJson.Default.ActiveModelRecord), _onSynced);

    private void EnsureRoot()
    {
        if (Directory.Exists(Root))
        {
            return;
        }

        Directory.CreateDirectory(Root);
        Sync(DataDirectory);
    }

    /// <summary>Copies <paramref name="from"/> to the new <paramref name="to"/>: each file fsynced, then each directory, deepest first.</summary>
    private void CopyDurably(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            var destination = Path.Combine(to, Path.GetFileName(file));
            using (var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read))
            using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                input.CopyTo(output);
                output.Flush(flushToDisk: true);
            }

            _onSynced?.Invoke(destination);
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            CopyDurably(directory, Path.Combine(to, Path.GetFileName(directory)));
        }

        Sync(to);
    }

    private void RemoveLeftovers()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root))
        {
            var name = Path.GetFileName(entry);
            if (!name.Contains(TemporaryMarker, StringComparison.Ordinal))
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                TryDelete(entry);
            }
            else
            {
                TryDeleteFile(entry);
            }
        }
    }

    private void Sync(string directory)
    {
        DirectorySync.Flush(directory);
        _onSynced?.Invoke(directory);
    }

    private void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogLeftoverKept(_logger, directory, ex.Message);
        }
    }

    private void TryDeleteFile(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogLeftoverKept(_logger, file, ex.Message);
        }
    }

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Active-model pointer {Path} is ignored: {Reason}. The agent starts from its configured ModelDirectory")]
    private static partial void LogPointerIgnored(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Information, Message = "Installing into {Slot}, the rollback target of active {Active}: there is no rollback target until the next activation")]
    private static partial void LogRollbackTargetLost(ILogger logger, string slot, string active);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Warning, Message = "Leftover {Path} could not be removed and is tried again at the next install: {Reason}")]
    private static partial void LogLeftoverKept(ILogger logger, string path, string reason);
}
