using CreditEdge.Core.Policy;

namespace CreditEdge.Core.Tests.Policy;

public class ReasonAttributionTests
{
    private static ReasonCode Row(string feature, float reference) =>
        new() { Code = "R-" + feature, Feature = feature, Text = "Text for " + feature, Reference = reference };

    /// <summary>Features F0..F{n-1}, reference value of Fi = 10·(i+1); the table is given in reverse order on purpose.</summary>
    private static ReasonAttribution CreateSut(int features)
    {
        var order = Enumerable.Range(0, features).Select(i => $"F{i}").ToArray();
        var table = order.Select((f, i) => Row(f, 10 * (i + 1))).Reverse().ToArray();
        return new ReasonAttribution(order, table);
    }

    /// <summary>Batch probabilities with p(applicant) = 0.5 and p(row i+1) = 0.5 − contribution[i].</summary>
    private static float[] Probabilities(params float[] contributions) =>
        [0.5f, .. contributions.Select(c => 0.5f - c)];

    private static string[] Selected(ReasonAttribution sut, float[] probabilities, int capacity = ReasonAttribution.MaxReasons)
    {
        var reasons = new Reason[capacity];
        var count = sut.Select(probabilities, reasons);
        return reasons[..count].Select(r => r.Feature).ToArray();
    }

    [Fact]
    public void Constructor_TableMissingFeature_ThrowsNamingFeature()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new ReasonAttribution(["F0", "F1", "F2"], [Row("F0", 1), Row("F2", 3)]));

        Assert.Contains("'F1'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("table", ex.ParamName);
    }

    [Fact]
    public void Constructor_ThreeFeatures_BatchHasFourRows()
    {
        var sut = CreateSut(3);

        Assert.Equal(3, sut.FeatureCount);
        Assert.Equal(4, sut.BatchRows);
    }

    [Fact]
    public void FillBatch_ThreeFeatures_ApplicantThenOneSubstitutionPerRow()
    {
        var sut = CreateSut(3);
        var batch = new float[sut.BatchRows * sut.FeatureCount];

        sut.FillBatch([1, 2, 3], batch);

        Assert.Equal(
            [
                1, 2, 3,    // row 0: the applicant
                10, 2, 3,   // row 1: F0 set to its reference
                1, 20, 3,   // row 2: F1 set to its reference
                1, 2, 30,   // row 3: F2 set to its reference
            ],
            batch);
    }

    [Fact]
    public void FillBatch_ReusedBuffer_OverwritesPreviousApplicant()
    {
        var sut = CreateSut(2);
        var batch = new float[sut.BatchRows * sut.FeatureCount];
        sut.FillBatch([7, 8], batch);

        sut.FillBatch([1, 2], batch);

        Assert.Equal([1, 2, 10, 2, 1, 20], batch);
    }

    [Fact]
    public void Select_MoreThanFourPositive_PicksLargestFourDescending()
    {
        var sut = CreateSut(6);

        var features = Selected(sut, Probabilities(0.10f, 0.30f, -0.20f, 0.20f, 0.05f, 0.25f));

        Assert.Equal(["F1", "F5", "F3", "F0"], features);
    }

    [Fact]
    public void Select_LargestLast_StillFirst()
    {
        var sut = CreateSut(6);

        var features = Selected(sut, Probabilities(0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.40f));

        Assert.Equal(["F5", "F4", "F3", "F2"], features);
    }

    [Fact]
    public void Select_NegativeZeroAndTinyContributions_Ignored()
    {
        var sut = CreateSut(5);

        // F2's contribution (about 1e-7) is below MinContribution (1e-6): noise, not a reason.
        var features = Selected(sut, Probabilities(-0.1f, 0f, 1e-7f, 0.2f, -1e-7f));

        Assert.Equal(["F3"], features);
    }

    [Fact]
    public void Select_EqualContributions_ManifestOrder()
    {
        var sut = CreateSut(6);

        var features = Selected(sut, Probabilities(0.1f, 0.2f, 0.1f, 0.2f, 0.1f, 0.1f));

        Assert.Equal(["F1", "F3", "F0", "F2"], features);
    }

    [Fact]
    public void Select_AllEqual_FirstFourInManifestOrder()
    {
        var sut = CreateSut(6);

        var features = Selected(sut, Probabilities(0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f));

        Assert.Equal(["F0", "F1", "F2", "F3"], features);
    }

    [Fact]
    public void Select_NothingRaisedRisk_ReturnsZero()
    {
        var sut = CreateSut(3);
        var reasons = new Reason[ReasonAttribution.MaxReasons];

        var count = sut.Select(Probabilities(-0.1f, 0f, -0.3f), reasons);

        Assert.Equal(0, count);
        Assert.All(reasons, r => Assert.Null(r));
    }

    [Fact]
    public void Select_NaNProbability_Ignored()
    {
        var sut = CreateSut(3);

        var features = Selected(sut, [0.5f, float.NaN, 0.4f, float.NaN]);

        Assert.Equal(["F1"], features);
    }

    [Fact]
    public void Select_ShortOutputSpan_WritesOnlyWhatFits()
    {
        var sut = CreateSut(5);

        var features = Selected(sut, Probabilities(0.1f, 0.2f, 0.3f, 0.4f, 0.5f), capacity: 2);

        Assert.Equal(["F4", "F3"], features);
    }

    [Fact]
    public void Select_Reason_CarriesCodeFeatureAndTextFromTable()
    {
        var sut = CreateSut(3);
        var reasons = new Reason[ReasonAttribution.MaxReasons];

        var count = sut.Select(Probabilities(0f, 0.3f, 0f), reasons);

        Assert.Equal(1, count);
        Assert.Equal(new Reason("R-F1", "F1", "Text for F1"), reasons[0]);
    }

    /// <summary>F0 (reference 10) with all three applicant texts, F1 (reference 20) with only the general one, F2 (reference 30) with none.</summary>
    private static ReasonAttribution CreateDirectionalSut() => new(
        ["F0", "F1", "F2"],
        [
            Row("F0", 10) with { ApplicantText = "F0 plain", ApplicantTextHigh = "F0 is high", ApplicantTextLow = "F0 is low" },
            Row("F1", 20) with { ApplicantText = "F1 plain" },
            Row("F2", 30),
        ]);

    private static Reason[] SelectedFor(ReasonAttribution sut, float[] applicant)
    {
        var reasons = new Reason[ReasonAttribution.MaxReasons];
        var count = sut.Select(applicant, Probabilities(0.3f, 0.2f, 0.1f), reasons);
        return reasons[..count];
    }

    [Theory]
    [InlineData(25f, "F0 is high")]
    [InlineData(5f, "F0 is low")]
    [InlineData(10f, "F0 plain")]
    public void Select_WithApplicant_PicksTextByDirectionAgainstReference(float value, string expected)
    {
        var reasons = SelectedFor(CreateDirectionalSut(), [value, 20, 30]);

        Assert.Equal(new Reason("R-F0", "F0", "Text for F0", expected), reasons[0]);
    }

    [Theory]
    [InlineData(99f)]
    [InlineData(1f)]
    public void Select_NoDirectionalText_FallsBackToApplicantText(float value)
    {
        var reasons = SelectedFor(CreateDirectionalSut(), [10, value, 30]);

        Assert.Equal(new Reason("R-F1", "F1", "Text for F1", "F1 plain"), reasons[1]);
    }

    [Fact]
    public void Select_NoApplicantTextAtAll_LeavesItNullSoTheStaffTextServes()
    {
        var reasons = SelectedFor(CreateDirectionalSut(), [10, 20, 31]);

        Assert.Equal(new Reason("R-F2", "F2", "Text for F2"), reasons[2]);
        Assert.Null(reasons[2].ApplicantText);
    }

    [Fact]
    public void Select_WithoutApplicant_GivesTheDirectionFreeText()
    {
        var reasons = new Reason[ReasonAttribution.MaxReasons];

        var count = CreateDirectionalSut().Select(Probabilities(0.3f, 0f, 0f), reasons);

        Assert.Equal(1, count);
        Assert.Equal("F0 plain", reasons[0].ApplicantText);
    }

    [Fact]
    public void Select_ApplicantRowOfWrongLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CreateDirectionalSut().Select([1f, 2f], Probabilities(0.3f, 0.2f, 0.1f), new Reason[4]));

        Assert.Equal("applicant", ex.ParamName);
    }
}
