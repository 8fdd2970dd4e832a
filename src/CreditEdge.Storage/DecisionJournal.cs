using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using LiteDB;
using Microsoft.Win32.SafeHandles;

namespace CreditEdge.Storage;

/// <summary>
/// The write-ahead journal that makes a decision durable (README "Storage and its guarantees"): each batch of the writer
/// is one encrypted record with the documents it stores, and one <c>fdatasync</c> of that record is what a caller waits
/// for — not an fsync of LiteDB's log. The journal's space is written once and then overwritten in place, so that
/// fdatasync has no file size or block allocation to commit.
/// <para>
/// LiteDB commits the batches behind it without an fsync; its log is made durable when it has to be — before a
/// checkpoint writes the data file, when the journal grows large, at close — and each time the journal <em>starts over</em>
/// with a start record that says how long the durable log is, followed again by the records of batches LiteDB does not
/// hold yet. After a crash the store cuts the log back to that length and applies the records again.
/// </para>
/// <para>
/// On disk: two files, the journal and its <c>-b</c> twin; a start over writes the one not in use, so the records in the
/// other stay readable until the new start record and the records it carries are durable — a crash in between (which
/// can tear even a single write) leaves the earlier epoch to read. In each: records from offset 0,
/// <c>[u32 length][12-byte nonce][ciphertext][16-byte tag]</c>, AES-256-GCM under a key derived from the store's key
/// (HKDF-SHA256), the length as associated data. The nonce is the epoch's 8 random bytes and the record's index; the
/// start record (index 0) holds the durable log length, the epoch's number and how many records it carried. A record
/// whose epoch or index is not the next expected one, or that does not decrypt, ends the epoch: a record torn by a
/// crash, and whatever an earlier epoch left behind it, is never read as current. Of the two files, the epoch with the
/// highest number whose carried records are all readable is the journal.
/// </para>
/// </summary>
internal sealed partial class DecisionJournal : IDisposable
{
    /// <summary>Space written at creation, and added at a time when a record does not fit.</summary>
    internal const int Chunk = 1 << 20;

    /// <summary>The twin file's name: the journal's name with this appended.</summary>
    internal const string TwinSuffix = "-b";

    private const int LengthBytes = 4;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int Overhead = LengthBytes + NonceBytes + TagBytes;
    private const int MaxRecordBytes = 64 << 20;
    private static readonly byte[] KeyInfo = "creditedge decisions journal v1"u8.ToArray();

    private readonly JournalFile[] _files;
    private readonly AesGcm _aes;
    private readonly bool _durable;
    private readonly Action<string>? _onSynced;
    private readonly Lock _gate = new();
    private readonly byte[] _epoch = new byte[8];
    private readonly List<(long Batch, byte[] Payload)> _pending = []; // records whose batch the store has not yet applied
    private int _current; // the file appends go to
    private long _number; // the current epoch's number
    private long _offset;
    private uint _index;
    private string? _broken; // no readable start record, or a start over that failed: appends wait for one that succeeds

    private DecisionJournal(JournalFile[] files, AesGcm aes, bool durable, Action<string>? onSynced)
    {
        _files = files;
        _aes = aes;
        _durable = durable;
        _onSynced = onSynced;
    }

    /// <summary>Bytes of records in the current epoch.</summary>
    public long Length
    {
        get
        {
            lock (_gate)
            {
                return _offset;
            }
        }
    }

    /// <summary>True when appends are refused until a start over succeeds (none was ever written, or the last one failed).</summary>
    public bool IsBroken
    {
        get
        {
            lock (_gate)
            {
                return _broken is not null;
            }
        }
    }

    /// <summary>The files' size on disk.</summary>
    public long FileBytes => _files.Sum(file => RandomAccess.GetLength(file.Handle));

    /// <summary>
    /// Opens (or creates, empty) the journal at <paramref name="path"/> and its twin and reads them: the durable log length
    /// of the current epoch's start record (null when there is none) and the records after it, in order. Appends go after
    /// the last record read.
    /// </summary>
    public static DecisionJournal Open(string path, string password, bool durable, Action<string>? onSynced, out long? durableLogLength, out List<BsonDocument> records)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(password), 32, salt: null, info: KeyInfo);
        var files = new List<JournalFile>(2);
        try
        {
            foreach (var file in new[] { path, path + TwinSuffix })
            {
                files.Add(new JournalFile(file, File.OpenHandle(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read)));
            }
        }
        catch
        {
            files.ForEach(file => file.Handle.Dispose());
            throw;
        }

        var journal = new DecisionJournal([.. files], new AesGcm(key, TagBytes), durable, onSynced);
        try
        {
            records = journal.Reload(out durableLogLength);
            foreach (var file in journal._files.Where(file => file.Capacity == 0))
            {
                try
                {
                    journal.Grow(file, Chunk); // both files' space now, not at a start over on a disk that may be full by then
                }
                catch (IOException)
                {
                    // a full disk already (a store of an earlier version, without a journal): the first start over
                    // tries again, and until one succeeds the store takes no writes
                }
            }

            return journal;
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends <paramref name="record"/> (it has a batch number <c>b</c>); with <paramref name="sync"/> it is durable when this
    /// returns. A failed append leaves the journal as it was: the next append takes the record's place.
    /// </summary>
    public void Append(BsonDocument record, bool sync)
    {
        var payload = BsonSerializer.Serialize(record);
        lock (_gate)
        {
            if (_broken is not null)
            {
                throw new IOException($"the journal '{_files[_current].Path}' cannot be appended to until it starts over: {_broken}");
            }

            var file = _files[_current];
            var start = _offset;
            try
            {
                _ = Write(file, payload, _offset, _index);
                if (sync)
                {
                    DataSync(file);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryUnwrite(file, start);
                throw;
            }

            _offset = start + Overhead + payload.Length;
            _index++;
            _pending.Add((record["b"].AsInt64, payload));
        }
    }

    /// <summary>The store holds every batch up to <paramref name="batch"/> in LiteDB: their records need not outlive a start over.</summary>
    public void Applied(long batch)
    {
        lock (_gate)
        {
            _pending.RemoveAll(record => record.Batch <= batch);
        }
    }

    /// <summary>
    /// Starts over in the other file: a new epoch whose start record says the log is durable up to
    /// <paramref name="durableLogLength"/> bytes — which the caller has just made true — followed again by the records of
    /// batches the store has not applied yet (<see cref="Applied"/>: a checkpoint another thread's commit started may come
    /// between a record and its batch's commit). The file in use is not touched until the next start over.
    /// </summary>
    public void StartOver(long durableLogLength)
    {
        lock (_gate)
        {
            var target = 1 - _current;
            var file = _files[target];
            var start = BsonSerializer.Serialize(new BsonDocument { ["log"] = durableLogLength, ["n"] = _number + 1, ["carried"] = _pending.Count });
            RandomNumberGenerator.Fill(_epoch);
            long offset = 0;
            try
            {
                offset += Write(file, start, offset, 0);
                for (var i = 0; i < _pending.Count; i++)
                {
                    offset += Write(file, _pending[i].Payload, offset, (uint)i + 1);
                }

                DataSync(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _broken = ex.Message;
                throw;
            }

            _broken = null;
            _current = target;
            _number++;
            _offset = offset;
            _index = (uint)_pending.Count + 1;
        }
    }

    /// <summary>
    /// Reads the journal from the disk (at open, and for a store recovering from a failed commit): the current epoch's
    /// durable log length (null when neither file has a readable epoch) and its records, in order.
    /// </summary>
    public List<BsonDocument> Reload(out long? durableLogLength)
    {
        lock (_gate)
        {
            Epoch? best = null;
            for (var i = 0; i < _files.Length; i++)
            {
                _files[i].Capacity = RandomAccess.GetLength(_files[i].Handle);
                if (ReadEpoch(i) is { } epoch && epoch.Records.Count >= epoch.Carried && (best is null || epoch.Number > best.Number))
                {
                    best = epoch;
                }
            }

            _pending.Clear();
            if (best is null)
            {
                durableLogLength = null;
                _broken = "it has no readable start record";
                _current = 1; // the first start over writes the journal's own file
                _offset = 0;
                _index = 0;
                return [];
            }

            _broken = null;
            _current = best.File;
            _number = best.Number;
            best.Nonce.CopyTo(_epoch);
            _offset = best.End;
            _index = (uint)best.Records.Count + 1;
            _pending.AddRange(best.Records.Select(record => (record.Document["b"].AsInt64, record.Payload)));
            durableLogLength = best.DurableLog;
            return [.. best.Records.Select(record => record.Document)];
        }
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Handle.Dispose();
        }

        _aes.Dispose();
    }

    /// <summary>The epoch in file <paramref name="fileIndex"/>: its start record and every record after it that reads; null without a start record.</summary>
    private Epoch? ReadEpoch(int fileIndex)
    {
        var file = _files[fileIndex];
        var header = new byte[LengthBytes + NonceBytes];
        var records = new List<(BsonDocument Document, byte[] Payload)>();
        var epoch = new byte[8];
        BsonDocument? start = null;
        long offset = 0;
        uint index = 0;
        while (RandomAccess.Read(file.Handle, header, offset) == header.Length)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var nonce = header.AsSpan(LengthBytes, NonceBytes);
            if (length == 0 || length > MaxRecordBytes || offset + Overhead + length > file.Capacity
                || BinaryPrimitives.ReadUInt32BigEndian(nonce[8..]) != index || (index > 0 && !nonce[..8].SequenceEqual(epoch)))
            {
                break;
            }

            var body = new byte[length + TagBytes];
            if (RandomAccess.Read(file.Handle, body, offset + header.Length) < body.Length)
            {
                break;
            }

            var plain = new byte[length];
            try
            {
                _aes.Decrypt(nonce, body.AsSpan(0, (int)length), body.AsSpan((int)length), plain, header.AsSpan(0, LengthBytes));
            }
            catch (AuthenticationTagMismatchException)
            {
                break; // torn by a crash, left by an earlier epoch, or not this key's
            }

            var record = BsonSerializer.Deserialize(plain);
            if (index == 0)
            {
                if (!record["log"].IsInt64 || !record["n"].IsInt64 || !record["carried"].IsInt32)
                {
                    break;
                }

                nonce[..8].CopyTo(epoch);
                start = record;
            }
            else
            {
                if (!record["b"].IsInt64)
                {
                    break;
                }

                records.Add((record, plain));
            }

            offset += Overhead + length;
            index++;
        }

        return start is null ? null : new Epoch(fileIndex, start["n"].AsInt64, start["log"].AsInt64, start["carried"].AsInt32, epoch, records, offset);
    }

    /// <summary>Writes one record at <paramref name="offset"/>, growing the file first when it does not fit; returns its length.</summary>
    private int Write(JournalFile file, byte[] payload, long offset, uint index)
    {
        var record = new byte[Overhead + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        var nonce = record.AsSpan(LengthBytes, NonceBytes);
        _epoch.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index);
        _aes.Encrypt(nonce, payload, record.AsSpan(LengthBytes + NonceBytes, payload.Length), record.AsSpan(LengthBytes + NonceBytes + payload.Length), record.AsSpan(0, LengthBytes));
        if (offset + record.Length > file.Capacity)
        {
            Grow(file, offset + record.Length);
        }

        RandomAccess.Write(file.Handle, record, offset);
        return record.Length;
    }

    /// <summary>
    /// Writes zeros up to the next whole <see cref="Chunk"/> past <paramref name="needed"/> and fsyncs: space that later
    /// records overwrite in place, so their fdatasync has no size or allocation to commit.
    /// </summary>
    private void Grow(JournalFile file, long needed)
    {
        var target = (needed + Chunk - 1) / Chunk * Chunk;
        var zeros = new byte[Chunk];
        for (var at = file.Capacity; at < target; at += Chunk)
        {
            RandomAccess.Write(file.Handle, zeros.AsSpan(0, (int)Math.Min(Chunk, target - at)), at);
        }

        if (_durable)
        {
            RandomAccess.FlushToDisk(file.Handle);
            _onSynced?.Invoke(file.Path);
        }

        file.Capacity = target;
    }

    private void DataSync(JournalFile file)
    {
        if (!_durable)
        {
            return;
        }

        if (FDataSync(file.Handle) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync of '{file.Path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        _onSynced?.Invoke(file.Path);
    }

    /// <summary>Best effort after a failed append: zero the record's length so that nothing reads it back.</summary>
    private static void TryUnwrite(JournalFile file, long offset)
    {
        try
        {
            RandomAccess.Write(file.Handle, new byte[LengthBytes], offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the disk refuses even that: the next append overwrites it in the same place
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(SafeFileHandle fd);

    private sealed class JournalFile(string path, SafeFileHandle handle)
    {
        public string Path { get; } = path;

        public SafeFileHandle Handle { get; } = handle;

        public long Capacity { get; set; }
    }

    private sealed record Epoch(int File, long Number, long DurableLog, int Carried, byte[] Nonce, List<(BsonDocument Document, byte[] Payload)> Records, long End);
}
