using CreditEdge.Core.Packages;
using CreditEdge.Inference;
using Microsoft.ML.OnnxRuntime;

namespace CreditEdge.Modeling.Evaluation;

/// <summary>
/// Measures a model file in ONNX Runtime (1 intra-op thread, ORT_ENABLE_ALL, pre-allocated OrtValues):
/// single-row latency (200 warm-up runs, then <see cref="LatencyRuns"/> timed runs), batch throughput and peak memory.
/// Peak memory: after a full GC, the process's peak RSS is reset by writing 5 to /proc/self/clear_refs (Linux), VmRSS
/// is read, the session is created and run 1000 times, and VmHWM − VmRSS(before) is the peak the session added.
/// Where clear_refs is not writable the figure is VmRSS(after) − VmRSS(before). Timings depend on the machine.
/// </summary>
public sealed class OrtCostMeter
{
    public const int LatencyRuns = 2000;
    public const int BatchRows = 256;

    private readonly TimeProvider _timeProvider;

    public OrtCostMeter(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public RuntimeCost Measure(string modelPath, ReadOnlySpan<float> rows, int rowCount)
    {
        var width = rows.Length / rowCount;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var peakReset = TryResetPeak();
        var rssBefore = ReadStatus("VmRSS");

        using var options = OnnxScorerOptions.Default.CreateSessionOptions(out _, out _);
        using var session = new InferenceSession(modelPath, options);
        using var runOptions = new RunOptions();
        string[] inputNames = [ModelContract.InputName];
        string[] outputNames = [ModelContract.OutputName];

        var single = new float[width];
        var singleOut = new float[1];
        using var singleIn = OrtValue.CreateTensorValueFromMemory(single, [1, width]);
        using var singleOutValue = OrtValue.CreateTensorValueFromMemory(singleOut, [1, 1]);
        var timings = new double[LatencyRuns];
        for (var i = 0; i < 200 + LatencyRuns; i++)
        {
            rows.Slice(i % rowCount * width, width).CopyTo(single);
            var started = _timeProvider.GetTimestamp();
            session.Run(runOptions, inputNames, [singleIn], outputNames, [singleOutValue]);
            if (i >= 200)
            {
                timings[i - 200] = _timeProvider.GetElapsedTime(started).TotalMicroseconds;
            }
        }

        var batchRows = Math.Min(BatchRows, rowCount);
        var batch = rows[..(batchRows * width)].ToArray();
        var batchOut = new float[batchRows];
        using var batchIn = OrtValue.CreateTensorValueFromMemory(batch, [batchRows, width]);
        using var batchOutValue = OrtValue.CreateTensorValueFromMemory(batchOut, [batchRows, 1]);
        session.Run(runOptions, inputNames, [batchIn], outputNames, [batchOutValue]);
        var batchStarted = _timeProvider.GetTimestamp();
        var batches = 0;
        while (_timeProvider.GetElapsedTime(batchStarted).TotalSeconds < 0.5 || batches < 5)
        {
            session.Run(runOptions, inputNames, [batchIn], outputNames, [batchOutValue]);
            batches++;
        }

        var throughput = batches * batchRows / _timeProvider.GetElapsedTime(batchStarted).TotalSeconds;
        var peak = peakReset ? ReadStatus("VmHWM") - rssBefore : ReadStatus("VmRSS") - rssBefore;
        Array.Sort(timings);
        return new RuntimeCost(Quantiles.Of(timings, 0.5), Quantiles.Of(timings, 0.99), throughput, Math.Max(0, peak));
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>A "kB" line of /proc/self/status in bytes, or 0 where there is none (not Linux).</summary>
    private static long ReadStatus(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                var digits = new string(line.Where(char.IsAsciiDigit).ToArray());
                return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
