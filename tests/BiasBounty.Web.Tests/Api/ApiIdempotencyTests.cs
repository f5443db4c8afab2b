using System.Net;
using BiasBounty.Web.Demo;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Tests.Api;

/// <summary>
/// A script that lost the answer to its submit (the web process died between storing and answering) sends it again
/// with the same Idempotency-Key and gets the submission it already made, not a second one that costs quota.
/// </summary>
public sealed class ApiIdempotencyTests(PlatformFactory platform) : IClassFixture<PlatformFactory>
{
    private const string Submissions = $"/api/v1/competitions/{DemoSeeder.Slug}/submissions";

    private static HttpRequestMessage Submit(string expression, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Submissions) { Content = ApiArrange.SubmitForm(expression) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private async Task<int> SubmissionsOfAsync(string userId)
    {
        await using var scope = platform.Scope();
        return await platform.NewDb(scope).Submissions.CountAsync(s => s.UserId == userId);
    }

    [Fact]
    public async Task SameKeyTwice_ReturnsTheFirstSubmission_AndUsesQuotaOnce()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Retrying Script");
        var client = ApiArrange.Client(platform, token);

        var first = await client.SendAsync(Submit("age >= 61", "attempt-7f3a"));
        var again = await client.SendAsync(Submit("age >= 61", "attempt-7f3a"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await ApiArrange.JsonAsync(first)).GetProperty("id").GetGuid(), (await ApiArrange.JsonAsync(again)).GetProperty("id").GetGuid());
        Assert.Equal(1, await SubmissionsOfAsync(user.Id));
    }

    [Fact]
    public async Task SameKeyAtOnce_StoresOneSubmission_AndBothAnswersNameIt()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Impatient Script");
        var client = ApiArrange.Client(platform, token);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.SendAsync(Submit("age >= 62", "burst-1"))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Single(answers.Select(a => a.Headers.Location).Distinct());
        Assert.Equal(1, await SubmissionsOfAsync(user.Id));
    }

    [Fact]
    public async Task SameKeyForADifferentSubmission_Is422_AndStoresNothing()
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Careless Script");
        var client = ApiArrange.Client(platform, token);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Submit("age >= 63", "reused"))).StatusCode);

        var other = await client.SendAsync(Submit("age >= 64", "reused"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.StartsWith("This Idempotency-Key was already used for a different submission",
            ApiArrange.FieldError(await ApiArrange.JsonAsync(other), SubmitEntry.Fields.IdempotencyKey));
        Assert.Equal(1, await SubmissionsOfAsync(user.Id));
    }

    [Fact]
    public async Task AnotherUsersKey_IsTheirsAlone()
    {
        var (_, firstToken) = await ApiArrange.UserWithTokenAsync(platform, "First Keyholder");
        var (_, secondToken) = await ApiArrange.UserWithTokenAsync(platform, "Second Keyholder");

        var mine = await ApiArrange.Client(platform, firstToken).SendAsync(Submit("age >= 65", "shared-name"));
        var theirs = await ApiArrange.Client(platform, secondToken).SendAsync(Submit("age >= 65", "shared-name"));

        Assert.Equal(HttpStatusCode.Accepted, theirs.StatusCode);
        Assert.NotEqual(mine.Headers.Location, theirs.Headers.Location);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("ключ")]
    public async Task AMalformedKey_Is400_NamingTheHeader(string key)
    {
        var (user, token) = await ApiArrange.UserWithTokenAsync(platform, "Odd Keys " + key.Length);
        var request = Submit("age >= 66", null);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var answer = await ApiArrange.Client(platform, token).SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.StartsWith("Send one Idempotency-Key header", ApiArrange.FieldError(await ApiArrange.JsonAsync(answer), SubmitEntry.Fields.IdempotencyKey));
        Assert.Equal(0, await SubmissionsOfAsync(user.Id));
    }

    [Fact]
    public async Task ATooLongKey_Is400()
    {
        var (_, token) = await ApiArrange.UserWithTokenAsync(platform, "Long Keys");
        var answer = await ApiArrange.Client(platform, token).SendAsync(Submit("age >= 67", new string('k', Submission.MaxIdempotencyKeyLength + 1)));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
    }
}
