using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ServiceCards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ServiceCardNotes",
                columns: table => new
                {
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    IntendedUse = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    OutOfScope = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    EthicalConsiderations = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Caveats = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServiceCardNotes", x => x.CompetitionId);
                    table.ForeignKey(
                        name: "FK_ServiceCardNotes_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ServiceCards",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    DocumentJson = table.Column<string>(type: "jsonb", nullable: false),
                    ProducedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ProducedBy = table.Column<string>(type: "text", nullable: true),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServiceCards", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ServiceCards_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ServiceCards_CompetitionId_Version",
                table: "ServiceCards",
                columns: new[] { "CompetitionId", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ServiceCardNotes");

            migrationBuilder.DropTable(
                name: "ServiceCards");
        }
    }
}
