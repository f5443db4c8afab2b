using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ReviewRewardsNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DiscloseAt",
                table: "Submissions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "DuplicateOfId",
                table: "Submissions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Triage",
                table: "Submissions",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "New");

            migrationBuilder.AddColumn<string>(
                name: "TriageNote",
                table: "Submissions",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TriagedAt",
                table: "Submissions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TriagedById",
                table: "Submissions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "WithheldReason",
                table: "Submissions",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ClosedAt",
                table: "Competitions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DisclosureEmbargoDays",
                table: "Competitions",
                type: "integer",
                nullable: false,
                defaultValue: 30);

            migrationBuilder.AddColumn<long>(
                name: "Revision",
                table: "Competitions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "ActorId",
                table: "AuditEvents",
                type: "text",
                nullable: true);

            // Submissions the engine had already answered wait for the organizer.
            migrationBuilder.Sql("""UPDATE "Submissions" SET "Triage" = 'Scored' WHERE "State" IN ('Scored', 'Failed', 'Refused')""");

            migrationBuilder.CreateTable(
                name: "AwardAdjustments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    SubmissionId = table.Column<Guid>(type: "uuid", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false),
                    Delta = table.Column<double>(type: "double precision", nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ActorId = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AwardAdjustments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AwardAdjustments_AspNetUsers_ActorId",
                        column: x => x.ActorId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AwardAdjustments_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AwardAdjustments_Submissions_SubmissionId",
                        column: x => x.SubmissionId,
                        principalTable: "Submissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AwardAdjustments_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Notifications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: true),
                    SubmissionId = table.Column<Guid>(type: "uuid", nullable: true),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Body = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Link = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReadAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notifications", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Notifications_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Payouts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    TeamId = table.Column<Guid>(type: "uuid", nullable: false),
                    Points = table.Column<double>(type: "double precision", nullable: false),
                    Amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Payouts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Payouts_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Payouts_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_CompetitionId_Triage",
                table: "Submissions",
                columns: new[] { "CompetitionId", "Triage" });

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_DuplicateOfId",
                table: "Submissions",
                column: "DuplicateOfId");

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_TriagedById",
                table: "Submissions",
                column: "TriagedById");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_CompetitionId_At",
                table: "AuditEvents",
                columns: new[] { "CompetitionId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AwardAdjustments_ActorId",
                table: "AwardAdjustments",
                column: "ActorId");

            migrationBuilder.CreateIndex(
                name: "IX_AwardAdjustments_CompetitionId_TeamId",
                table: "AwardAdjustments",
                columns: new[] { "CompetitionId", "TeamId" });

            migrationBuilder.CreateIndex(
                name: "IX_AwardAdjustments_SubmissionId",
                table: "AwardAdjustments",
                column: "SubmissionId");

            migrationBuilder.CreateIndex(
                name: "IX_AwardAdjustments_TeamId",
                table: "AwardAdjustments",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_Notifications_UserId_CreatedAt",
                table: "Notifications",
                columns: new[] { "UserId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Payouts_CompetitionId_TeamId",
                table: "Payouts",
                columns: new[] { "CompetitionId", "TeamId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Payouts_TeamId",
                table: "Payouts",
                column: "TeamId");

            migrationBuilder.AddForeignKey(
                name: "FK_Submissions_AspNetUsers_TriagedById",
                table: "Submissions",
                column: "TriagedById",
                principalTable: "AspNetUsers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Submissions_Submissions_DuplicateOfId",
                table: "Submissions",
                column: "DuplicateOfId",
                principalTable: "Submissions",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Submissions_AspNetUsers_TriagedById",
                table: "Submissions");

            migrationBuilder.DropForeignKey(
                name: "FK_Submissions_Submissions_DuplicateOfId",
                table: "Submissions");

            migrationBuilder.DropTable(
                name: "AwardAdjustments");

            migrationBuilder.DropTable(
                name: "Notifications");

            migrationBuilder.DropTable(
                name: "Payouts");

            migrationBuilder.DropIndex(
                name: "IX_Submissions_CompetitionId_Triage",
                table: "Submissions");

            migrationBuilder.DropIndex(
                name: "IX_Submissions_DuplicateOfId",
                table: "Submissions");

            migrationBuilder.DropIndex(
                name: "IX_Submissions_TriagedById",
                table: "Submissions");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_CompetitionId_At",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "DiscloseAt",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "DuplicateOfId",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "Triage",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "TriageNote",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "TriagedAt",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "TriagedById",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "WithheldReason",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "ClosedAt",
                table: "Competitions");

            migrationBuilder.DropColumn(
                name: "DisclosureEmbargoDays",
                table: "Competitions");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "Competitions");

            migrationBuilder.DropColumn(
                name: "ActorId",
                table: "AuditEvents");
        }
    }
}
