using Microsoft.Win32.SafeHandles;

namespace CreditEdge.Storage;

/// <summary>
/// The file stream under LiteDB whose <see cref="Flush()"/> reaches the disk (fsync). LiteDB's encrypted stream only
/// calls a plain Flush, so without this a checkpoint could truncate the log before the data file is on disk.
/// <see cref="Sync"/> is the group-commit barrier: it makes everything written so far durable.
/// After each fsync that returned, <see cref="DecisionStoreSettings.OnFileSynced"/> (if set) is told the file's path.
/// <para>
/// System calls are what a commit costs most on a small board or a virtual machine, so this stream makes few of them.
/// LiteDB writes one 8 KiB page per call: a commit's pages one after another at the end of the log, a checkpoint every
/// version of every page it copies into the data file. This stream holds page writes in memory — the latest version of
/// each page — and writes them at <see cref="Flush()"/>, before any read, and when it holds
/// <see cref="MaxHeldPages"/>, in file order, one <c>pwritev</c> per run of adjacent pages: a commit is one write and
/// one fsync, a checkpoint writes each page once. A caller's decision is acknowledged only after <see cref="Sync"/>,
/// which writes what is held first; a write the disk refuses (a full disk) fails that Sync, and the store rolls the
/// commit back as it did when the page write itself failed. Reads that follow each other (a checkpoint reads the whole
/// log, page by page) are served from one larger read ahead.
/// </para>
/// </summary>
internal sealed class SyncedFileStream : Stream
{
    /// <summary>LiteDB's page size: the writes this stream holds.</summary>
    internal const int PageSize = 8192;

    /// <summary>The most pages held before they are written (LiteDB's default checkpoint is 1,000 pages).</summary>
    internal const int MaxHeldPages = 2048;

    /// <summary>Page buffers kept for reuse after a write: a commit's worth, so a commit allocates none.</summary>
    internal const int KeptPages = 128;

    /// <summary>How much a sequential read reads ahead.</summary>
    internal const int ReadAheadBytes = 256 * 1024;

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly Action<string>? _onSynced;
    private readonly bool _durable;
    private readonly Action? _beforeWrite;
    private readonly Action<long>? _afterSetLength;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, byte[]> _held = []; // page position → its latest content, not yet written
    private readonly Stack<byte[]> _free = new(); // written pages' buffers, for the next ones
    private long _heldEnd;
    private long _position;
    private byte[]? _readAhead;
    private long _readAheadStart;
    private int _readAheadLength;
    private long _lastReadEnd = -1;
    private Exception? _failed; // held pages that could not be written: nothing after them may reach the file

    /// <param name="durable">False: <see cref="Flush()"/> hands the writes to the operating system without an fsync (<see cref="DecisionStoreSettings.Durable"/>).</param>
    /// <param name="beforeWrite">
    /// Runs before anything reaches this file (the data file: the store makes the log durable first, so that a checkpoint
    /// cut short by a crash can always be finished from the log).
    /// </param>
    /// <param name="afterSetLength">
    /// Runs after the file was cut or grown (the log, emptied by a checkpoint: the journal then starts over from its new
    /// length; the cut itself needs no fsync, since a log that comes back longer after a crash is cut back by the store).
    /// </param>
    public SyncedFileStream(string path, Action<string>? onSynced = null, bool durable = true, Action? beforeWrite = null, Action<long>? afterSetLength = null)
    {
        _beforeWrite = beforeWrite;
        _afterSetLength = afterSetLength;
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        _handle = _file.SafeFileHandle;
        _onSynced = onSynced;
        _durable = durable;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(RandomAccess.GetLength(_handle), _heldEnd);
            }
        }
    }

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <summary>Makes everything written so far durable; returns the file's length it covers.</summary>
    public long Sync()
    {
        long length;
        lock (_gate)
        {
            WriteHeld();
            length = RandomAccess.GetLength(_handle);
        }

        // outside the gate: a listener may read the store from another thread while this one waits for it
        _file.Flush(flushToDisk: _durable);
        if (_durable)
        {
            _onSynced?.Invoke(_file.Name);
        }

        return length;
    }

    /// <summary>
    /// Hands what is held to the operating system without an fsync: a commit that needs no durability (an
    /// acknowledgement) then survives a killed process, as it did when every page was written at once.
    /// </summary>
    public void WriteOut()
    {
        lock (_gate)
        {
            WriteHeld();
        }
    }

    public override void Flush() => Sync();

    /// <summary>
    /// Takes nothing more to the file: what is held is dropped and every later write, flush or read fails. For an engine
    /// the store gives up after a failed commit — LiteDB's close would otherwise checkpoint what that engine holds into
    /// the data file, a refused batch with it.
    /// </summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _failed ??= new IOException($"'{_file.Name}' was abandoned after a failed commit");
            _held.Clear();
            _heldEnd = 0;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            WriteHeld();
            var read = ReadAt(buffer, _position);
            _position += read;
            return read;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void SetLength(long value)
    {
        lock (_gate)
        {
            WriteHeld();
            _readAheadLength = 0;
            _file.SetLength(value);
        }

        _afterSetLength?.Invoke(value);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            ThrowIfFailed();
            _readAheadLength = 0;
            if (buffer.Length == PageSize && _position % PageSize == 0)
            {
                if (!_held.TryGetValue(_position, out var page))
                {
                    if (_held.Count >= MaxHeldPages)
                    {
                        WriteHeld();
                    }

                    page = _free.TryPop(out var reused) ? reused : new byte[PageSize];
                    _held[_position] = page;
                }

                buffer.CopyTo(page);
                _heldEnd = Math.Max(_heldEnd, _position + PageSize);
            }
            else
            {
                // anything but a whole page (the file header): after what is held, as it comes
                WriteHeld();
                _beforeWrite?.Invoke();
                try
                {
                    RandomAccess.Write(_handle, buffer, _position);
                }
                catch (Exception ex)
                {
                    _failed = ex;
                    throw;
                }
            }

            _position += buffer.Length;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                lock (_gate)
                {
                    if (_failed is null)
                    {
                        WriteHeld(); // what LiteDB wrote reaches the OS, as it did when each write was a pwrite
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // the disk (or the hook making the log durable first) refuses: nothing held was ever acknowledged, and
                // what was is in the journal
            }
            finally
            {
                _file.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Writes the held pages in file order, one pwritev per run of adjacent pages. When that fails (a full disk) the
    /// stream takes nothing more: a later page of the same transaction must never reach the file after a hole. The store
    /// replaces its engine, and with it this stream, after a failed commit; LiteDB then ignores the unconfirmed
    /// transaction on reopening.
    /// </summary>
    private void WriteHeld()
    {
        ThrowIfFailed();
        if (_held.Count == 0)
        {
            return;
        }

        _beforeWrite?.Invoke();
        var positions = _held.Keys.ToArray();
        Array.Sort(positions);
        var run = new List<ReadOnlyMemory<byte>>(positions.Length);
        try
        {
            var start = positions[0];
            foreach (var position in positions)
            {
                if (position != start + (run.Count * (long)PageSize))
                {
                    RandomAccess.Write(_handle, run, start);
                    run.Clear();
                    start = position;
                }

                run.Add(_held[position].AsMemory(0, PageSize));
            }

            RandomAccess.Write(_handle, run, start);
        }
        catch (Exception ex)
        {
            _failed = ex;
            throw;
        }
        finally
        {
            foreach (var page in _held.Values)
            {
                if (_free.Count < KeptPages)
                {
                    _free.Push(page);
                }
            }

            _held.Clear();
            _heldEnd = 0;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failed is not null)
        {
            throw new IOException($"an earlier write to '{_file.Name}' failed: {_failed.Message}", _failed);
        }
    }

    private int ReadAt(Span<byte> buffer, long position)
    {
        if (_readAheadLength > 0 && position >= _readAheadStart && position + buffer.Length <= _readAheadStart + _readAheadLength)
        {
            _readAhead.AsSpan((int)(position - _readAheadStart), buffer.Length).CopyTo(buffer);
            _lastReadEnd = position + buffer.Length;
            return buffer.Length;
        }

        int read;
        if (position == _lastReadEnd && buffer.Length < ReadAheadBytes)
        {
            // the second read in a row: read ahead
            _readAhead ??= new byte[ReadAheadBytes];
            _readAheadLength = RandomAccess.Read(_handle, _readAhead, position);
            _readAheadStart = position;
            read = Math.Min(buffer.Length, _readAheadLength);
            _readAhead.AsSpan(0, read).CopyTo(buffer);
        }
        else
        {
            read = RandomAccess.Read(_handle, buffer, position);
        }

        _lastReadEnd = position + read;
        return read;
    }
}
