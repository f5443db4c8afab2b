using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Deployers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "ProtectedColumns",
                table: "Competitions",
                type: "text[]",
                nullable: false);

            migrationBuilder.CreateTable(
                name: "DeployerInvitations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    NormalizedEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    InvitedBy = table.Column<string>(type: "text", nullable: false),
                    InvitedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeployerInvitations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DeployerInvitations_AspNetUsers_InvitedBy",
                        column: x => x.InvitedBy,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_DeployerInvitations_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DeployerUploads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    OwnerId = table.Column<string>(type: "text", nullable: false),
                    FileName = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    Rows = table.Column<int>(type: "integer", nullable: false),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeployerUploads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DeployerUploads_AspNetUsers_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DeployerUploads_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReplayRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UploadId = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    OwnerId = table.Column<string>(type: "text", nullable: false),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Progress = table.Column<int>(type: "integer", nullable: false),
                    FailureReason = table.Column<string>(type: "text", nullable: true),
                    ReportJson = table.Column<string>(type: "text", nullable: true),
                    JobId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Runs = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReplayRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReplayRuns_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ReplayRuns_DeployerUploads_UploadId",
                        column: x => x.UploadId,
                        principalTable: "DeployerUploads",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DeployerInvitations_CompetitionId_NormalizedEmail",
                table: "DeployerInvitations",
                columns: new[] { "CompetitionId", "NormalizedEmail" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DeployerInvitations_InvitedBy",
                table: "DeployerInvitations",
                column: "InvitedBy");

            migrationBuilder.CreateIndex(
                name: "IX_DeployerInvitations_NormalizedEmail",
                table: "DeployerInvitations",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "IX_DeployerUploads_CompetitionId",
                table: "DeployerUploads",
                column: "CompetitionId");

            migrationBuilder.CreateIndex(
                name: "IX_DeployerUploads_ExpiresAt",
                table: "DeployerUploads",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_DeployerUploads_OwnerId_CompetitionId",
                table: "DeployerUploads",
                columns: new[] { "OwnerId", "CompetitionId" });

            migrationBuilder.CreateIndex(
                name: "IX_ReplayRuns_CompetitionId",
                table: "ReplayRuns",
                column: "CompetitionId");

            migrationBuilder.CreateIndex(
                name: "IX_ReplayRuns_OwnerId",
                table: "ReplayRuns",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_ReplayRuns_UploadId",
                table: "ReplayRuns",
                column: "UploadId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DeployerInvitations");

            migrationBuilder.DropTable(
                name: "ReplayRuns");

            migrationBuilder.DropTable(
                name: "DeployerUploads");

            migrationBuilder.DropColumn(
                name: "ProtectedColumns",
                table: "Competitions");
        }
    }
}
