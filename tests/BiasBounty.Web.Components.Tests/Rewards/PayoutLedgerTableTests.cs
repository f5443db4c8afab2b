using BiasBounty.Web.Rewards;

namespace BiasBounty.Web.Components.Tests.Rewards;

public sealed class PayoutLedgerTableTests : BunitContext
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);

    private static PayoutLine Line(string team, double points, decimal amount, PayoutState state) =>
        new(Guid.NewGuid(), Guid.NewGuid(), team, points, amount, "EUR", state, At);

    [Fact]
    public void Table_ShowsPointsAmountAndState_PerTeam_AndTheTotal()
    {
        PayoutLine[] lines = [Line("Alpha", 40, 666.67m, PayoutState.Pending), Line("Beta", 20, 333.33m, PayoutState.Paid)];

        var cut = Render<PayoutLedgerTable>(p => p.Add(x => x.Lines, lines));

        var alpha = cut.Find("tbody tr[data-team=\"Alpha\"]");
        Assert.Equal("40.0", alpha.QuerySelector("td.points")!.TextContent);
        Assert.Equal("666.67 EUR", alpha.QuerySelector("td.amount")!.TextContent);
        Assert.Equal("Pending", alpha.QuerySelector("td.state")!.TextContent);
        Assert.Equal("Paid", cut.Find("tbody tr[data-team=\"Beta\"] td.state").TextContent);
        Assert.Equal("1,000.00 EUR", cut.Find("tfoot .total-amount").TextContent);
        Assert.Contains("1 of 2 paid", cut.Find("tfoot").TextContent);
    }

    [Fact]
    public void Buttons_OfferOnlyTheNextState()
    {
        PayoutLine[] lines =
        [
            Line("Pending team", 1, 1m, PayoutState.Pending), Line("Approved team", 1, 1m, PayoutState.Approved), Line("Paid team", 1, 1m, PayoutState.Paid),
        ];

        var cut = Render<PayoutLedgerTable>(p => p.Add(x => x.Lines, lines));

        bool Enabled(string team, string button) => !cut.Find($"tr[data-team=\"{team}\"] button.{button}").HasAttribute("disabled");
        Assert.True(Enabled("Pending team", "payout-approve"));
        Assert.False(Enabled("Pending team", "payout-paid"));
        Assert.False(Enabled("Approved team", "payout-approve"));
        Assert.True(Enabled("Approved team", "payout-paid"));
        Assert.False(Enabled("Paid team", "payout-approve"));
        Assert.False(Enabled("Paid team", "payout-paid"));
    }

    [Fact]
    public void Clicking_AsksToMoveThatLine_ToTheNextState()
    {
        var line = Line("Alpha", 40, 666.67m, PayoutState.Pending);
        (PayoutLine Line, PayoutState Next)? asked = null;

        var cut = Render<PayoutLedgerTable>(p => p.Add(x => x.Lines, new[] { line }).Add(x => x.Move, m => asked = m));
        cut.Find("button.payout-approve").Click();

        Assert.Equal((line, PayoutState.Approved), asked);
    }

    [Fact]
    public void Busy_DisablesEveryButton_AndTeamNamesAreEscaped()
    {
        var cut = Render<PayoutLedgerTable>(p => p
            .Add(x => x.Lines, new[] { Line("<script>alert(1)</script>", 1, 1m, PayoutState.Pending) })
            .Add(x => x.Busy, true));

        Assert.All(cut.FindAll("button"), b => Assert.True(b.HasAttribute("disabled")));
        Assert.Empty(cut.FindAll("script"));
        Assert.Equal("<script>alert(1)</script>", cut.Find("td.team").TextContent);
    }

    [Fact]
    public void EmptyLedger_HasTheTable_WithoutRowsOrTotal()
    {
        var cut = Render<PayoutLedgerTable>(p => p.Add(x => x.Lines, Array.Empty<PayoutLine>()));

        Assert.NotNull(cut.Find("table[data-testid=\"payout-ledger\"]"));
        Assert.Empty(cut.FindAll("tbody tr"));
        Assert.Empty(cut.FindAll("tfoot"));
    }
}
