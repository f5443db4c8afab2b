using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ExpressionCanonicalForm : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Nullable: rows stored before this migration are filled at start-up by Submissions/ExpressionFormBackfill,
            // since the canonical form is the engine's parser's and SQL cannot reproduce it.
            migrationBuilder.AddColumn<string>(
                name: "CanonicalExpression",
                table: "Submissions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "ExpressionColumns",
                table: "Submissions",
                type: "text[]",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CanonicalExpression",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "ExpressionColumns",
                table: "Submissions");
        }
    }
}
