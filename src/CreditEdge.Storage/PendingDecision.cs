using CreditEdge.Core.Decisions;

namespace CreditEdge.Storage;

/// <summary>
/// A decision waiting for the writer, with its document already made (the JSON compressed on the caller's thread, not
/// the writer's); the commit sets <see cref="Result"/> or <see cref="Refusal"/>.
/// </summary>
internal sealed class PendingDecision(Decision decision, string json) : PendingWrite(json)
{
    public Decision Decision { get; } = decision;

    public LiteDB.BsonDocument Document { get; } = StoredDocuments.Decision(decision, json);

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
