using CreditEdge.Core.Packages;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

/// <summary>Copies of the repository's default package for tests that sign or tamper with one.</summary>
public static class PackageCopy
{
    /// <summary>Copies <c>models/default</c> (without any signature) to <paramref name="to"/>; returns <paramref name="to"/>.</summary>
    public static string OfDefault(string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(RepoPaths.DefaultModel))
        {
            if (Path.GetFileName(file) != ModelPackage.SignatureFile)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        return to;
    }
}
