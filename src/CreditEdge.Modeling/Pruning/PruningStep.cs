namespace CreditEdge.Modeling.Pruning;

/// <summary>One row of the sparsity table.</summary>
/// <param name="TargetSparsity">Share of weights pruned per layer.</param>
/// <param name="ActualSparsity">Share of weights that are zero after fine-tuning (at least the target).</param>
/// <param name="ValidationAuc">AUC on the validation slice of the train split (what the choice is made on).</param>
/// <param name="TestAuc">AUC on the held-out test split (reported, never used to choose).</param>
/// <param name="OnnxBytes">Size of the fp32 ONNX file.</param>
/// <param name="GzipBytes">Size of that file gzip-compressed: where sparsity shows.</param>
public sealed record PruningStep(double TargetSparsity, double ActualSparsity, double ValidationAuc, double TestAuc, long OnnxBytes, long GzipBytes);
