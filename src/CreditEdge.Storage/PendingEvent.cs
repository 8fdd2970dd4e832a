using CreditEdge.Core.Audit;

namespace CreditEdge.Storage;

/// <summary>A device event waiting for the writer; the commit sets its link's <see cref="Sequence"/>.</summary>
internal sealed class PendingEvent(AuditEvent auditEvent, string json) : PendingWrite
{
    /// <summary>The event's canonical JSON: stored as it is, and hashed into the audit chain.</summary>
    public string Json { get; } = json;

    public AuditEvent Event { get; } = auditEvent;

    public long Sequence { get; set; }

    public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Complete() => Done.TrySetResult(Sequence);

    public override void Fail(Exception error) => Done.TrySetException(error);
}
