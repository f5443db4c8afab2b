using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DisplayNames : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Teams of one were named after their creator's e-mail local part: give them a neutral name (the team's
            // members can rename it), then give every user without a display name one that is not drawn from the e-mail.
            migrationBuilder.Sql(Teams.TeamMembership.RenameEmailNamedTeamsSql);
            migrationBuilder.Sql(Accounts.DisplayNames.BackfillSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
