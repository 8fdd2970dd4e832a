namespace CreditEdge.Messaging.Transfer;

/// <summary>What <see cref="ChunkStaging.Accept"/> did with one received message.</summary>
public enum ChunkVerdict
{
    /// <summary>The bytes matched the chunk's hash and are on disk (fsynced, renamed into place).</summary>
    Written,

    /// <summary>The chunk is already on disk: nothing written.</summary>
    Duplicate,

    /// <summary>The topic is not a chunk topic of this archive (other archive, other level, an index that is not a plain decimal).</summary>
    UnexpectedTopic,

    /// <summary>The index is beyond the plan's last chunk.</summary>
    IndexOutOfRange,

    /// <summary>The payload's length is not the chunk's length (checked before hashing, so a huge payload costs no hashing).</summary>
    WrongLength,

    /// <summary>The payload has the chunk's length but not its SHA-256.</summary>
    HashMismatch,
}
