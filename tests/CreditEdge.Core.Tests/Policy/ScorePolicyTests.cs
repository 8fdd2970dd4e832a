using CreditEdge.Core.Policy;

namespace CreditEdge.Core.Tests.Policy;

public class ScorePolicyTests
{
    // Hand computation for Pdo 20, BaseScore 600, BaseOdds 50:
    //   factor = 20 / ln 2           = 20 / 0.693147...            = 28.853900817779...
    //   offset = 600 − factor · ln 50 = 600 − 28.8539... · 3.912023... = 487.122876204505...
    //   p = 1/51  → odds good 50  → offset + factor · ln 50  = 600
    //   p = 1/101 → odds good 100 → 600 + 20 (odds doubled)  = 620
    //   p = 1/26  → odds good 25  → 600 − 20 (odds halved)   = 580
    //   p = 1/2   → odds good 1   → offset + 0               = 487.12... → 487
    //   p = 0 → clamped to 1e-9: offset + factor · ln(999 999 999) = 487.1229 + 28.8539 · 20.7233 = 1085.07 → 1085
    //   p = 1 → clamped to 1 − 1e-9: offset − factor · ln(999 999 999)                         = −110.82 → −111
    private const double Factor = 28.853900817779268;
    private const double Offset = 487.12287620450553;

    private static ScorePolicy CreateSut(int approveMinScore = 620, int declineBelowScore = 580) => new()
    {
        Pdo = 20,
        BaseScore = 600,
        BaseOdds = 50,
        ApproveMinScore = approveMinScore,
        DeclineBelowScore = declineBelowScore,
    };

    /// <summary>Factor exactly 1 and offset exactly <paramref name="baseScore"/>: points = baseScore + ln((1 − p)/p), so p = 0.5 gives baseScore exactly.</summary>
    private static ScorePolicy UnitPolicy(double baseScore) => new()
    {
        Pdo = Math.Log(2),
        BaseScore = baseScore,
        BaseOdds = 1,
        ApproveMinScore = 0,
        DeclineBelowScore = 0,
    };

    [Fact]
    public void Factor_Pdo20_IsPdoOverLn2()
    {
        Assert.Equal(Factor, CreateSut().Factor, 1e-9);
    }

    [Fact]
    public void Offset_Pdo20Base600Odds50_MatchesHandComputation()
    {
        Assert.Equal(Offset, CreateSut().Offset, 1e-9);
    }

    [Theory]
    [InlineData(51.0, 600.0)]
    [InlineData(101.0, 620.0)]
    [InlineData(26.0, 580.0)]
    [InlineData(2.0, Offset)]
    public void Points_ProbabilityOneOverN_MatchesHandComputation(double n, double expected)
    {
        Assert.Equal(expected, CreateSut().Points(1 / n), 1e-9);
    }

    [Theory]
    [InlineData(51.0, 600)]
    [InlineData(101.0, 620)]
    [InlineData(26.0, 580)]
    [InlineData(2.0, 487)]
    public void Score_ProbabilityOneOverN_RoundsHandComputation(double n, int expected)
    {
        Assert.Equal(expected, CreateSut().Score(1 / n));
    }

    [Fact]
    public void Points_HigherProbability_FewerPoints()
    {
        var sut = CreateSut();

        Assert.True(sut.Points(0.10) < sut.Points(0.05));
        Assert.True(sut.Points(0.50) < sut.Points(0.10));
    }

    [Theory]
    [InlineData(600.4, 600)]
    [InlineData(600.6, 601)]
    [InlineData(600.5, 601)] // midpoint: away from zero (banker's rounding would give 600)
    [InlineData(-0.5, -1)]   // midpoint below zero: away from zero (banker's rounding would give 0)
    [InlineData(-2.6, -3)]
    public void Score_FractionalPoints_RoundsHalfAwayFromZero(double baseScore, int expected)
    {
        var sut = UnitPolicy(baseScore);

        Assert.Equal(baseScore, sut.Points(0.5), 1e-12);
        Assert.Equal(expected, sut.Score(0.5));
    }

    [Theory]
    [InlineData(0.0, 1085)]
    [InlineData(-0.3, 1085)]
    [InlineData(1e-12, 1085)]
    [InlineData(1.0, -111)]
    [InlineData(1.7, -111)]
    public void Score_ProbabilityAtOrBeyondZeroOrOne_ClampedToFiniteScore(double p, int expected)
    {
        var sut = CreateSut();

        Assert.True(double.IsFinite(sut.Points(p)));
        Assert.Equal(expected, sut.Score(p));
    }

    [Fact]
    public void Points_ProbabilityZero_EqualsPointsAtFloor()
    {
        var sut = CreateSut();

        Assert.Equal(sut.Points(ScorePolicy.ProbabilityFloor), sut.Points(0));
        Assert.Equal(1085.0699332553768, sut.Points(0), 1e-6);
        Assert.Equal(-110.82418084636583, sut.Points(1), 1e-3); // 1 − (1 − 1e-9) is not exactly 1e-9 in doubles
    }

    [Theory]
    [InlineData(700, Outcome.Approve)]
    [InlineData(621, Outcome.Approve)]
    [InlineData(620, Outcome.Approve)]  // at the approve cutoff
    [InlineData(619, Outcome.Refer)]
    [InlineData(600, Outcome.Refer)]
    [InlineData(580, Outcome.Refer)]    // at the decline cutoff: not declined
    [InlineData(579, Outcome.Decline)]
    [InlineData(-111, Outcome.Decline)]
    public void Decide_ScoreAroundCutoffs_GivesOutcome(int score, Outcome expected)
    {
        Assert.Equal(expected, CreateSut().Decide(score));
    }

    [Theory]
    [InlineData(601, Outcome.Approve)]
    [InlineData(600, Outcome.Approve)]
    [InlineData(599, Outcome.Decline)]
    public void Decide_EqualCutoffs_NeverRefers(int score, Outcome expected)
    {
        Assert.Equal(expected, CreateSut(approveMinScore: 600, declineBelowScore: 600).Decide(score));
    }

    [Fact]
    public void Problems_ValidPolicy_Empty()
    {
        Assert.Empty(CreateSut().Problems());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-20.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Problems_PdoNotPositiveFinite_NamesPdo(double pdo)
    {
        var problem = Assert.Single((CreateSut() with { Pdo = pdo }).Problems());

        Assert.StartsWith("policy.pdo ", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-50.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Problems_BaseOddsNotPositiveFinite_NamesBaseOdds(double baseOdds)
    {
        var problem = Assert.Single((CreateSut() with { BaseOdds = baseOdds }).Problems());

        Assert.StartsWith("policy.baseOdds ", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void Problems_BaseScoreNotFinite_NamesBaseScore(double baseScore)
    {
        var problem = Assert.Single((CreateSut() with { BaseScore = baseScore }).Problems());

        Assert.StartsWith("policy.baseScore ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_DeclineCutoffAboveApproveCutoff_NamesBoth()
    {
        var problem = Assert.Single(CreateSut(approveMinScore: 580, declineBelowScore: 620).Problems());

        Assert.Contains("policy.declineBelowScore (620)", problem, StringComparison.Ordinal);
        Assert.Contains("policy.approveMinScore (580)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_SeveralFaults_NamesEach()
    {
        var sut = CreateSut(approveMinScore: 500, declineBelowScore: 600) with { Pdo = 0, BaseOdds = -1, BaseScore = double.NaN };

        Assert.Equal(4, sut.Problems().Count);
    }
}
