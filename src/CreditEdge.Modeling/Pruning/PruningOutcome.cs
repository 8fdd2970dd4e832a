using CreditEdge.Modeling.Training;

namespace CreditEdge.Modeling.Pruning;

/// <summary>The sparsity table (row 0: unpruned) and the chosen model (the unpruned one when no level qualifies).</summary>
public sealed record PruningOutcome(IReadOnlyList<PruningStep> Steps, TrainedModel Chosen, PruningStep ChosenStep);
