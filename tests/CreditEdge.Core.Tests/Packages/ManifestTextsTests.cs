using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Tests.Packages;

/// <summary>The texts a manifest carries for people are checked at load (check <c>texts</c>), each problem naming its feature or reason.</summary>
public sealed class ManifestTextsTests : IDisposable
{
    private readonly TestPackage _package = new();

    public void Dispose() => _package.Dispose();

    /// <summary>The valid manifest with texts on LIMIT_BAL (numeric, index 0) and CHECKING (categorical, index 2), edited as JSON.</summary>
    private void WriteManifest(Action<JsonObject>? edit = null)
    {
        var valid = TestPackage.ValidManifest();
        var features = valid.Features.ToArray();
        features[0] = features[0] with { Label = "Credit limit", Unit = "NT$" };
        features[2] = features[2] with { Label = "Checking account", CodeLabels = new Dictionary<string, string> { ["A11"] = "Overdrawn", ["A14"] = "No checking account" } };
        var reasons = valid.Reasons.ToArray();
        reasons[0] = reasons[0] with
        {
            ApplicantText = "Your credit limit",
            ApplicantTextLow = "Your credit limit is low compared with approved applicants",
            ApplicantTextHigh = "Your credit limit is high compared with approved applicants",
        };
        reasons[2] = reasons[2] with { ApplicantText = "The status of your checking account" };
        _package.WriteManifest(valid with { Features = features, Reasons = reasons });
        if (edit is not null)
        {
            var json = JsonNode.Parse(File.ReadAllText(_package.ManifestPath))!.AsObject();
            edit(json);
            _package.WriteManifestText(json.ToJsonString());
        }
    }

    private ModelPackageException Refused(Action<JsonObject> edit)
    {
        WriteManifest(edit);
        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_package.Directory));
        Assert.Equal("texts", ex.Check);
        return ex;
    }

    private static JsonObject Feature(JsonObject m, int i) => m["features"]![i]!.AsObject();

    private static JsonObject Reason(JsonObject m, int i) => m["reasons"]![i]!.AsObject();

    [Fact]
    public void Load_ValidTexts_CarriesThemThrough()
    {
        WriteManifest();

        var sut = ModelPackage.Load(_package.Directory);

        Assert.Equal(("Credit limit", "NT$"), (sut.Manifest.Features[0].Label, sut.Manifest.Features[0].Unit));
        Assert.Equal("Overdrawn", sut.Manifest.Features[2].CodeLabels!["A11"]);
        Assert.Equal("Your credit limit is low compared with approved applicants", sut.Manifest.Reasons[0].ApplicantTextLow);
    }

    [Fact]
    public void Load_CodeLabelForUnknownCode_RefusedNamingFeatureAndCode()
    {
        var ex = Refused(m => Feature(m, 2)["codeLabels"]!["A19"] = "Not a code");

        Assert.Contains("feature 'CHECKING'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("code 'A19'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CodeLabelsOnNumericFeature_Refused()
    {
        var ex = Refused(m => Feature(m, 0)["codeLabels"] = new JsonObject { ["1"] = "one" });

        Assert.Contains("feature 'LIMIT_BAL' is numeric; 'codeLabels'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnitOnCategoricalFeature_Refused()
    {
        var ex = Refused(m => Feature(m, 2)["unit"] = "DM");

        Assert.Contains("feature 'CHECKING' is categorical; 'unit'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("label", "", "is empty")]
    [InlineData("label", "Credit\nlimit", "has a non-printable character U+000A at position 7")]
    [InlineData("label", " Credit limit", "starts or ends with white space")]
    [InlineData("label", "Credit\u202Elimit", "has a non-printable character U+202E at position 7")]
    [InlineData("unit", "NT$\u0000", "has a non-printable character U+0000 at position 4")]
    public void Load_BadFeatureText_RefusedNamingFeatureAndField(string field, string value, string problem)
    {
        var ex = Refused(m => Feature(m, 0)[field] = value);

        Assert.Contains($"feature 'LIMIT_BAL': '{field}' {problem}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelTooLong_RefusedNamingLimit()
    {
        var ex = Refused(m => Feature(m, 0)["label"] = new string('x', DisplayText.MaxLabelLength + 1));

        Assert.Contains($"at most {DisplayText.MaxLabelLength}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CodeLabelEmpty_Refused()
    {
        var ex = Refused(m => Feature(m, 2)["codeLabels"]!["A11"] = "   ");

        Assert.Contains("feature 'CHECKING': 'codeLabels['A11']' is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CodeLabelNull_Refused()
    {
        WriteManifest(m => Feature(m, 2)["codeLabels"]!["A11"] = null);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_package.Directory));

        Assert.True(ex.Check is "texts" or "manifest", ex.Check);
        Assert.Contains("A11", ex.Message + ex.InnerException?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("applicantText")]
    [InlineData("applicantTextHigh")]
    [InlineData("applicantTextLow")]
    public void Load_ReasonApplicantTextTooLong_RefusedNamingReason(string field)
    {
        var ex = Refused(m => Reason(m, 0)[field] = new string('x', DisplayText.MaxReasonTextLength + 1));

        Assert.Contains($"reason 'R00' (LIMIT_BAL): '{field}' is {DisplayText.MaxReasonTextLength + 1} characters long", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DirectionalTextOnCategoricalReason_Refused()
    {
        var ex = Refused(m => Reason(m, 2)["applicantTextHigh"] = "Your checking account is high");

        Assert.Contains("reason 'R02' (CHECKING): 'applicantTextHigh' and 'applicantTextLow' apply to numeric features only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnpairedSurrogateEscapeInReasonText_RefusedAsInvalidJson()
    {
        WriteManifest(m => Reason(m, 0)["applicantText"] = "Your limit LONE is low");
        _package.WriteManifestText(File.ReadAllText(_package.ManifestPath).Replace("LONE", "\\uD800", StringComparison.Ordinal));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_package.Directory));

        Assert.Equal("manifest", ex.Check);
        Assert.Contains("is not a valid manifest", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Private \uE000 use", "has a non-printable character U+E000 at position 9")]
    [InlineData("Tab\there", "has a non-printable character U+0009 at position 4")]
    [InlineData("Zero\u200Bwidth", "has a non-printable character U+200B at position 5")]
    public void Problem_NotPrintable_SaysWhatAndWhere(string value, string expected)
    {
        Assert.Equal(expected, DisplayText.Problem(value, 200));
    }

    [Fact]
    public void Problem_UnpairedSurrogate_SaysWhere()
    {
        // built here, not in InlineData: test-case serialization would replace a lone surrogate with U+FFFD
        Assert.Equal("has an unpaired surrogate at position 12", DisplayText.Problem("Your limit " + '\uD800' + " is low", 200));
        Assert.Equal("has an unpaired surrogate at position 1", DisplayText.Problem(new string('\uDC00', 1), 200));
        Assert.Equal("has an unpaired surrogate at position 11", DisplayText.Problem("Ends high " + '\uD83D', 200));
    }

    [Theory]
    [InlineData("Your credit limit is low compared with approved applicants")]
    [InlineData("Ihr Kreditrahmen ist niedrig – verglichen mit genehmigten Anträgen")]
    [InlineData("您的信用額度較低")]
    [InlineData("Emoji ok \uD83D\uDE00")]
    public void Problem_PrintableText_IsNull(string value)
    {
        Assert.Null(DisplayText.Problem(value, 200));
    }

    [Fact]
    public void Load_FuzzedTextFields_NeverAnythingButAModelPackageException()
    {
        var random = new Random(20261203);
        var fields = new (Func<JsonObject, JsonObject> Target, string Field)[]
        {
            (m => Feature(m, 0), "label"), (m => Feature(m, 0), "unit"), (m => Feature(m, 2), "codeLabels"),
            (m => Reason(m, 0), "applicantText"), (m => Reason(m, 1), "applicantTextHigh"), (m => Reason(m, 2), "applicantTextLow"),
        };
        JsonNode?[] values =
        [
            null, 0, true, 1.5, "", "ok", new string('y', 5000), "\u0007", "\uDFFF", new JsonArray(1, "a"), new JsonObject { ["A11"] = 3 },
            new JsonObject { ["A11"] = "ok", ["A12"] = null }, new JsonObject { [""] = "empty code" }, new JsonObject { ["A11"] = new JsonObject() },
        ];
        for (var i = 0; i < 300; i++)
        {
            var (target, field) = fields[random.Next(fields.Length)];
            var value = values[random.Next(values.Length)]?.DeepClone();
            WriteManifest(m => target(m)[field] = value);

            try
            {
                _ = ModelPackage.Load(_package.Directory);
            }
            catch (ModelPackageException)
            {
            }
        }
    }
}
