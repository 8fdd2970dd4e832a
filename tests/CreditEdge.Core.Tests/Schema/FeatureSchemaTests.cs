using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Tests.Schema;

public class FeatureSchemaTests
{
    private static FeatureDefinition Numeric(string name) => new() { Name = name, Kind = FeatureKind.Numeric };

    private static FeatureDefinition Categorical(string name, params string[] codes) => new() { Name = name, Kind = FeatureKind.Categorical, Codes = codes };

    private static InvalidSchemaException Rejects(params FeatureDefinition[] features) =>
        Assert.Throws<InvalidSchemaException>(() => new FeatureSchema(features));

    [Fact]
    public void Constructor_TestSchema_IndexesFeaturesInManifestOrder()
    {
        var sut = TestSchemas.Create();

        Assert.Equal(5, sut.Count);
        Assert.Equal(TestSchemas.LimitBal, sut.IndexOf("LIMIT_BAL"));
        Assert.Equal(TestSchemas.Education, sut.IndexOf("EDUCATION".AsSpan()));
        Assert.Equal(-1, sut.IndexOf("limit_bal"));
        Assert.Equal(-1, sut.IndexOf("USER_ID"));
        Assert.True(sut.IsNonInput("SEX"));
        Assert.True(sut.IsNonInput("USER_ID"));
        Assert.False(sut.IsNonInput("AGE"));
    }

    [Fact]
    public void MissingValues_TestSchema_DefaultsForOptionalFeatures()
    {
        var sut = TestSchemas.Create();

        Assert.Equal(TestSchemas.PayRatioDefault, sut.MissingValues[TestSchemas.PayRatio]);
        Assert.Equal(TestSchemas.EducationDefaultIndex, sut.MissingValues[TestSchemas.Education]);
    }

    [Fact]
    public void Constructor_DuplicateFeatureName_RejectedNamingFeature()
    {
        var ex = Rejects(Numeric("AGE"), Numeric("LIMIT_BAL"), Numeric("AGE"));

        Assert.Contains("'AGE' is defined twice", ex.Message, StringComparison.Ordinal);
        Assert.Single(ex.Problems);
    }

    [Fact]
    public void Constructor_CategoricalWithoutCodes_RejectedNamingFeature()
    {
        var ex = Rejects(new FeatureDefinition { Name = "CHECKING", Kind = FeatureKind.Categorical });

        Assert.Contains("'CHECKING' has no codes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CategoricalWithEmptyCodeList_RejectedNamingFeature()
    {
        var ex = Rejects(Categorical("CHECKING"));

        Assert.Contains("'CHECKING' has no codes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CategoricalListingCodeTwice_RejectedNamingFeature()
    {
        var ex = Rejects(Categorical("CHECKING", "A11", "A12", "A11"));

        Assert.Contains("'CHECKING' lists a code twice", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("A19")]
    [InlineData("a11")]
    [InlineData(null)]
    public void Constructor_OptionalCategoricalDefaultNotACode_RejectedNamingFeature(string? defaultCode)
    {
        var ex = Rejects(Categorical("CHECKING", "A11", "A12") with { Required = false, Default = defaultCode });

        Assert.Contains("'CHECKING' needs a default that is one of its codes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    public void Constructor_OptionalNumericWithoutFiniteDefault_RejectedNamingFeature(string? defaultValue)
    {
        var ex = Rejects(Numeric("PAY_RATIO") with { Required = false, Default = defaultValue });

        Assert.Contains("'PAY_RATIO' needs a finite numeric default", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OptionalNumericDefaultBeyondFloatRange_Rejected()
    {
        // 1e39 is a finite double, so the double-based check passes, but the model sees a float: MissingValue becomes +∞.
        var ex = Record.Exception(() => new FeatureSchema([Numeric("PAY_RATIO") with { Required = false, Default = "1e39" }]));

        var invalid = Assert.IsType<InvalidSchemaException>(ex);
        Assert.Contains("'PAY_RATIO'", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RequiredNumericWithNonNumericDefault_RejectedAsInvalidSchema()
    {
        // The default of a required feature is never used, but MissingValue parses it anyway.
        // Whatever the schema check decides, a bad schema must surface as InvalidSchemaException, not FormatException.
        var ex = Record.Exception(() => new FeatureSchema([Numeric("AGE") with { Default = "n/a" }]));

        Assert.True(ex is null or InvalidSchemaException, $"got {ex?.GetType().Name}: {ex?.Message}");
    }

    [Fact]
    public void Constructor_MinAboveMax_RejectedNamingFeature()
    {
        var ex = Rejects(Numeric("AGE") with { Min = 120, Max = 18 });

        Assert.Contains("feature 'AGE': min 120 is above max 18", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MinEqualsMax_Accepted()
    {
        var sut = new FeatureSchema([Numeric("CONST") with { Min = 1, Max = 1 }]);

        Assert.Equal(1, sut.Count);
    }

    [Fact]
    public void Constructor_NoFeatures_Rejected()
    {
        var ex = Rejects();

        Assert.Contains("no features", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NonInputNamedLikeFeature_RejectedNamingField()
    {
        var ex = Assert.Throws<InvalidSchemaException>(() =>
            new FeatureSchema([Numeric("AGE")], [new NonInputField("AGE", FieldRole.Protected)]));

        Assert.Contains("'AGE' is both a feature and a non-input field", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SeveralFaults_ReportsEveryProblem()
    {
        var ex = Rejects(
            Numeric("AGE") with { Min = 5, Max = 1 },
            Categorical("CHECKING"),
            Numeric("PAY_RATIO") with { Required = false });

        Assert.Equal(3, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Contains("'AGE'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("'CHECKING'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("'PAY_RATIO'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0f, "A11")]
    [InlineData(1f, "A12")]
    [InlineData(3f, "A14")]
    public void Describe_CategoricalIndex_ReturnsCode(float value, string expected)
    {
        Assert.Equal(expected, TestSchemas.Create().Describe(TestSchemas.Checking, value));
    }

    [Theory]
    [InlineData(4f, "4")]     // past the last code
    [InlineData(-1f, "-1")]
    [InlineData(1.5f, "1.5")] // not an index
    public void Describe_CategoricalValueNotAnIndex_ReturnsNumber(float value, string expected)
    {
        Assert.Equal(expected, TestSchemas.Create().Describe(TestSchemas.Checking, value));
    }

    [Theory]
    [InlineData(50000f, "50000")]
    [InlineData(1234.5f, "1234.5")]
    [InlineData(0.1f, "0.1")]
    [InlineData(1f, "1")] // a numeric feature's 1 is the number, even though index 1 would be a code elsewhere
    public void Describe_Numeric_ReturnsNumber(float value, string expected)
    {
        Assert.Equal(expected, TestSchemas.Create().Describe(TestSchemas.LimitBal, value));
    }
}
