using CreditEdge.Core.Decisions;

namespace CreditEdge.Storage;

/// <summary>A decision waiting for the writer, and the caller waiting for it to be durable.</summary>
internal sealed class PendingWrite(Decision decision, string json)
{
    public Decision Decision { get; } = decision;

    public string Json { get; } = json;

    public TaskCompletionSource<Decision> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
