using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Tests.Packages;

public sealed class ModelPackageTests : IDisposable
{
    private readonly TestPackage _package = new();

    public void Dispose() => _package.Dispose();

    private ModelPackageException Refused() => Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_package.Directory));

    private ModelPackageException RefusedWith(ModelManifest manifest)
    {
        _package.WriteManifest(manifest);
        return Refused();
    }

    /// <summary>The valid manifest as a JSON tree, edited by <paramref name="edit"/>, written out.</summary>
    private void WriteEditedManifest(Action<JsonObject> edit)
    {
        _package.WriteManifest(TestPackage.ValidManifest());
        var json = JsonNode.Parse(File.ReadAllText(_package.ManifestPath))!.AsObject();
        edit(json);
        _package.WriteManifestText(json.ToJsonString());
    }

    [Fact]
    public void Load_ValidPackage_Succeeds()
    {
        _package.WriteManifest(TestPackage.ValidManifest());

        var sut = ModelPackage.Load(_package.Directory);

        Assert.Equal(Path.GetFullPath(_package.Directory), sut.Directory);
        Assert.Equal("test-credit", sut.Manifest.Id);
        Assert.Equal(7, sut.Manifest.Sequence);
        Assert.Equal(5, sut.Schema.Count);
        Assert.Equal(TestSchemas.Checking, sut.Schema.IndexOf("CHECKING"));
        Assert.True(sut.Schema.IsNonInput("SEX"));
        Assert.Equal(5, sut.Attribution.FeatureCount);
        Assert.Equal(620, sut.Policy.ApproveMinScore);
        var variant = sut.Variant("FP32");
        Assert.Equal(TestPackage.ModelFile, variant.File);
        Assert.Equal(_package.ModelPath, sut.PathOf(variant));
    }

    [Fact]
    public void Load_ValidPackage_AttributionUsesManifestReferences()
    {
        _package.WriteManifest(TestPackage.ValidManifest());
        var sut = ModelPackage.Load(_package.Directory);
        var batch = new float[sut.Attribution.BatchRows * sut.Attribution.FeatureCount];

        sut.Attribution.FillBatch([9, 9, 9, 9, 9], batch);

        // Reference of feature i is i (see TestPackage.ValidManifest); row i+1 carries it in column i.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i, batch[((i + 1) * 5) + i]);
        }
    }

    [Fact]
    public void Variant_UnknownName_ThrowsNamingVariantsThereAre()
    {
        _package.WriteManifest(TestPackage.ValidManifest());
        var sut = ModelPackage.Load(_package.Directory);

        var ex = Assert.Throws<ModelPackageException>(() => sut.Variant("int8"));

        Assert.Equal("variant", ex.Check);
        Assert.Contains("'int8'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("fp32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingDirectory_RefusedWithDirectoryCheck()
    {
        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(Path.Combine(_package.Root, "nowhere")));

        Assert.Equal("directory", ex.Check);
        Assert.Contains("nowhere", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingManifest_RefusedWithManifestCheck()
    {
        var ex = Refused();

        Assert.Equal("manifest", ex.Check);
        Assert.Contains(ModelPackage.ManifestFile, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"id\": \"test-credit\", ")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"id\": \"x\"}")] // valid JSON, required members missing
    public void Load_MalformedManifest_RefusedWithManifestCheck(string json)
    {
        _package.WriteManifestText(json);

        Assert.Equal("manifest", Refused().Check);
    }

    [Fact]
    public void Load_ManifestJsonNull_RefusedWithManifestCheck()
    {
        _package.WriteManifestText("null");

        Assert.Equal("manifest", Refused().Check);
    }

    [Theory]
    [InlineData("policy")]
    [InlineData("features")]
    [InlineData("variants")]
    public void Load_ManifestMemberNull_RefusedWithNamedCheck(string member)
    {
        // A required member given as null is as malformed as one left out; it must not surface as NullReferenceException.
        WriteEditedManifest(json => json[member] = null);

        var ex = Record.Exception(() => ModelPackage.Load(_package.Directory));

        Assert.IsType<ModelPackageException>(ex);
    }

    [Fact]
    public void Load_BadSchema_RefusedWithSchemaCheck()
    {
        var manifest = TestPackage.ValidManifest();
        var features = manifest.Features.ToList();
        features[TestSchemas.Checking] = features[TestSchemas.Checking] with { Codes = [] };

        var ex = RefusedWith(manifest with { Features = features });

        Assert.Equal("schema", ex.Check);
        Assert.Contains("'CHECKING'", ex.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidSchemaException>(ex.InnerException);
    }

    [Fact]
    public void Load_RequiredFeatureWithNonNumericDefault_RefusedWithSchemaCheck()
    {
        var manifest = TestPackage.ValidManifest();
        var features = manifest.Features.ToList();
        features[TestSchemas.Age] = features[TestSchemas.Age] with { Default = "unknown" };

        var ex = Record.Exception(() =>
        {
            _package.WriteManifest(manifest with { Features = features });
            ModelPackage.Load(_package.Directory);
        });

        var refused = Assert.IsType<ModelPackageException>(ex);
        Assert.Equal("schema", refused.Check);
    }

    [Fact]
    public void Load_BadPolicy_RefusedWithPolicyCheck()
    {
        var manifest = TestPackage.ValidManifest();

        var ex = RefusedWith(manifest with { Policy = manifest.Policy with { Pdo = -20 } });

        Assert.Equal("policy", ex.Check);
        Assert.Contains("policy.pdo", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReasonTableMissingFeature_RefusedWithReasonsCheck()
    {
        var manifest = TestPackage.ValidManifest();

        var ex = RefusedWith(manifest with { Reasons = manifest.Reasons.Where(r => r.Feature != "AGE").ToArray() });

        Assert.Equal("reasons", ex.Check);
        Assert.Contains("'AGE'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoVariants_RefusedWithVariantsCheck()
    {
        var ex = RefusedWith(TestPackage.ValidManifest() with { Variants = [] });

        Assert.Equal("variants", ex.Check);
    }

    [Fact]
    public void Load_VariantFileMissing_RefusedWithVariantFileCheck()
    {
        File.Delete(_package.ModelPath);

        var ex = RefusedWith(TestPackage.ValidManifest());

        Assert.Equal("variant-file", ex.Check);
        Assert.Contains(TestPackage.ModelFile, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../model.fp32.onnx")]
    [InlineData("..")]
    [InlineData("sub/model.fp32.onnx")]
    [InlineData("sub\\model.fp32.onnx")]
    [InlineData("/tmp/model.fp32.onnx")]
    public void Load_VariantFileOutsideDirectory_RefusedWithVariantFileCheck(string file)
    {
        // A real file with the right bytes sits outside the package, so only the path rule can refuse it.
        File.Copy(_package.ModelPath, Path.Combine(_package.Root, TestPackage.ModelFile));

        var ex = RefusedWith(TestPackage.ValidManifest() with { Variants = [TestPackage.ValidVariant() with { File = file }] });

        Assert.Equal("variant-file", ex.Check);
    }

    [Fact]
    public void Load_VariantSizeMismatch_RefusedWithVariantSizeCheck()
    {
        var variant = TestPackage.ValidVariant();

        var ex = RefusedWith(TestPackage.ValidManifest() with { Variants = [variant with { SizeBytes = variant.SizeBytes + 1 }] });

        Assert.Equal("variant-size", ex.Check);
    }

    [Fact]
    public void Load_OneByteChangedInModelFile_RefusedWithVariantHashCheck()
    {
        var bytes = TestPackage.ModelBytes.ToArray();
        bytes[3] ^= 0x01;
        File.WriteAllBytes(_package.ModelPath, bytes);

        var ex = RefusedWith(TestPackage.ValidManifest());

        Assert.Equal("variant-hash", ex.Check);
        Assert.Contains(ModelPackage.Sha256Of(_package.ModelPath), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UpperCaseHashInManifest_Succeeds()
    {
        var variant = TestPackage.ValidVariant();
        _package.WriteManifest(TestPackage.ValidManifest() with { Variants = [variant with { Sha256 = variant.Sha256.ToUpperInvariant() }] });

        var sut = ModelPackage.Load(_package.Directory);

        Assert.Single(sut.Manifest.Variants);
    }

    [Fact]
    public void Sha256Of_KnownContent_LowerCaseHex()
    {
        var path = Path.Combine(_package.Directory, "abc.txt");
        File.WriteAllBytes(path, "abc"u8.ToArray());

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ModelPackage.Sha256Of(path));
    }
}
