using System.Globalization;
using System.Security.Cryptography;
using CreditEdge.Core.IO;

namespace CreditEdge.Messaging.Transfer;

/// <summary>
/// The staging directory of one archive and the acceptance of its chunks, with no broker in sight:
/// <c>{staging}/chunks/00017</c> holds chunk 17 once its bytes matched the plan's SHA-256 (written to <c>00017.tmp</c>,
/// fsynced, renamed, directory fsynced), and <c>{staging}/package.tar</c> the joined archive once every chunk is there.
/// <see cref="Accept"/> decides every received message (topic + payload) and writes only a chunk whose topic, index,
/// length and hash are all right; file names come from the parsed index alone, so no topic can name a path.
/// </summary>
public sealed class ChunkStaging
{
    /// <summary>The joined archive's file name in the staging directory.</summary>
    public const string ArchiveFileName = "package.tar";

    private const string ChunkFolderName = "chunks";
    private const string TemporarySuffix = ".tmp";
    private const int MaxIndexDigits = 9;

    private readonly TransferPlan _plan;
    private readonly byte[][] _chunkHashes;
    private readonly bool[] _done;
    private readonly string _topicPrefix;
    private int _chunksDone;
    private long _bytesDone;

    /// <summary>Creates (if needed) <paramref name="directory"/> and its <c>chunks</c> folder; nothing on disk is read yet (<see cref="Resume"/>).</summary>
    /// <exception cref="PackageTransferException">The plan does not add up (reason <c>plan</c>).</exception>
    public ChunkStaging(TransferPlan plan, string directory)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        plan.Validate();
        _plan = plan;
        Directory = Path.GetFullPath(directory);
        ChunkDirectory = Path.Combine(Directory, ChunkFolderName);
        ArchivePath = Path.Combine(Directory, ArchiveFileName);
        _chunkHashes = plan.ChunkSha256.Select(Convert.FromHexString).ToArray();
        _done = new bool[plan.ChunkCount];
        _topicPrefix = Topics.PackageChunk(plan.ArchiveSha256, 0)[..^1];
        System.IO.Directory.CreateDirectory(ChunkDirectory);
    }

    public TransferPlan Plan => _plan;

    public string Directory { get; }

    public string ChunkDirectory { get; }

    public string ArchivePath { get; }

    /// <summary>Chunks verified and on disk.</summary>
    public int ChunksDone => _chunksDone;

    /// <summary>Bytes of the chunks on disk.</summary>
    public long BytesDone => _bytesDone;

    public bool IsComplete => _chunksDone == _done.Length;

    /// <summary>The staging directory of an archive: <c>{dataDirectory}/staging/{archiveSha256}</c>.</summary>
    public static string DirectoryFor(string dataDirectory, string archiveSha256)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (!TransferPlan.IsSha256Hex(archiveSha256))
        {
            throw new ArgumentException($"'{archiveSha256}' is not 64 lower-case hex digits", nameof(archiveSha256));
        }

        return Path.Combine(dataDirectory, "staging", archiveSha256);
    }

    public bool IsDone(int index) => _done[index];

    /// <summary>Indexes not on disk yet, ascending.</summary>
    public IEnumerable<int> Missing()
    {
        for (var i = 0; i < _done.Length; i++)
        {
            if (!_done[i])
            {
                yield return i;
            }
        }
    }

    /// <summary>
    /// Takes stock of an earlier run: every chunk file is hashed again and kept if it still matches the plan (it is not
    /// fetched again), deleted if not; half-written temporary files and anything else in the folder are deleted.
    /// Returns the number of chunks kept.
    /// </summary>
    public int Resume()
    {
        var kept = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(ChunkDirectory))
        {
            var name = Path.GetFileName(file);
            if (TryParseChunkFileName(name, out var index) && !_done[index] && FileMatches(file, index))
            {
                MarkDone(index);
                kept++;
            }
            else
            {
                File.Delete(file);
            }
        }

        return kept;
    }

    /// <summary>
    /// Decides one received message: a chunk of this archive whose length and SHA-256 are the plan's is written durably
    /// (<see cref="ChunkVerdict.Written"/>); anything else is refused with the reason and nothing is written. Never throws for
    /// any topic or payload; only a failing disk throws (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>).
    /// </summary>
    /// <param name="index">The chunk the topic names, or -1 when it names none of this archive's chunks.</param>
    public ChunkVerdict Accept(string topic, ReadOnlySpan<byte> payload, out int index)
    {
        var parsed = ParseTopic(topic, out index);
        if (parsed != ChunkVerdict.Written)
        {
            return parsed;
        }

        if (_done[index])
        {
            return ChunkVerdict.Duplicate;
        }

        if (payload.Length != _plan.ChunkLength(index))
        {
            return ChunkVerdict.WrongLength;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, hash);
        if (!hash.SequenceEqual(_chunkHashes[index]))
        {
            return ChunkVerdict.HashMismatch;
        }

        WriteDurably(index, payload);
        MarkDone(index);
        return ChunkVerdict.Written;
    }

    /// <summary>
    /// True when <see cref="ArchivePath"/> holds the whole archive (size and SHA-256 match), e.g. left by a run that ended
    /// between joining and reporting. A file there that does not match is deleted.
    /// </summary>
    public bool HasArchive()
    {
        if (!File.Exists(ArchivePath))
        {
            return false;
        }

        using (var archive = new FileStream(ArchivePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            if (archive.Length == _plan.Size && SHA256.HashData(archive).AsSpan().SequenceEqual(Convert.FromHexString(_plan.ArchiveSha256)))
            {
                return true;
            }
        }

        File.Delete(ArchivePath);
        return false;
    }

    /// <summary>
    /// Joins the chunks into <see cref="ArchivePath"/> streaming (one buffer, never the whole archive in memory), hashing
    /// each chunk again and the whole archive on the way; when size and SHA-256 match the plan the archive is fsynced,
    /// renamed into place, the directory fsynced, and the chunk files deleted. Returns the archive's path.
    /// </summary>
    /// <exception cref="PackageTransferException"><c>chunk-hash</c>: a chunk changed on disk since it was verified (it is
    /// deleted, the next run fetches it again); <c>archive-hash</c>: the chunks match but the archive does not.</exception>
    public string Assemble()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException($"{_done.Length - _chunksDone} of {_done.Length} chunks are missing");
        }

        var temporary = ArchivePath + TemporarySuffix;
        var buffer = new byte[64 * 1024];
        using var archiveHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        try
        {
            using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                for (var index = 0; index < _done.Length; index++)
                {
                    var chunkPath = ChunkPath(index);
                    using (var chunk = new FileStream(chunkPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
                    {
                        int read;
                        long chunkLength = 0;
                        while ((read = chunk.Read(buffer)) > 0)
                        {
                            chunkHash.AppendData(buffer, 0, read);
                            archiveHash.AppendData(buffer, 0, read);
                            output.Write(buffer, 0, read);
                            chunkLength += read;
                        }

                        length += chunkLength;
                        if (chunkLength != _plan.ChunkLength(index) || !chunkHash.GetHashAndReset().AsSpan().SequenceEqual(_chunkHashes[index]))
                        {
                            chunk.Dispose();
                            File.Delete(chunkPath);
                            _done[index] = false;
                            _chunksDone--;
                            _bytesDone -= _plan.ChunkLength(index);
                            throw new PackageTransferException(PackageTransferException.Reasons.ChunkHash,
                                $"chunk {index} of {_plan.ArchiveSha256} changed on disk after it was verified; it was deleted and is fetched again on the next run");
                        }
                    }
                }

                var sha = Convert.ToHexStringLower(archiveHash.GetHashAndReset());
                if (length != _plan.Size || sha != _plan.ArchiveSha256)
                {
                    throw new PackageTransferException(PackageTransferException.Reasons.ArchiveHash,
                        $"the {_done.Length} chunks join to {length} bytes with SHA-256 {sha}; the plan says {_plan.Size} bytes with {_plan.ArchiveSha256}");
                }

                output.Flush(flushToDisk: true);
            }

            File.Move(temporary, ArchivePath, overwrite: true);
            DirectorySync.Flush(Directory);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        System.IO.Directory.Delete(ChunkDirectory, recursive: true);
        DirectorySync.Flush(Directory);
        return ArchivePath;
    }

    /// <summary>
    /// <see cref="ChunkVerdict.Written"/> (meaning: a chunk topic of this archive) with the index, or why not. The index must
    /// be a plain decimal (no sign, no leading zero, at most 9 digits), so each chunk has exactly one topic.
    /// </summary>
    private ChunkVerdict ParseTopic(string topic, out int index)
    {
        index = -1;
        if (topic is null || !topic.StartsWith(_topicPrefix, StringComparison.Ordinal))
        {
            return ChunkVerdict.UnexpectedTopic;
        }

        var digits = topic.AsSpan(_topicPrefix.Length);
        if (digits.Length is 0 or > MaxIndexDigits || digits.IndexOfAnyExceptInRange('0', '9') >= 0 || (digits.Length > 1 && digits[0] == '0'))
        {
            return ChunkVerdict.UnexpectedTopic;
        }

        var parsed = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (parsed >= _done.Length)
        {
            return ChunkVerdict.IndexOutOfRange;
        }

        index = parsed;
        return ChunkVerdict.Written;
    }

    private void WriteDurably(int index, ReadOnlySpan<byte> payload)
    {
        var path = ChunkPath(index);
        var temporary = path + TemporarySuffix;
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(payload);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        DirectorySync.Flush(ChunkDirectory);
    }

    private bool FileMatches(string path, int index)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return file.Length == _plan.ChunkLength(index) && SHA256.HashData(file).AsSpan().SequenceEqual(_chunkHashes[index]);
    }

    private bool TryParseChunkFileName(string name, out int index)
    {
        index = -1;
        return name.Length is >= 5 and <= MaxIndexDigits && name.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0
            && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && index < _done.Length && name == ChunkFileName(index);
    }

    private void MarkDone(int index)
    {
        _done[index] = true;
        _chunksDone++;
        _bytesDone += _plan.ChunkLength(index);
    }

    private string ChunkPath(int index) => Path.Combine(ChunkDirectory, ChunkFileName(index));

    private static string ChunkFileName(int index) => index.ToString("D5", CultureInfo.InvariantCulture);
}
