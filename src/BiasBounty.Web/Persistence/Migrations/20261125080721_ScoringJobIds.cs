using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ScoringJobIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ScoringJobId",
                table: "Submissions",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            // Submissions in flight at the upgrade have a job whose id was never recorded: mark them, so the stalled-
            // submission sweep does not give each a second job (it waits hours before treating them as stalled).
            migrationBuilder.Sql("UPDATE \"Submissions\" SET \"ScoringJobId\" = 'legacy' WHERE \"State\" IN ('Queued', 'Scoring');");

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_Unfinished",
                table: "Submissions",
                column: "CreatedAt",
                filter: "\"State\" IN ('Queued', 'Scoring')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Submissions_Unfinished",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "ScoringJobId",
                table: "Submissions");
        }
    }
}
