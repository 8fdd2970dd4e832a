namespace CreditEdge.Benchmarks;

/// <summary>Paths inside the repository the benchmarks read and write (root found by TestKit's <see cref="CreditEdge.TestKit.RepoPaths"/>).</summary>
public static class Repo
{
    public static string Root => CreditEdge.TestKit.RepoPaths.Root;

    /// <summary>The committed default package (21 features, fp32 MLP).</summary>
    public static string DefaultModel => CreditEdge.TestKit.RepoPaths.DefaultModel;

    /// <summary>Where the report is written (overwritten on every run).</summary>
    public static string ReportFile => Path.Combine(Root, "benchmarks", "results", "foundation.md");
}
