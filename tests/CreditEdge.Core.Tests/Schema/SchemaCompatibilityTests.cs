using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Tests.Schema;

public sealed class SchemaCompatibilityTests
{
    private static FeatureDefinition Numeric(string name, double? min = 0, double? max = 100, bool required = true, bool whole = false, string? fallback = null) =>
        new() { Name = name, Kind = FeatureKind.Numeric, Min = min, Max = max, Required = required, WholeNumber = whole, Default = fallback };

    private static FeatureDefinition Categorical(string name, params string[] codes) =>
        new() { Name = name, Kind = FeatureKind.Categorical, Codes = codes };

    private static readonly FeatureSchema Active = new([Numeric("AGE"), Categorical("EDUCATION", "1", "2", "3")], [new NonInputField("USER_ID", FieldRole.Identifier)]);

    [Fact]
    public void Problems_SameSchema_None()
    {
        Assert.Empty(SchemaCompatibility.Problems(Active, Active));
    }

    [Fact]
    public void Problems_WiderRangesMoreCodesAndOptionalNewFeature_None()
    {
        var candidate = new FeatureSchema(
            [Numeric("AGE", min: -1, max: 200), Categorical("EDUCATION", "1", "2", "3", "4"), Numeric("LIMIT", required: false, fallback: "0")],
            [new NonInputField("USER_ID", FieldRole.Identifier)]);

        Assert.Empty(SchemaCompatibility.Problems(Active, candidate));
    }

    [Fact]
    public void Problems_NewRequiredFeature_Named()
    {
        var candidate = new FeatureSchema([Numeric("AGE"), Categorical("EDUCATION", "1", "2", "3"), Numeric("LIMIT")], [new NonInputField("USER_ID", FieldRole.Identifier)]);

        Assert.Equal(["'LIMIT' is new and required, and today's requests do not carry it (give it a default or make it optional)"], SchemaCompatibility.Problems(Active, candidate));
    }

    [Fact]
    public void Problems_RemovedCode_Named()
    {
        var candidate = new FeatureSchema([Numeric("AGE"), Categorical("EDUCATION", "1", "3")], [new NonInputField("USER_ID", FieldRole.Identifier)]);

        Assert.Equal(["'EDUCATION' no longer accepts code '2'"], SchemaCompatibility.Problems(Active, candidate));
    }

    [Fact]
    public void Problems_RemovedFeatureKindChangeNarrowedRangeWholeNumberAndLostIdentifier_AllNamed()
    {
        var candidate = new FeatureSchema([Numeric("EDUCATION", min: 1, max: 3), Numeric("SCORE", required: false, fallback: "1")]);
        var narrowed = new FeatureSchema([Numeric("AGE", min: 18, max: 99, whole: true), Categorical("EDUCATION", "1", "2", "3")], [new NonInputField("USER_ID", FieldRole.Identifier)]);

        Assert.Equal(
            [
                "'AGE' is removed, and today's requests carry it (it would be refused as an unknown field)",
                "'EDUCATION' changes from categorical to numeric",
                "'USER_ID' (identifier field) is no longer known, and today's requests may carry it",
            ],
            SchemaCompatibility.Problems(Active, candidate));
        Assert.Equal(
            ["'AGE' minimum rises from 0 to 18", "'AGE' maximum falls from 100 to 99", "'AGE' must now be a whole number"],
            SchemaCompatibility.Problems(Active, narrowed));
    }

    [Fact]
    public void Problems_FeatureMadeRequired_Named()
    {
        var active = new FeatureSchema([Numeric("AGE", required: false, fallback: "30")]);
        var candidate = new FeatureSchema([Numeric("AGE")]);

        Assert.Equal(["'AGE' becomes required, and today's requests may leave it out"], SchemaCompatibility.Problems(active, candidate));
    }
}
