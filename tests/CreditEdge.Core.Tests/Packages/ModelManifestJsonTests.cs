using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Tests.Packages;

public class ModelManifestJsonTests
{
    private static string Serialize(ModelManifest manifest) => JsonSerializer.Serialize(manifest, PackageJson.Default.ModelManifest);

    private static ModelManifest Deserialize(string json) => JsonSerializer.Deserialize(json, PackageJson.Default.ModelManifest)!;

    [Fact]
    public void Serialize_ThenDeserialize_KeepsKeyFields()
    {
        var original = TestPackage.ValidManifest();

        var copy = Deserialize(Serialize(original));

        Assert.Equal(original.FormatVersion, copy.FormatVersion);
        Assert.Equal(original.Id, copy.Id);
        Assert.Equal(original.Version, copy.Version);
        Assert.Equal(original.Sequence, copy.Sequence);
        Assert.Equal(original.CreatedAt, copy.CreatedAt);
        Assert.Equal(original.Description, copy.Description);
        Assert.Equal(original.Policy, copy.Policy);
        Assert.Equal(original.Reasons, copy.Reasons);
        Assert.Equal(original.Variants, copy.Variants);
        Assert.Equal(original.NonInputs, copy.NonInputs);
        Assert.Equal(original.Golden, copy.Golden);
        Assert.Equal(original.Features.Count, copy.Features.Count);
        for (var i = 0; i < original.Features.Count; i++)
        {
            var (a, b) = (original.Features[i], copy.Features[i]);
            Assert.Equal((a.Name, a.Kind, a.Min, a.Max, a.WholeNumber, a.Required, a.Default, a.Description),
                         (b.Name, b.Kind, b.Min, b.Max, b.WholeNumber, b.Required, b.Default, b.Description));
            Assert.Equal(a.Codes, b.Codes);
        }
    }

    [Fact]
    public void Serialize_Enums_AsCamelCaseStrings()
    {
        var json = JsonNode.Parse(Serialize(TestPackage.ValidManifest()))!;

        var kinds = json["features"]!.AsArray().Select(f => f!["kind"]!.GetValue<string>()).ToArray();
        var roles = json["nonInputs"]!.AsArray().Select(f => f!["role"]!.GetValue<string>()).ToArray();
        Assert.Equal(["numeric", "numeric", "categorical", "numeric", "categorical"], kinds);
        Assert.Equal(["identifier", "protected"], roles);
    }

    [Fact]
    public void Serialize_PropertyNames_CamelCaseWithoutNulls()
    {
        var json = JsonNode.Parse(Serialize(TestPackage.ValidManifest()))!.AsObject();

        Assert.True(json.ContainsKey("formatVersion"));
        Assert.True(json.ContainsKey("nonInputs"));
        Assert.Equal(20, json["policy"]!["pdo"]!.GetValue<double>());
        Assert.Equal(620, json["policy"]!["approveMinScore"]!.GetValue<int>());
        Assert.Equal(TestPackage.ValidVariant().SizeBytes, json["variants"]![0]!["sizeBytes"]!.GetValue<long>());
        Assert.False(json.ContainsKey("metrics")); // null is left out
        Assert.False(json["features"]![0]!.AsObject().ContainsKey("missingValue")); // [JsonIgnore]
    }

    [Fact]
    public void Deserialize_KindGivenAsCamelCaseString_ParsesEnum()
    {
        var json = JsonNode.Parse(Serialize(TestPackage.ValidManifest()))!;
        json["features"]![0]!["kind"] = "categorical";
        json["features"]![0]!["codes"] = new JsonArray("X", "Y");

        var copy = Deserialize(json.ToJsonString());

        Assert.Equal(FeatureKind.Categorical, copy.Features[0].Kind);
        Assert.Equal(["X", "Y"], copy.Features[0].Codes!);
    }

    [Fact]
    public void Deserialize_UnknownEnumText_Throws()
    {
        var json = JsonNode.Parse(Serialize(TestPackage.ValidManifest()))!;
        json["features"]![0]!["kind"] = "ordinal";

        Assert.Throws<JsonException>(() => Deserialize(json.ToJsonString()));
    }

    [Fact]
    public void Deserialize_RequiredMemberMissing_Throws()
    {
        var json = JsonNode.Parse(Serialize(TestPackage.ValidManifest()))!.AsObject();
        json.Remove("sequence");

        Assert.Throws<JsonException>(() => Deserialize(json.ToJsonString()));
    }
}
