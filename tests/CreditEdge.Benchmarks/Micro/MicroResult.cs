namespace CreditEdge.Benchmarks.Micro;

/// <summary>One BenchmarkDotNet result: mean and standard deviation in nanoseconds, bytes allocated per call.</summary>
public sealed record MicroResult(string Method, string Description, double MeanNs, double StdDevNs, long? AllocatedBytes);
