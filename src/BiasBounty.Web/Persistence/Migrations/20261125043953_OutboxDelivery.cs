using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BiasBounty.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OutboxDelivery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "EmailOutbox",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "LastError",
                table: "EmailOutbox",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "NextAttemptAt",
                table: "EmailOutbox",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_EmailOutbox_Unsent",
                table: "EmailOutbox",
                column: "CreatedAt",
                filter: "\"SentAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EmailOutbox_Unsent",
                table: "EmailOutbox");

            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "EmailOutbox");

            migrationBuilder.DropColumn(
                name: "LastError",
                table: "EmailOutbox");

            migrationBuilder.DropColumn(
                name: "NextAttemptAt",
                table: "EmailOutbox");
        }
    }
}
