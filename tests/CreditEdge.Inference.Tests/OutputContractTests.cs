using CreditEdge.Core.Packages;
using CreditEdge.TestKit;

namespace CreditEdge.Inference.Tests;

/// <summary>A variant whose output is no probability is refused by name, whatever variant mode — never run, never "skipped".</summary>
public sealed class OutputContractTests : IDisposable
{
    private readonly TempDirectory _dir = new("output-contract");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(OutputBreak.NaN, "auto", ModelContract.OutputNotFiniteCheck)]
    [InlineData(OutputBreak.NaN, "int8", ModelContract.OutputNotFiniteCheck)]
    [InlineData(OutputBreak.AboveOne, "auto", ModelContract.OutputOutOfRangeCheck)]
    [InlineData(OutputBreak.AboveOne, "fp32", ModelContract.OutputOutOfRangeCheck)]
    public void Load_ModelOutputNotAProbability_RefusedNamingTheCheck(OutputBreak how, string variant, string check)
    {
        var package = PackageForge.CopyDefault(_dir.Path);
        PackageForge.BreakOutputs(package, how);

        var ex = Assert.Throws<ModelPackageException>(() => LoadedModel.Load(package, variant));

        Assert.Equal(check, ex.Check);
        Assert.Contains("golden line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ForgedCopyUnbroken_StillLoads()
    {
        var package = PackageForge.CopyDefault(_dir.Path);
        PackageForge.UpdateVariantDigests(package);

        using var model = LoadedModel.Load(package);

        Assert.Equal(200, model.GoldenChecked);
    }
}
