namespace CreditEdge.TestKit;

/// <summary>Paths inside the repository, found by walking up from the test binaries to <c>CreditEdge.sln</c>.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    /// <summary>The committed default package.</summary>
    public static string DefaultModel => Path.Combine(Root, "models", "default");

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
