namespace CreditEdge.Storage;

/// <summary>
/// The broker's acknowledgements waiting for the writer: the commit moves the outbox mark (and deletes an earlier layout's
/// records) in the same transaction as the decisions around it, never in a writing transaction of its own beside them.
/// </summary>
internal sealed class PendingAcknowledgement(IReadOnlyCollection<long> sequences) : PendingWrite
{
    public IReadOnlyCollection<long> Sequences { get; } = sequences;

    /// <summary>How many of <see cref="Sequences"/> were waiting and are acknowledged now.</summary>
    public int Removed { get; set; }

    public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Complete() => Done.TrySetResult(Removed);

    public override void Fail(Exception error) => Done.TrySetException(error);
}
