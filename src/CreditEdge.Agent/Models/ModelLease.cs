using CreditEdge.Inference;

namespace CreditEdge.Agent.Models;

/// <summary>
/// A request's hold on the active model (<see cref="ModelHost.Acquire"/>): while it is not disposed, the model's ORT session
/// stays open even if another model is activated meanwhile. <see cref="Model"/> is null when no model is loaded.
/// </summary>
public readonly struct ModelLease : IDisposable, IEquatable<ModelLease>
{
    internal ModelLease(LoadedModel? model) => Model = model;

    /// <summary>The leased model, or null when none is loaded.</summary>
    public LoadedModel? Model { get; }

    /// <summary>Returns the lease; call once.</summary>
    public void Dispose() => Model?.Release();

    public bool Equals(ModelLease other) => ReferenceEquals(Model, other.Model);

    public override bool Equals(object? obj) => obj is ModelLease other && Equals(other);

    public override int GetHashCode() => Model?.GetHashCode() ?? 0;

    public static bool operator ==(ModelLease left, ModelLease right) => left.Equals(right);

    public static bool operator !=(ModelLease left, ModelLease right) => !left.Equals(right);
}
