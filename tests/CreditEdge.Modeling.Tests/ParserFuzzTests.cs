using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;
using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Modeling.Tests;

/// <summary>
/// 10,000 hostile documents per file parser (mutated real files and random bytes): each is read or refused with its
/// own exception naming the file and the problem — never any other exception.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private readonly TempDirectory _temp = new("parser-fuzz");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ModelPackageLoad_TenThousandHostileManifests_ReadOrRefusedWithAModelPackageException()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.DefaultModel))
        {
            File.Copy(file, _temp.Combine(Path.GetFileName(file)));
        }

        var manifestPath = _temp.Combine(ModelPackage.ManifestFile);
        var seed = File.ReadAllText(Path.Combine(RepoPaths.DefaultModel, ModelPackage.ManifestFile));
        var loaded = 0;
        var refused = 0;
        HostileBodies.From([seed]).Sample(bytes =>
        {
            File.WriteAllBytes(manifestPath, bytes);
            try
            {
                ModelPackage.Load(_temp.Path);
                loaded++;
            }
            catch (ModelPackageException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Check));
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                refused++;
            }
        }, iter: 10_000, threads: 1);

        Assert.Equal(10_000, loaded + refused);
        Assert.True(refused > 5_000, $"{loaded} loaded, {refused} refused");
    }

    [Fact]
    public void DatasetSchemaParse_TenThousandHostileSchemas_ReadOrRefusedWithADatasetSchemaException()
    {
        var seeds = Directory.GetFiles(Path.Combine(RepoPaths.Root, "models", "schemas"), "*.json").Select(File.ReadAllText).ToArray();
        var parsed = 0;
        var refused = 0;
        HostileBodies.From(seeds).Sample(bytes =>
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            try
            {
                DatasetSchemaReader.Parse(text, "fuzzed.schema.json");
                parsed++;
            }
            catch (DatasetSchemaException ex)
            {
                Assert.Contains("fuzzed.schema.json", ex.Message, StringComparison.Ordinal);
                refused++;
            }
        }, iter: 10_000, threads: 1);

        Assert.Equal(10_000, parsed + refused);
        Assert.True(refused > 5_000, $"{parsed} parsed, {refused} refused");
    }
}
