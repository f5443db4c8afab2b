using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OrganizerCompetitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "DataSplitSeed",
                table: "Competitions",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OrganizerId",
                table: "Competitions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RewardCurrency",
                table: "Competitions",
                type: "character varying(3)",
                maxLength: 3,
                nullable: false,
                defaultValue: "USD");

            migrationBuilder.AddColumn<string>(
                name: "RulesMarkdown",
                table: "Competitions",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_Competitions_OrganizerId",
                table: "Competitions",
                column: "OrganizerId");

            migrationBuilder.AddForeignKey(
                name: "FK_Competitions_AspNetUsers_OrganizerId",
                table: "Competitions",
                column: "OrganizerId",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Competitions_AspNetUsers_OrganizerId",
                table: "Competitions");

            migrationBuilder.DropIndex(
                name: "IX_Competitions_OrganizerId",
                table: "Competitions");

            migrationBuilder.DropColumn(
                name: "DataSplitSeed",
                table: "Competitions");

            migrationBuilder.DropColumn(
                name: "OrganizerId",
                table: "Competitions");

            migrationBuilder.DropColumn(
                name: "RewardCurrency",
                table: "Competitions");

            migrationBuilder.DropColumn(
                name: "RulesMarkdown",
                table: "Competitions");
        }
    }
}
