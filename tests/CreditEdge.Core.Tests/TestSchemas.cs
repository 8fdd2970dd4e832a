using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Tests;

/// <summary>A small feature schema built in code, shared by the tests.</summary>
public static class TestSchemas
{
    // Manifest order; the indices are what the model row uses.
    public const int LimitBal = 0;
    public const int Age = 1;
    public const int Checking = 2;
    public const int PayRatio = 3;
    public const int Education = 4;

    public const float PayRatioDefault = 0.25f;

    /// <summary>EDUCATION defaults to code "4", the fourth code: index 3.</summary>
    public const float EducationDefaultIndex = 3;

    /// <summary>
    /// LIMIT_BAL numeric in [0, 1 000 000]; AGE whole number in [18, 120]; CHECKING categorical A11..A14;
    /// PAY_RATIO optional numeric (default 0.25); EDUCATION optional categorical with numeric-looking codes "1".."4" (default "4");
    /// USER_ID identifier and SEX protected, neither a model input.
    /// </summary>
    public static IReadOnlyList<FeatureDefinition> Features() =>
    [
        new FeatureDefinition { Name = "LIMIT_BAL", Kind = FeatureKind.Numeric, Min = 0, Max = 1_000_000, Description = "Credit limit" },
        new FeatureDefinition { Name = "AGE", Kind = FeatureKind.Numeric, Min = 18, Max = 120, WholeNumber = true },
        new FeatureDefinition { Name = "CHECKING", Kind = FeatureKind.Categorical, Codes = ["A11", "A12", "A13", "A14"] },
        new FeatureDefinition { Name = "PAY_RATIO", Kind = FeatureKind.Numeric, Required = false, Default = "0.25" },
        new FeatureDefinition { Name = "EDUCATION", Kind = FeatureKind.Categorical, Required = false, Default = "4", Codes = ["1", "2", "3", "4"] },
    ];

    public static IReadOnlyList<NonInputField> NonInputs() =>
    [
        new NonInputField("USER_ID", FieldRole.Identifier),
        new NonInputField("SEX", FieldRole.Protected),
    ];

    public static FeatureSchema Create() => new(Features(), NonInputs());
}
