using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Competitions;

/// <summary>What a stored file is; <see cref="SystemVersion"/> is the evaluation of a new version of the system (an upload
/// of an evaluation-table competition's organizer).</summary>
public enum StoredFileKind { Training, Holdout, Model, SystemVersion }

/// <summary>
/// An uploaded or generated file kept in PostgreSQL (bytea). Its content hash (lower-case hex SHA-256) is the id the
/// scoring engine uses for models and the key of worker caches.
/// </summary>
public class StoredFile
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid CompetitionId { get; set; }

    public StoredFileKind Kind { get; set; }

    public required string FileName { get; set; }

    public required string ContentHash { get; set; }

    public long Length { get; set; }

    public required byte[] Content { get; set; }

    /// <summary>For data files: how to read them (a <c>SchemaFile</c> as JSON: schema and whether there is a header).</summary>
    public string? LoadSchemaJson { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public static StoredFile Create(Guid competitionId, StoredFileKind kind, string fileName, byte[] content, string? loadSchemaJson = null) =>
        new()
        {
            CompetitionId = competitionId,
            Kind = kind,
            FileName = fileName,
            Content = content,
            Length = content.LongLength,
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(content)),
            LoadSchemaJson = loadSchemaJson,
        };
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> e)
    {
        e.HasIndex(f => new { f.CompetitionId, f.Kind, f.ContentHash }).IsUnique();
        e.Property(f => f.Kind).HasConversion<string>().HasMaxLength(20);
        e.Property(f => f.ContentHash).HasMaxLength(64).IsFixedLength();
        e.Property(f => f.FileName).HasMaxLength(260);
        e.Property(f => f.LoadSchemaJson).HasColumnType("jsonb");
        e.HasOne<Competition>().WithMany().HasForeignKey(f => f.CompetitionId).OnDelete(DeleteBehavior.Cascade);
    }
}
