using BiasBounty.Web.EndToEnd.Infrastructure;

namespace BiasBounty.Web.EndToEnd;

/// <summary>A new user registers, confirms the address from the link Development shows, and logs in.</summary>
[Collection(BrowserCollection.Name)]
public class AccountTests(BrowserFixture fixture)
{
    [Fact]
    public async Task NewUser_RegistersAndConfirms_LogsIn()
    {
        await using var session = await fixture.SessionAsync(nameof(NewUser_RegistersAndConfirms_LogsIn));
        await session.RunAsync(async page =>
        {
            var email = AccountPages.NewEmail("newcomer");
            await AccountPages.RegisterAndConfirmAsync(session, email);
            await AccountPages.LogInAsync(session, email);
            await page.GotoAsync("");
            await AccountPages.ExpectLoggedInAsync(page, email);
            await session.ShotAsync("home-logged-in");
        });
    }
}
