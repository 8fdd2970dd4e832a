using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CreditEdge.Benchmarks.Micro;

/// <summary>Runs the micro benchmarks in this process with BenchmarkDotNet and returns their results by method name.</summary>
public static class MicroRunner
{
    /// <summary>
    /// Runs the benchmarks (only those whose method names are in <paramref name="methods"/>, when given) with
    /// <paramref name="warmupCount"/> warm-up and <paramref name="iterationCount"/> measured iterations.
    /// </summary>
    public static IReadOnlyDictionary<string, MicroResult> Run(int warmupCount = 4, int iterationCount = 12, IReadOnlyCollection<string>? methods = null)
    {
        // in-process keeps the run short; modest counts keep the whole command under a few minutes
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(warmupCount)
            .WithIterationCount(iterationCount);
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "creditedge-benchmarks"));
        if (methods is not null)
        {
            config = config.AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(b => methods.Contains(b.Descriptor.WorkloadMethod.Name)));
        }

        var results = new Dictionary<string, MicroResult>(StringComparer.Ordinal);
        foreach (var summary in BenchmarkRunner.Run([typeof(OrtBenchmarks), typeof(DecisionPathBenchmarks)], config))
        {
            foreach (var report in summary.Reports)
            {
                var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
                results[method] = ToResult(report, method);
            }
        }

        return results;
    }

    private static MicroResult ToResult(BenchmarkReport report, string method)
    {
        var stats = report.ResultStatistics
            ?? throw new InvalidOperationException($"benchmark {method} produced no result (see the BenchmarkDotNet log above)");
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        return new MicroResult(method, stats.Mean, stats.Median, stats.StandardDeviation, allocated);
    }
}
