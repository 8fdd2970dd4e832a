namespace CreditEdge.Modeling.Evaluation;

/// <summary>What a variant costs in ONNX Runtime with one intra-op thread.</summary>
/// <param name="LatencyP50Microseconds">Median time of one single-row Run (pre-allocated OrtValues).</param>
/// <param name="LatencyP99Microseconds">99th percentile of the same.</param>
/// <param name="BatchRowsPerSecond">Rows per second scoring batches of <see cref="OrtCostMeter.BatchRows"/>.</param>
/// <param name="PeakMemoryBytes">Peak resident memory added by creating the session and running it (see <see cref="OrtCostMeter"/>).</param>
public sealed record RuntimeCost(double LatencyP50Microseconds, double LatencyP99Microseconds, double BatchRowsPerSecond, long PeakMemoryBytes);
