namespace CreditEdge.Benchmarks.OfficeScale;

/// <summary>One round of benchmarks/office-scale.sh: one line of its results file.</summary>
public sealed record OfficeScaleRun(
    int Workers,
    int Round,
    long Sent,
    long Rows,
    long Duplicates,
    double RowsPerSecond,
    double LagP50Ms,
    double LagP99Ms,
    double SentPerSecond,
    double WallSeconds,
    double MosquittoCpuSeconds,
    double PostgresCpuSeconds,
    double OfficeCpuSeconds,
    double SimulatorCpuSeconds)
{
    /// <summary>Parses one tab-separated line in the script's column order; throws naming the line when it does not fit.</summary>
    public static OfficeScaleRun Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var f = line.Split('\t');
        if (f.Length != 14)
        {
            throw new FormatException($"expected 14 tab-separated fields, got {f.Length}: '{line}'");
        }

        static double D(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        static long L(string s) => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        return new OfficeScaleRun((int)L(f[0]), (int)L(f[1]), L(f[2]), L(f[3]), L(f[4]), D(f[5]), D(f[6]), D(f[7]), D(f[8]), D(f[9]), D(f[10]), D(f[11]), D(f[12]), D(f[13]));
    }

    /// <summary>CPU of a process over the round as a share of one core (1.0 = one core busy the whole time).</summary>
    public double Cores(double cpuSeconds) => cpuSeconds / Math.Max(0.001, WallSeconds);
}
