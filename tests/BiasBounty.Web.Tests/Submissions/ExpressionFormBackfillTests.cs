using BiasBounty.Web.Demo;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BiasBounty.Web.Tests.Submissions;

public sealed class ExpressionFormBackfillTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Submit_StoresTheCanonicalExpressionAndItsColumns()
    {
        Guid id;
        await using (var scope = platform.Scope())
        {
            var user = await Arrange.UserAsync(platform.NewDb(scope), "Stored Form");
            var result = await scope.ServiceProvider.GetRequiredService<SubmitEntry>()
                .SubmitAsync(new SubmitRequest(DemoSeeder.Slug, user.Id, "  sex=='Female' and  age>=60 ", null, null));
            id = result.SubmissionId!.Value;
        }

        var stored = await ReadAsync(id);

        Assert.Equal("sex == \"Female\" and age >= 60", stored.CanonicalExpression);
        Assert.Equal("sex=='Female' and  age>=60", stored.Expression); // as written (trimmed)
        Assert.Equal(["age", "sex"], stored.ExpressionColumns!);
    }

    [Fact]
    public async Task Backfill_FillsARowStoredBeforeTheFormWasKept_AndLeavesOneThatDoesNotParse()
    {
        var old = await Arrange.DemoSubmissionAsync(platform, "Before The Migration", "race in ('White', 'Black','White') or hours-per-week > 45");
        var broken = await Arrange.DemoSubmissionAsync(platform, "Does Not Parse", "age >>= 60");
        await using (var scope = platform.Scope())
        {
            var db = platform.NewDb(scope);
            // As the migration leaves a row stored before it.
            await db.Submissions.Where(s => s.Id == old || s.Id == broken).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.CanonicalExpression, (string?)null).SetProperty(s => s.ExpressionColumns, (string[]?)null));
            Assert.Null((await ReadAsync(old)).CanonicalExpression);

            // The step as the platform registers it, run as at the next start-up.
            await scope.ServiceProvider.GetServices<IStartupStep>().OfType<ExpressionFormBackfill>().Single().RunAsync(CancellationToken.None);
        }

        var filled = await ReadAsync(old);
        Assert.Equal("race in (\"Black\", \"White\") or hours-per-week > 45", filled.CanonicalExpression);
        Assert.Equal(["hours-per-week", "race"], filled.ExpressionColumns!);
        var unparsed = await ReadAsync(broken);
        Assert.Null(unparsed.CanonicalExpression);
        Assert.Null(unparsed.ExpressionColumns);
    }

    private async Task<Submission> ReadAsync(Guid id)
    {
        await using var scope = platform.Scope();
        return await platform.NewDb(scope).Submissions.AsNoTracking().SingleAsync(s => s.Id == id);
    }
}
