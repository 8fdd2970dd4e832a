namespace CreditEdge.Messaging.Transfer;

/// <summary>Chunks on disk out of the archive's chunks, e.g. for "downloading 40%" on the device's model events.</summary>
public readonly record struct TransferProgress(int ChunksDone, int ChunkCount)
{
    /// <summary>Whole percent done, 0-100.</summary>
    public int Percent => ChunkCount == 0 ? 100 : (int)(100L * ChunksDone / ChunkCount);
}
