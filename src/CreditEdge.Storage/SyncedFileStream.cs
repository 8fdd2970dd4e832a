namespace CreditEdge.Storage;

/// <summary>
/// An unbuffered file stream for LiteDB whose <see cref="Flush()"/> reaches the disk (fsync). LiteDB's encrypted stream
/// only calls a plain Flush, so without this a checkpoint could truncate the log before the data file is on disk.
/// <see cref="Sync"/> is the group-commit barrier: it makes everything written so far durable.
/// After each fsync that returned, <see cref="DecisionStoreSettings.OnFileSynced"/> (if set) is told the file's path.
/// </summary>
internal sealed class SyncedFileStream : Stream
{
    private readonly FileStream _file;
    private readonly Action<string>? _onSynced;
    private readonly bool _durable;

    /// <param name="durable">False: <see cref="Flush()"/> hands the writes to the operating system without an fsync (<see cref="DecisionStoreSettings.Durable"/>).</param>
    public SyncedFileStream(string path, Action<string>? onSynced = null, bool durable = true)
    {
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        _onSynced = onSynced;
        _durable = durable;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    public void Sync() => Flush();

    public override void Flush()
    {
        _file.Flush(flushToDisk: _durable);
        if (_durable)
        {
            _onSynced?.Invoke(_file.Name);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _file.Read(buffer);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value) => _file.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _file.Write(buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
