using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BiasBounty.Web.Persistence;

internal static class JsonbPropertyExtensions
{
    /// <summary>Stores a value as jsonb through System.Text.Json, compared by its JSON text.</summary>
    public static PropertyBuilder<T> AsJsonb<T>(this PropertyBuilder<T> property) where T : class =>
        property.HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, ApplicationDbContext.Json),
            s => JsonSerializer.Deserialize<T>(s, ApplicationDbContext.Json)!,
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, ApplicationDbContext.Json) == JsonSerializer.Serialize(b, ApplicationDbContext.Json),
                v => JsonSerializer.Serialize(v, ApplicationDbContext.Json).GetHashCode(),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, ApplicationDbContext.Json), ApplicationDbContext.Json)!));
}
