namespace CreditEdge.Benchmarks;

/// <summary>Paths inside the repository, found by walking up from the binaries to <c>CreditEdge.sln</c>.</summary>
public static class Repo
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    /// <summary>The committed default package (21 features, fp32 MLP).</summary>
    public static string DefaultModel => Path.Combine(Root, "models", "default");

    /// <summary>Where the report is written (overwritten on every run).</summary>
    public static string ReportFile => Path.Combine(Root, "benchmarks", "results", "foundation.md");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CreditEdge.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"CreditEdge.sln not found above {AppContext.BaseDirectory}");
    }
}
