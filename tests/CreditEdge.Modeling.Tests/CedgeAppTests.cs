using CreditEdge.Cli;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests;

public sealed class CedgeAppTests
{
    [Fact]
    public void Run_ModelBuildWithMissingDataFile_ReturnsNonZeroWithOneLineOnStderr()
    {
        using var temp = new TempDirectory();
        var schema = SyntheticCredit.WriteSchema(temp.Combine("schema.json"));
        var (code, output, error) = Run("model", "build", "--data", temp.Combine("missing.csv"), "--schema", schema, "--out", temp.Combine("out"));

        Assert.NotEqual(0, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("cedge: ", line, StringComparison.Ordinal);
        Assert.Contains("missing.csv", line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public void Run_ModelBuildWithBadSchema_ReturnsOneAndNamesTheColumn()
    {
        using var temp = new TempDirectory();
        var data = SyntheticCredit.WriteData(temp.Combine("data.csv"), 50);
        var schema = SyntheticCredit.WriteSchema(temp.Combine("schema.json"), s => s.Replace("\"role\": \"protected\"", "\"role\": \"secret\"", StringComparison.Ordinal));

        var (code, _, error) = Run("model", "build", "--data", data, "--schema", schema, "--out", temp.Combine("out"));

        Assert.Equal(CedgeApp.Failure, code);
        var last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("cedge: schema '", last, StringComparison.Ordinal);
        Assert.Contains("column 'GENDER' has unknown role 'secret'", last, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("cedge:", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_ModelBuildWithoutRequiredOption_ReturnsUsageError()
    {
        var (code, _, error) = Run("model", "build", "--schema", "x.json");

        Assert.Equal(CedgeApp.UsageError, code);
        Assert.StartsWith("cedge: ", error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CedgeApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
