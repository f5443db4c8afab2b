using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SystemVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A speech demo seeded before item ids existed: its table names utterance_id as the item id from now on, in the
            // published schema and in the stored files' schemas (both jsonb; a schema without the column is left alone).
            migrationBuilder.Sql("""
                UPDATE "Competitions" SET "SchemaJson" = jsonb_set("SchemaJson", '{itemIdColumn}', '"utterance_id"')
                WHERE "Slug" = 'speech-wer' AND "SchemaJson"->>'itemIdColumn' IS NULL
                  AND "SchemaJson"->'columns' @> '[{"name": "utterance_id"}]';
                UPDATE "StoredFiles" AS f SET "LoadSchemaJson" = jsonb_set(f."LoadSchemaJson", '{schema,itemIdColumn}', '"utterance_id"')
                FROM "Competitions" AS c
                WHERE c."Slug" = 'speech-wer' AND f."CompetitionId" = c."Id" AND f."Kind" IN ('Training', 'Holdout')
                  AND f."LoadSchemaJson"->'schema'->>'itemIdColumn' IS NULL
                  AND f."LoadSchemaJson"->'schema'->'columns' @> '[{"name": "utterance_id"}]';
                """);

            migrationBuilder.CreateTable(
                name: "SystemVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    FileId = table.Column<Guid>(type: "uuid", nullable: false),
                    PublishedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FeedbackLoss = table.Column<double>(type: "double precision", nullable: false),
                    ConfirmationLoss = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SystemVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SystemVersions_Competitions_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Competitions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SystemVersions_StoredFiles_FileId",
                        column: x => x.FileId,
                        principalTable: "StoredFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "FindingRetests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CompetitionId = table.Column<Guid>(type: "uuid", nullable: false),
                    SubmissionId = table.Column<Guid>(type: "uuid", nullable: false),
                    SystemVersionId = table.Column<Guid>(type: "uuid", nullable: false),
                    VersionNumber = table.Column<int>(type: "integer", nullable: false),
                    GroupRate = table.Column<double>(type: "double precision", nullable: false),
                    RestRate = table.Column<double>(type: "double precision", nullable: false),
                    Gap = table.Column<double>(type: "double precision", nullable: false),
                    GapLower = table.Column<double>(type: "double precision", nullable: false),
                    GapUpper = table.Column<double>(type: "double precision", nullable: false),
                    StillSignificant = table.Column<bool>(type: "boolean", nullable: false),
                    Result = table.Column<string>(type: "jsonb", nullable: false),
                    ReleasedGroupPercent = table.Column<double>(type: "double precision", nullable: true),
                    ReleasedRestPercent = table.Column<double>(type: "double precision", nullable: true),
                    TestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FindingRetests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FindingRetests_Submissions_SubmissionId",
                        column: x => x.SubmissionId,
                        principalTable: "Submissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_FindingRetests_SystemVersions_SystemVersionId",
                        column: x => x.SystemVersionId,
                        principalTable: "SystemVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FindingRetests_CompetitionId",
                table: "FindingRetests",
                column: "CompetitionId");

            migrationBuilder.CreateIndex(
                name: "IX_FindingRetests_SubmissionId_SystemVersionId",
                table: "FindingRetests",
                columns: new[] { "SubmissionId", "SystemVersionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FindingRetests_SystemVersionId",
                table: "FindingRetests",
                column: "SystemVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_SystemVersions_CompetitionId_Number",
                table: "SystemVersions",
                columns: new[] { "CompetitionId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SystemVersions_FileId",
                table: "SystemVersions",
                column: "FileId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FindingRetests");

            migrationBuilder.DropTable(
                name: "SystemVersions");
        }
    }
}
