using System.Text;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Tests.Schema;

public class ScoreRequestReaderTests
{
    private const string ValidFeatures = """
        "LIMIT_BAL": 50000, "AGE": 30, "CHECKING": "A12", "PAY_RATIO": 0.5, "EDUCATION": "2"
        """;

    private static readonly FeatureSchema Schema = TestSchemas.Create();

    private sealed record Result(bool Ok, float[] Row, string? ApplicationId, List<ValidationProblem> Problems);

    private static Result Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    private static Result Read(byte[] utf8Json)
    {
        var row = new float[Schema.Count];
        Array.Fill(row, float.NaN); // a slot the reader never wrote stays NaN
        var problems = new List<ValidationProblem>();
        var ok = ScoreRequestReader.TryRead(utf8Json, Schema, row, out var id, problems);
        return new Result(ok, row, id, problems);
    }

    /// <summary>A request whose features are valid except for <paramref name="name"/>, which is given as <paramref name="rawValue"/>.</summary>
    private static string WithFeature(string name, string rawValue)
    {
        var parts = new Dictionary<string, string>
        {
            ["LIMIT_BAL"] = "50000",
            ["AGE"] = "30",
            ["CHECKING"] = "\"A12\"",
        };
        parts[name] = rawValue;
        return "{\"applicationId\": \"app-1\", \"features\": {"
            + string.Join(", ", parts.Select(p => $"\"{p.Key}\": {p.Value}")) + "}}";
    }

    private static ValidationProblem Single(Result result)
    {
        Assert.False(result.Ok);
        return Assert.Single(result.Problems);
    }

    // ---- rule: json ----

    [Fact]
    public void TryRead_MalformedJson_ReportsJsonOnBody()
    {
        var problem = Single(Read("""{"applicationId": "app-1", "features": {"LIMIT_BAL": 5""" ));

        Assert.Equal("body", problem.Field);
        Assert.Equal(ValidationRules.Json, problem.Rule);
        Assert.Null(problem.Value);
        Assert.Contains("not valid JSON", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("42")]
    [InlineData("\"features\"")]
    [InlineData("null")]
    public void TryRead_NonObjectBody_ReportsJsonOnBody(string body)
    {
        var problem = Single(Read(body));

        Assert.Equal("body", problem.Field);
        Assert.Equal(ValidationRules.Json, problem.Rule);
        Assert.Null(problem.Value);
    }

    [Fact]
    public void TryRead_EmptyBody_ReportsJsonOnBody()
    {
        var problem = Single(Read(string.Empty));

        Assert.Equal("body", problem.Field);
        Assert.Equal(ValidationRules.Json, problem.Rule);
    }

    [Fact]
    public void TryRead_SecondJsonValueAfterObject_ReportsJsonOnBody()
    {
        var result = Read("{\"features\": {" + ValidFeatures + "}} {}");

        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Field == "body" && p.Rule == ValidationRules.Json);
    }

    [Fact]
    public void TryRead_InvalidUtf8InStringValue_ReportsJsonInsteadOfThrowing()
    {
        // "applicationId": "ab<0xFF>" — not valid UTF-8. A bad body must become a 400 problem, never an exception.
        var bytes = Encoding.UTF8.GetBytes("{\"features\": {" + ValidFeatures + "}, \"applicationId\": \"ab");
        bytes = [.. bytes, 0xFF, .. "\"}"u8.ToArray()];

        var result = Read(bytes);

        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Rule == ValidationRules.Json);
    }

    [Theory]
    [InlineData("applicationId")]
    [InlineData("featureValue")]
    [InlineData("featureName")]
    [InlineData("topLevelName")]
    [InlineData("unknownFieldValue")]
    [InlineData("nameComparedWithFeatures")]
    [InlineData("nameComparedWithApplicationId")]
    public void TryRead_LoneSurrogateEscape_ReportsJsonInsteadOfThrowing(string where)
    {
        // "\ud800" is valid JSON syntax but no Unicode text: reading it as a string must become a 400 problem
        var json = where switch
        {
            "applicationId" => "{\"features\": {" + ValidFeatures + "}, \"applicationId\": \"a\\ud800b\"}",
            "featureValue" => "{\"features\": {" + ValidFeatures.Replace("\"EDUCATION\": \"2\"", "\"EDUCATION\": \"\\ud800\"", StringComparison.Ordinal) + "}}",
            "featureName" => "{\"features\": {" + ValidFeatures + ", \"X\\udc00\": 1}}",
            "topLevelName" => "{\"features\": {" + ValidFeatures + "}, \"\\ud800\": 1}",
            "nameComparedWithFeatures" => "{\"feature\\udc00\": {}, \"features\": {" + ValidFeatures + "}}",
            "nameComparedWithApplicationId" => "{\"features\": {" + ValidFeatures + "}, \"applicationI\\udc00\": \"x\"}",
            _ => "{\"features\": {" + ValidFeatures + "}, \"channel\": \"\\udfff\"}",
        };

        var result = Read(json);

        Assert.False(result.Ok);
        var problem = Assert.Single(result.Problems, p => p.Rule == ValidationRules.Json);
        Assert.Contains("Unicode", problem.Message, StringComparison.Ordinal);
    }

    // ---- rule: unknown-field ----

    [Fact]
    public void TryRead_UnknownTopLevelField_ReportsUnknownFieldWithValue()
    {
        var problem = Single(Read("{\"features\": {" + ValidFeatures + "}, \"channel\": \"kiosk-7\"}"));

        Assert.Equal("channel", problem.Field);
        Assert.Equal(ValidationRules.UnknownField, problem.Rule);
        Assert.Equal("kiosk-7", problem.Value);
    }

    [Fact]
    public void TryRead_UnknownFeature_ReportsUnknownFieldWithValue()
    {
        var problem = Single(Read(WithFeature("INCOME", "4200.5")));

        Assert.Equal("features.INCOME", problem.Field);
        Assert.Equal(ValidationRules.UnknownField, problem.Rule);
        Assert.Equal("4200.5", problem.Value);
    }

    [Fact]
    public void TryRead_UnknownFeatureWithLongName_ReportsFullName()
    {
        var name = new string('X', 200); // longer than the reader's 128-char stack buffer

        var problem = Single(Read(WithFeature(name, "1")));

        Assert.Equal("features." + name, problem.Field);
        Assert.Equal(ValidationRules.UnknownField, problem.Rule);
    }

    // ---- rule: duplicate ----

    [Fact]
    public void TryRead_DuplicateFeature_ReportsDuplicateWithSecondValue()
    {
        var problem = Single(Read("""{"features": {"LIMIT_BAL": 50000, "AGE": 30, "CHECKING": "A12", "AGE": 41}}"""));

        Assert.Equal("features.AGE", problem.Field);
        Assert.Equal(ValidationRules.Duplicate, problem.Rule);
        Assert.Equal("41", problem.Value);
    }

    [Fact]
    public void TryRead_DuplicateFeatureAfterNull_ReportsDuplicate()
    {
        // Given twice is given twice, whichever of the two is null; {"AGE": 30, "AGE": null} is reported,
        // so {"AGE": null, "AGE": 30} must be too.
        var result = Read("""{"features": {"LIMIT_BAL": 50000, "AGE": null, "CHECKING": "A12", "AGE": 30}}""");

        Assert.False(result.Ok);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("features.AGE", problem.Field);
        Assert.Equal(ValidationRules.Duplicate, problem.Rule);
    }

    [Fact]
    public void TryRead_FeaturesObjectGivenTwice_ReportsDuplicateOnFeatures()
    {
        var problem = Single(Read("{\"features\": {" + ValidFeatures + "}, \"features\": {}}"));

        Assert.Equal("features", problem.Field);
        Assert.Equal(ValidationRules.Duplicate, problem.Rule);
    }

    // ---- rule: required ----

    [Fact]
    public void TryRead_RequiredFeatureMissing_ReportsRequired()
    {
        var problem = Single(Read("""{"features": {"LIMIT_BAL": 50000, "CHECKING": "A12"}}"""));

        Assert.Equal("features.AGE", problem.Field);
        Assert.Equal(ValidationRules.Required, problem.Rule);
        Assert.Null(problem.Value);
    }

    [Fact]
    public void TryRead_FeaturesMissing_ReportsRequiredOnFeatures()
    {
        var problem = Single(Read("""{"applicationId": "app-1"}"""));

        Assert.Equal("features", problem.Field);
        Assert.Equal(ValidationRules.Required, problem.Rule);
        Assert.Null(problem.Value);
    }

    [Fact]
    public void TryRead_RequiredFeatureGivenAsNull_ReportsRequired()
    {
        var problem = Single(Read(WithFeature("AGE", "null")));

        Assert.Equal("features.AGE", problem.Field);
        Assert.Equal(ValidationRules.Required, problem.Rule);
    }

    // ---- rule: type ----

    [Fact]
    public void TryRead_NumericGivenAsString_ReportsTypeWithValue()
    {
        var problem = Single(Read(WithFeature("LIMIT_BAL", "\"50000\"")));

        Assert.Equal("features.LIMIT_BAL", problem.Field);
        Assert.Equal(ValidationRules.Type, problem.Rule);
        Assert.Equal("50000", problem.Value);
    }

    [Fact]
    public void TryRead_CategoricalGivenAsBool_ReportsTypeWithValue()
    {
        var problem = Single(Read(WithFeature("CHECKING", "true")));

        Assert.Equal("features.CHECKING", problem.Field);
        Assert.Equal(ValidationRules.Type, problem.Rule);
        Assert.Equal("true", problem.Value);
    }

    [Fact]
    public void TryRead_CategoricalGivenAsObject_ReportsTypeWithValue()
    {
        var problem = Single(Read(WithFeature("CHECKING", """{"code": "A11"}""")));

        Assert.Equal("features.CHECKING", problem.Field);
        Assert.Equal(ValidationRules.Type, problem.Rule);
        Assert.Equal("{…}", problem.Value);
    }

    [Fact]
    public void TryRead_FeaturesNotAnObject_ReportsTypeOnFeatures()
    {
        var result = Read("""{"features": [1, 2, 3]}""");

        // The required features are then reported missing as well; the type problem on 'features' comes first.
        Assert.False(result.Ok);
        var problem = result.Problems[0];
        Assert.Equal("features", problem.Field);
        Assert.Equal(ValidationRules.Type, problem.Rule);
        Assert.Equal("[…]", problem.Value);
    }

    [Fact]
    public void TryRead_ApplicationIdNotAString_ReportsTypeWithValue()
    {
        var problem = Single(Read("{\"applicationId\": 12345, \"features\": {" + ValidFeatures + "}}"));

        Assert.Equal("applicationId", problem.Field);
        Assert.Equal(ValidationRules.Type, problem.Rule);
        Assert.Equal("12345", problem.Value);
    }

    // ---- rule: finite ----

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void TryRead_NumericGivenAsNonFiniteWord_ReportsFiniteWithValue(string word)
    {
        var problem = Single(Read(WithFeature("LIMIT_BAL", $"\"{word}\"")));

        Assert.Equal("features.LIMIT_BAL", problem.Field);
        Assert.Equal(ValidationRules.Finite, problem.Rule);
        Assert.Equal(word, problem.Value);
    }

    [Fact]
    public void TryRead_NumberLiteralOverflowingDouble_ReportsFiniteWithValue()
    {
        var problem = Single(Read(WithFeature("LIMIT_BAL", "1e400")));

        Assert.Equal("features.LIMIT_BAL", problem.Field);
        Assert.Equal(ValidationRules.Finite, problem.Rule);
        Assert.Equal("1e400", problem.Value);
    }

    [Fact]
    public void TryRead_NumberBeyondFloatRange_ReportsFinite()
    {
        // 1e39 is a finite double but overflows the float the model takes. PAY_RATIO has no bounds, so range cannot catch it.
        var problem = Single(Read(WithFeature("PAY_RATIO", "1e39")));

        Assert.Equal("features.PAY_RATIO", problem.Field);
        Assert.Equal(ValidationRules.Finite, problem.Rule);
        Assert.Equal("1e39", problem.Value);
    }

    // ---- rule: range ----

    [Fact]
    public void TryRead_NumericBelowMin_ReportsRangeWithValue()
    {
        var problem = Single(Read(WithFeature("LIMIT_BAL", "-0.01")));

        Assert.Equal("features.LIMIT_BAL", problem.Field);
        Assert.Equal(ValidationRules.Range, problem.Rule);
        Assert.Equal("-0.01", problem.Value);
        Assert.Contains("between 0 and 1000000", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_NumericAboveMax_ReportsRangeWithValue()
    {
        var problem = Single(Read(WithFeature("AGE", "121")));

        Assert.Equal("features.AGE", problem.Field);
        Assert.Equal(ValidationRules.Range, problem.Rule);
        Assert.Equal("121", problem.Value);
    }

    [Theory]
    [InlineData("18", 18f)]
    [InlineData("120", 120f)]
    public void TryRead_NumericAtBound_Accepted(string raw, float expected)
    {
        var result = Read(WithFeature("AGE", raw));

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(expected, result.Row[TestSchemas.Age]);
    }

    // ---- rule: whole-number ----

    [Fact]
    public void TryRead_FractionForWholeNumberFeature_ReportsWholeNumberWithValue()
    {
        var problem = Single(Read(WithFeature("AGE", "30.5")));

        Assert.Equal("features.AGE", problem.Field);
        Assert.Equal(ValidationRules.WholeNumber, problem.Rule);
        Assert.Equal("30.5", problem.Value);
    }

    [Fact]
    public void TryRead_WholeNumberWrittenWithFractionZero_Accepted()
    {
        var result = Read(WithFeature("AGE", "30.0"));

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(30f, result.Row[TestSchemas.Age]);
    }

    // ---- rule: code ----

    [Fact]
    public void TryRead_UnknownCategoricalCode_ReportsCodeWithValue()
    {
        var problem = Single(Read(WithFeature("CHECKING", "\"A19\"")));

        Assert.Equal("features.CHECKING", problem.Field);
        Assert.Equal(ValidationRules.Code, problem.Rule);
        Assert.Equal("A19", problem.Value);
        Assert.Contains("A11, A12, A13, A14", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_CategoricalCodeDiffersOnlyInCase_ReportsCode()
    {
        var problem = Single(Read(WithFeature("CHECKING", "\"a12\"")));

        Assert.Equal(ValidationRules.Code, problem.Rule);
        Assert.Equal("a12", problem.Value);
    }

    [Fact]
    public void TryRead_CategoricalNumberNotACode_ReportsCodeWithValue()
    {
        var problem = Single(Read(WithFeature("EDUCATION", "7")));

        Assert.Equal("features.EDUCATION", problem.Field);
        Assert.Equal(ValidationRules.Code, problem.Rule);
        Assert.Equal("7", problem.Value);
    }

    // ---- rule: length ----

    [Fact]
    public void TryRead_ApplicationIdOver128Chars_ReportsLengthWithTruncatedValue()
    {
        var id = string.Concat(Enumerable.Range(0, 129).Select(i => (char)('a' + (i % 26))));

        var result = Read("{\"applicationId\": \"" + id + "\", \"features\": {" + ValidFeatures + "}}");

        var problem = Single(result);
        Assert.Equal("applicationId", problem.Field);
        Assert.Equal(ValidationRules.Length, problem.Rule);
        Assert.Equal(id[..64] + "…", problem.Value);
        Assert.Contains("129", problem.Message, StringComparison.Ordinal);
        Assert.Null(result.ApplicationId);
    }

    [Fact]
    public void TryRead_ApplicationIdOf128Chars_Accepted()
    {
        var id = new string('7', ScoreRequestReader.MaxApplicationIdLength);

        var result = Read("{\"applicationId\": \"" + id + "\", \"features\": {" + ValidFeatures + "}}");

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(id, result.ApplicationId);
    }

    // ---- several faults ----

    [Fact]
    public void TryRead_SeveralFaults_ReportsAllOfThem()
    {
        const string json = """
            {
              "applicationId": 7,
              "channel": "web",
              "features": {
                "LIMIT_BAL": "lots",
                "CHECKING": "A99",
                "PAY_RATIO": 0.1,
                "PAY_RATIO": 0.2,
                "EDUCATION": false,
                "INCOME": 1,
                "SEX": "F"
              }
            }
            """;

        var result = Read(json);

        Assert.False(result.Ok);
        var expected = new HashSet<(string, string)>
        {
            ("applicationId", ValidationRules.Type),
            ("channel", ValidationRules.UnknownField),
            ("features.LIMIT_BAL", ValidationRules.Type),
            ("features.CHECKING", ValidationRules.Code),
            ("features.PAY_RATIO", ValidationRules.Duplicate),
            ("features.EDUCATION", ValidationRules.Type),
            ("features.INCOME", ValidationRules.UnknownField),
            ("features.AGE", ValidationRules.Required),
        };
        Assert.Equal(expected, result.Problems.Select(p => (p.Field, p.Rule)).ToHashSet());
        Assert.Equal(expected.Count, result.Problems.Count);
    }

    [Fact]
    public void TryRead_NumericFaultsOfEachKind_ReportsEachOnItsField()
    {
        var result = Read("""{"features": {"LIMIT_BAL": 2000000, "AGE": 30.5, "CHECKING": "A11", "PAY_RATIO": "Infinity"}}""");

        Assert.Equal(
            new HashSet<(string, string)>
            {
                ("features.LIMIT_BAL", ValidationRules.Range),
                ("features.AGE", ValidationRules.WholeNumber),
                ("features.PAY_RATIO", ValidationRules.Finite),
            },
            result.Problems.Select(p => (p.Field, p.Rule)).ToHashSet());
    }

    // ---- happy path ----

    [Fact]
    public void TryRead_ValidRequest_FillsRowInManifestOrder()
    {
        // Given in an order unlike the manifest's; the row must follow the manifest.
        var result = Read("""
            {"features": {"EDUCATION": "1", "PAY_RATIO": 0.75, "CHECKING": "A13", "AGE": 44, "LIMIT_BAL": 120000.5},
             "applicationId": "app-42"}
            """);

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Empty(result.Problems);
        Assert.Equal("app-42", result.ApplicationId);
        Assert.Equal([120000.5f, 44f, 2f, 0.75f, 0f], result.Row);
    }

    [Theory]
    [InlineData("\"A11\"", 0f)]
    [InlineData("\"A14\"", 3f)]
    public void TryRead_CategoricalGivenAsString_MapsToCodeIndex(string raw, float expected)
    {
        var result = Read(WithFeature("CHECKING", raw));

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(expected, result.Row[TestSchemas.Checking]);
    }

    [Theory]
    [InlineData("1", 0f)]
    [InlineData("2", 1f)]
    [InlineData("\"3\"", 2f)]
    public void TryRead_CategoricalGivenAsNumber_MapsToCodeIndex(string raw, float expected)
    {
        // EDUCATION's codes are "1".."4": the number 2 is the code "2" at index 1, not the value 2.
        var result = Read(WithFeature("EDUCATION", raw));

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(expected, result.Row[TestSchemas.Education]);
    }

    [Fact]
    public void TryRead_OptionalFeaturesMissing_UseDefaults()
    {
        var result = Read("""{"features": {"LIMIT_BAL": 1000, "AGE": 25, "CHECKING": "A11"}}""");

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Null(result.ApplicationId);
        Assert.Equal(TestSchemas.PayRatioDefault, result.Row[TestSchemas.PayRatio]);
        Assert.Equal(TestSchemas.EducationDefaultIndex, result.Row[TestSchemas.Education]);
    }

    [Fact]
    public void TryRead_OptionalFeaturesGivenAsNull_UseDefaults()
    {
        var result = Read("""{"applicationId": null, "features": {"LIMIT_BAL": 1000, "AGE": 25, "CHECKING": "A11", "PAY_RATIO": null, "EDUCATION": null}}""");

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Null(result.ApplicationId);
        Assert.Equal(TestSchemas.PayRatioDefault, result.Row[TestSchemas.PayRatio]);
        Assert.Equal(TestSchemas.EducationDefaultIndex, result.Row[TestSchemas.Education]);
    }

    [Fact]
    public void TryRead_NonInputFields_AcceptedAndKeptOutOfRow()
    {
        var result = Read("""{"features": {"USER_ID": "u-9", "LIMIT_BAL": 1000, "SEX": 2, "AGE": 25, "CHECKING": "A11", "PAY_RATIO": 0.5, "EDUCATION": 3}}""");

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal([1000f, 25f, 0f, 0.5f, 2f], result.Row);
    }

    [Fact]
    public void TryRead_NonInputFieldWithObjectValue_SkippedWithoutDisturbingLaterFeatures()
    {
        var result = Read("""{"features": {"SEX": {"a": [1, 2]}, "LIMIT_BAL": 1000, "AGE": 25, "CHECKING": "A12"}}""");

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(1000f, result.Row[TestSchemas.LimitBal]);
        Assert.Equal(1f, result.Row[TestSchemas.Checking]);
    }

    [Fact]
    public void TryRead_EscapedPropertyNamesAndCodes_Understood()
    {
        // \u005f is '_', \u0041 is 'A', \u0066 is 'f'
        var result = Read("""{"\u0066eatures": {"LIMIT\u005fBAL": 1000, "AGE": 25, "CHECKING": "\u004112", "USER\u005fID": "x"}, "application\u0049d": "a-1"}""");

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal("a-1", result.ApplicationId);
        Assert.Equal(1000f, result.Row[TestSchemas.LimitBal]);
        Assert.Equal(1f, /* A12 */ result.Row[TestSchemas.Checking]);
    }

    [Fact]
    public void TryRead_EarlierProblemsInList_ReturnsTrueForValidRequest()
    {
        var row = new float[Schema.Count];
        var problems = new List<ValidationProblem> { new("other", null, "other", "from an earlier step") };

        var ok = ScoreRequestReader.TryRead(Encoding.UTF8.GetBytes("{\"features\": {" + ValidFeatures + "}}"), Schema, row, out _, problems);

        Assert.True(ok);
        Assert.Single(problems);
    }

    [Fact]
    public void TryRead_RowOfWrongLength_Throws()
    {
        var row = new float[Schema.Count + 1];

        var ex = Assert.Throws<ArgumentException>(() =>
            ScoreRequestReader.TryRead("{}"u8, Schema, row, out _, []));

        Assert.Equal("row", ex.ParamName);
    }

    [Fact]
    public void TryRead_SchemaWiderThanStackBuffer_ReportsMissingAndFillsRow()
    {
        // Over 256 features the reader rents its 'seen' flags from the array pool instead of the stack.
        var features = Enumerable.Range(0, 300)
            .Select(i => new FeatureDefinition { Name = $"F{i}", Kind = FeatureKind.Numeric, Required = i % 2 == 0, Default = i % 2 == 0 ? null : "-1" })
            .ToArray();
        var wide = new FeatureSchema(features);
        var given = string.Join(", ", Enumerable.Range(0, 300).Where(i => i != 150 && i % 2 == 0).Select(i => $"\"F{i}\": {i}"));
        var row = new float[300];
        var problems = new List<ValidationProblem>();

        var ok = ScoreRequestReader.TryRead(Encoding.UTF8.GetBytes("{\"features\": {" + given + "}}"), wide, row, out _, problems);

        Assert.False(ok);
        var problem = Assert.Single(problems);
        Assert.Equal(("features.F150", ValidationRules.Required), (problem.Field, problem.Rule));
        Assert.Equal(298f, row[298]);
        Assert.Equal(-1f, row[299]);
    }
}
