using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ScoreNearDuplicateFlag : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "NearDuplicate",
                table: "Scores",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql(BiasBounty.Web.Submissions.SubmissionScore.BackfillNearDuplicateSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NearDuplicate",
                table: "Scores");
        }
    }
}
