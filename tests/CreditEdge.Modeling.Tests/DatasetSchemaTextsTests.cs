using System.Text.Json.Nodes;
using CreditEdge.Core.Policy;
using CreditEdge.Modeling.Data;
using CreditEdge.Modeling.Packaging;
using CreditEdge.Modeling.Tests.TestKit;
using CreditEdge.TestKit;

namespace CreditEdge.Modeling.Tests;

/// <summary>The schema's texts for people: read, checked with errors naming the column, carried into features and reasons.</summary>
public sealed class DatasetSchemaTextsTests
{
    /// <summary>The synthetic schema with <paramref name="fields"/> set on column <paramref name="column"/>.</summary>
    private static string SchemaWith(string column, JsonObject fields)
    {
        var json = JsonNode.Parse(SyntheticCredit.SchemaJson())!.AsObject();
        var target = json["columns"]!.AsArray().Single(c => (string?)c!["name"] == column)!.AsObject();
        foreach (var (key, value) in fields)
        {
            target[key] = value?.DeepClone();
        }

        return json.ToJsonString();
    }

    private static string SchemaWithAllTexts() => SchemaWith("INCOME", new JsonObject
    {
        ["label"] = "Yearly income",
        ["unit"] = "EUR",
        ["applicantText"] = "Your income",
        ["applicantTextHigh"] = "Your income is high compared with approved applicants",
        ["applicantTextLow"] = "Your income is low compared with approved applicants",
    });

    private static string Refusal(string column, JsonObject fields)
    {
        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Parse(SchemaWith(column, fields), "texts.schema.json"));
        Assert.Contains("schema 'texts.schema.json'", ex.Message, StringComparison.Ordinal);
        return ex.Message;
    }

    [Fact]
    public void Parse_EveryTextField_ReadIntoTheColumn()
    {
        var json = JsonNode.Parse(SchemaWithAllTexts())!.AsObject();
        var region = json["columns"]!.AsArray().Single(c => (string?)c!["name"] == "REGION")!.AsObject();
        region["label"] = "Region";
        region["codeLabels"] = new JsonObject { ["N"] = "North", ["E"] = "East" };
        region["applicantText"] = "Where you live";

        var schema = DatasetSchemaReader.Parse(json.ToJsonString(), "s.json");

        var income = schema.Inputs.Single(c => c.Name == "INCOME");
        Assert.Equal(
            ("Yearly income", "EUR", "Your income", "Your income is high compared with approved applicants", "Your income is low compared with approved applicants"),
            (income.Label, income.Unit, income.ApplicantText, income.ApplicantTextHigh, income.ApplicantTextLow));
        var regionColumn = schema.Inputs.Single(c => c.Name == "REGION");
        Assert.Equal(("Region", "Where you live"), (regionColumn.Label, regionColumn.ApplicantText));
        Assert.Equal(new Dictionary<string, string> { ["N"] = "North", ["E"] = "East" }, regionColumn.CodeLabels);
    }

    [Fact]
    public void ToFeatureDefinitions_CopiesLabelUnitAndCodeLabels()
    {
        var json = JsonNode.Parse(SchemaWithAllTexts())!.AsObject();
        json["columns"]![3]!["codeLabels"] = new JsonObject { ["W"] = "West" };

        var features = DatasetSchemaReader.Parse(json.ToJsonString(), "s.json").ToFeatureDefinitions();

        Assert.Equal(("Yearly income", "EUR"), (features[0].Label, features[0].Unit));
        Assert.Equal("West", features[2].CodeLabels!["W"]);
        Assert.Null(features[1].Label);
        Assert.Null(features[1].CodeLabels);
    }

    [Fact]
    public void Parse_CodeLabelForACodeNotListed_NamesColumnAndCode()
    {
        var message = Refusal("REGION", new JsonObject { ["codeLabels"] = new JsonObject { ["N"] = "North", ["X"] = "Nowhere" } });

        Assert.Contains("column 'REGION': 'codeLabels' names code 'X', which is not among its 'codes'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnitOnCategorical_NamesColumn()
    {
        var message = Refusal("REGION", new JsonObject { ["unit"] = "km" });

        Assert.Contains("column 'REGION' is categorical; 'unit' applies to numeric columns only", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CodeLabelsOnNumeric_NamesColumn()
    {
        var message = Refusal("AGE", new JsonObject { ["codeLabels"] = new JsonObject { ["18"] = "eighteen" } });

        Assert.Contains("column 'AGE' is numeric; 'codeLabels' apply to categorical columns only", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DirectionalTextOnCategorical_NamesColumn()
    {
        var message = Refusal("REGION", new JsonObject { ["applicantTextLow"] = "Your region is low" });

        Assert.Contains("column 'REGION' is categorical; 'applicantTextHigh' and 'applicantTextLow' apply to numeric columns only", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("label")]
    [InlineData("unit")]
    [InlineData("reasonText")]
    [InlineData("applicantText")]
    [InlineData("applicantTextHigh")]
    [InlineData("applicantTextLow")]
    public void Parse_TextTooLong_NamesColumnFieldAndLimit(string field)
    {
        var message = Refusal("INCOME", new JsonObject { [field] = new string('x', 201) });

        Assert.Contains($"column 'INCOME': '{field}' is 201 characters long; at most", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("label", "Yearly\nincome", "has a non-printable character U+000A")]
    [InlineData("applicantText", "Your income\u0007", "has a non-printable character U+0007")]
    [InlineData("applicantTextHigh", "  ", "is empty")]
    [InlineData("unit", "EUR ", "starts or ends with white space")]
    public void Parse_TextNotPrintable_NamesColumnFieldAndProblem(string field, string value, string problem)
    {
        var message = Refusal("INCOME", new JsonObject { [field] = value });

        Assert.Contains($"column 'INCOME': '{field}' {problem}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CodeLabelEmpty_NamesColumnAndCode()
    {
        var message = Refusal("REGION", new JsonObject { ["codeLabels"] = new JsonObject { ["N"] = "" } });

        Assert.Contains("column 'REGION': 'codeLabels' of code 'N' is empty", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TextsOnANonInputColumn_NamesColumnAndRole()
    {
        var message = Refusal("GENDER", new JsonObject { ["label"] = "Gender", ["codeLabels"] = new JsonObject { ["M"] = "Male" } });

        Assert.Contains("column 'GENDER' has role 'protected', which takes no 'label'", message, StringComparison.Ordinal);
        Assert.Contains("column 'GENDER' has role 'protected', which takes no 'codeLabels'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTextKey_Refused()
    {
        var ex = Assert.Throws<DatasetSchemaException>(() => DatasetSchemaReader.Parse(SchemaWith("INCOME", new JsonObject { ["applicantTextMiddle"] = "x" }), "s.json"));

        Assert.Contains("applicantTextMiddle", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ReasonTable_CarriesTheSchemasApplicantTexts()
    {
        using var temp = new TempDirectory("reason-texts");
        var schema = DatasetSchemaReader.Parse(SchemaWithAllTexts(), "s.json");
        var data = DatasetReader.Read(SyntheticCredit.WriteData(temp.Combine("data.csv"), 400), schema);

        var table = ReasonTableBuilder.Build(data.Train());

        var income = table.Single(r => r.Feature == "INCOME");
        Assert.Equal(
            ("Yearly income (INCOME)", "Your income", "Your income is high compared with approved applicants", "Your income is low compared with approved applicants"),
            (income.Text, income.ApplicantText, income.ApplicantTextHigh, income.ApplicantTextLow));
        var delays = table.Single(r => r.Feature == "DELAYS");
        Assert.Equal("Late payments (DELAYS)", delays.Text);
        Assert.Null(delays.ApplicantText);
    }

    [Theory]
    [InlineData("taiwan-credit.schema.json")]
    [InlineData("german-credit.schema.json")]
    public void Load_ShippedSchemas_EveryInputHasLabelAndApplicantTextAndEveryCodeAMeaning(string file)
    {
        var schema = DatasetSchemaReader.Load(Path.Combine(RepoPaths.Root, "models", "schemas", file));

        Assert.All(schema.Inputs, c =>
        {
            Assert.False(string.IsNullOrEmpty(c.Label), c.Name);
            Assert.False(string.IsNullOrEmpty(c.ApplicantText), c.Name);
            if (c.Role == ColumnRole.Categorical)
            {
                Assert.Equal(c.Codes!.Order(StringComparer.Ordinal), c.CodeLabels!.Keys.Order(StringComparer.Ordinal));
            }
        });
    }
}
