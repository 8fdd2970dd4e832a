namespace CreditEdge.Messaging.Transfer;

/// <summary>
/// A package transfer that cannot go on, with a <see cref="Reason"/> a device reports on its model events
/// (<see cref="Reasons"/>); the message says what was found and what was expected.
/// </summary>
public sealed class PackageTransferException : Exception
{
    public PackageTransferException(string reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        Reason = reason;
    }

    public PackageTransferException()
        : this(Reasons.Io, "package transfer failed")
    {
    }

    public PackageTransferException(string message)
        : this(Reasons.Io, message)
    {
    }

    public PackageTransferException(string message, Exception innerException)
        : this(Reasons.Io, message, innerException)
    {
    }

    /// <summary>One of <see cref="Reasons"/>.</summary>
    public string Reason { get; }

    /// <summary>Why a transfer stopped.</summary>
    public static class Reasons
    {
        /// <summary>The plan does not add up (hash format, chunk count, sizes).</summary>
        public const string Plan = "plan";

        /// <summary>The archive is larger than <see cref="PackageTransferOptions.MaxPackageBytes"/>, or a chunk larger than <see cref="PackageTransferOptions.MaxChunkBytes"/>.</summary>
        public const string TooLarge = "too-large";

        /// <summary>The staging file system has less free space than the transfer needs.</summary>
        public const string DiskSpace = "disk-space";

        /// <summary>A chunk came with the wrong bytes more than <see cref="PackageTransferOptions.MaxChunkAttempts"/> times.</summary>
        public const string ChunkHash = "chunk-hash";

        /// <summary>Every chunk matched its hash but the joined archive did not match the archive's size or SHA-256.</summary>
        public const string ArchiveHash = "archive-hash";

        /// <summary>The broker refused the subscription to a chunk topic (ACL).</summary>
        public const string NotAuthorized = "not-authorized";

        /// <summary>Reading or writing the staging directory failed (e.g. the disk filled up).</summary>
        public const string Io = "io";
    }
}
