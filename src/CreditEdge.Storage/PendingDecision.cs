using CreditEdge.Core.Decisions;

namespace CreditEdge.Storage;

/// <summary>
/// A decision waiting for the writer, with its document already made (the JSON compressed on the caller's thread, not
/// the writer's); the commit sets <see cref="Result"/> or <see cref="Refusal"/>.
/// </summary>
internal sealed class PendingDecision(Decision decision, byte[] utf8Json) : PendingWrite
{
    public Decision Decision { get; } = decision;

    /// <summary>The decision's canonical JSON in UTF-8: compressed into <see cref="Document"/>, hashed into the audit chain.</summary>
    public byte[] Utf8Json { get; } = utf8Json;

    public LiteDB.BsonDocument Document { get; } = StoredDocuments.Decision(decision, utf8Json);

    /// <summary>The stored decision: this one, or the earlier one with the same idempotency key.</summary>
    public Decision? Result { get; set; }

    /// <summary>Why this decision was refused while the rest of its batch committed (the outbox is full).</summary>
    public Exception? Refusal { get; set; }

    public TaskCompletionSource<Decision> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Complete()
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

    public override void Fail(Exception error) => Done.TrySetException(error);
}
