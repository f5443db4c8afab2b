using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Tests.Statistics;

public class BandsTests
{
    [Theory]
    [InlineData(0.0, 0.01, PValueBand.LessThan0001)]
    [InlineData(0.000999, 0.01, PValueBand.LessThan0001)]
    [InlineData(0.001, 0.01, PValueBand.LessThan001)]
    [InlineData(0.009999, 0.01, PValueBand.LessThan001)]
    [InlineData(0.01, 0.01, PValueBand.LessThanAlpha)]
    [InlineData(0.010001, 0.01, PValueBand.NotSignificant)]
    [InlineData(0.0005, 0.0005, PValueBand.LessThan0001)]
    [InlineData(0.0006, 0.0005, PValueBand.NotSignificant)]
    [InlineData(0.005, 0.004, PValueBand.NotSignificant)]
    [InlineData(0.004, 0.004, PValueBand.LessThan001)]
    [InlineData(1.0, 0.01, PValueBand.NotSignificant)]
    [InlineData(0.03, 0.05, PValueBand.LessThanAlpha)]
    public void ForPValue_BandsTheEdges_AndNeverContradictsTheVerdict(double pValue, double alpha, PValueBand expected)
    {
        Assert.Equal(expected, Bands.ForPValue(pValue, alpha));
    }

    [Fact]
    public void ForPValue_TreatsNaNAsNotSignificant()
    {
        Assert.Equal(PValueBand.NotSignificant, Bands.ForPValue(double.NaN, 0.01));
    }

    [Theory]
    [InlineData(-0.1, 0.01, "pValue")]
    [InlineData(1.1, 0.01, "pValue")]
    [InlineData(0.5, 0.0, "alpha")]
    [InlineData(0.5, double.NaN, "alpha")]
    public void ForPValue_RejectsArgumentsOutOfRange_NamingTheParameter(double pValue, double alpha, string parameter)
    {
        Assert.Equal(parameter, Assert.Throws<ArgumentOutOfRangeException>(() => Bands.ForPValue(pValue, alpha)).ParamName);
    }

    [Theory]
    [InlineData(-0.5, EffectBand.LessThan1pp)]
    [InlineData(0.0, EffectBand.LessThan1pp)]
    [InlineData(0.0099999, EffectBand.LessThan1pp)]
    [InlineData(0.01, EffectBand.From1To2pp)]
    [InlineData(0.0199999, EffectBand.From1To2pp)]
    [InlineData(0.02, EffectBand.From2To5pp)]
    [InlineData(0.0499999, EffectBand.From2To5pp)]
    [InlineData(0.05, EffectBand.From5To10pp)]
    [InlineData(0.0999999, EffectBand.From5To10pp)]
    [InlineData(0.10, EffectBand.Over10pp)]
    [InlineData(0.85, EffectBand.Over10pp)]
    [InlineData(double.NaN, EffectBand.LessThan1pp)]
    public void ForEffect_PutsEachEdgeInTheBandAboveIt(double delta, EffectBand expected)
    {
        Assert.Equal(expected, Bands.ForEffect(delta));
    }

    [Theory]
    [InlineData(PValueBand.LessThan0001, "< 0.001")]
    [InlineData(PValueBand.LessThan001, "< 0.01")]
    [InlineData(PValueBand.LessThanAlpha, "< α_t")]
    [InlineData(PValueBand.NotSignificant, "not significant")]
    public void ToDisplayText_ShowsTheSpecLabel_ForPValueBands(PValueBand band, string expected)
    {
        Assert.Equal(expected, band.ToDisplayText());
    }

    [Theory]
    [InlineData(EffectBand.LessThan1pp, "< 1 pp")]
    [InlineData(EffectBand.From1To2pp, "1–2 pp")]
    [InlineData(EffectBand.From2To5pp, "2–5 pp")]
    [InlineData(EffectBand.From5To10pp, "5–10 pp")]
    [InlineData(EffectBand.Over10pp, "> 10 pp")]
    public void ToDisplayText_ShowsTheSpecLabel_ForEffectBands(EffectBand band, string expected)
    {
        Assert.Equal(expected, band.ToDisplayText());
    }

    [Fact]
    public void ToDisplayText_RejectsUndefinedBands()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((EffectBand)42).ToDisplayText());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((PValueBand)42).ToDisplayText());
    }
}
