using CreditEdge.Core.Decisions;

namespace CreditEdge.Storage;

/// <summary>
/// A decision waiting for the writer, with its document already made (the JSON compressed on the caller's thread, not
/// the writer's); the commit sets <see cref="Result"/> or <see cref="Refusal"/>.
/// </summary>
internal sealed class PendingDecision(Decision decision, byte[] utf8Json) : PendingWrite, IThreadPoolWorkItem
{
    public Decision Decision { get; } = decision;

    /// <summary>The decision's canonical JSON in UTF-8: compressed into <see cref="Document"/>, hashed into the audit chain.</summary>
    public byte[] Utf8Json { get; } = utf8Json;

    public LiteDB.BsonDocument Document { get; } = StoredDocuments.Decision(decision, utf8Json);

    /// <summary>The stored decision: this one, or the earlier one with the same idempotency key.</summary>
    public Decision? Result { get; set; }

    /// <summary>Why this decision was refused while the rest of its batch committed (the outbox is full).</summary>
    public Exception? Refusal { get; set; }

    /// <summary>
    /// Without <c>RunContinuationsAsynchronously</c>: the writer chooses where the caller's continuation runs —
    /// <see cref="Complete"/> and <see cref="Fail"/> on the thread pool, <see cref="CompleteHere"/> on the calling thread.
    /// </summary>
    public TaskCompletionSource<Decision> Done { get; } = new();

    public override void Complete() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute() => CompleteHere();

    public override void Fail(Exception error) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Pending.Done.TrySetException(state.Error), (Pending: this, Error: error), preferLocal: false);

    /// <summary>Answers the caller on this thread: its continuation runs before this returns.</summary>
    public void CompleteHere()
    {
        if (Refusal is not null)
        {
            Done.TrySetException(Refusal);
        }
        else
        {
            Done.TrySetResult(Result!);
        }
    }
}
