namespace CreditEdge.Benchmarks.Micro;

/// <summary>One BenchmarkDotNet result: mean, median and standard deviation in nanoseconds, bytes allocated per call.</summary>
public sealed record MicroResult(string Method, double MeanNs, double MedianNs, double StdDevNs, long? AllocatedBytes);
