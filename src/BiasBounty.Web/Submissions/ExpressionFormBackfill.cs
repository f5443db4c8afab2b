using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Submissions;

/// <summary>
/// Fills <see cref="Submission.CanonicalExpression"/> and <see cref="Submission.ExpressionColumns"/> of rows stored
/// before they were kept (migration <c>ExpressionCanonicalForm</c>), in keyset batches at start-up. The canonical form is
/// the engine's parser's, which SQL cannot reproduce, so the migration only adds the columns. A row whose expression
/// does not parse keeps both empty; readers then show the text as written and no columns, as they did before.
/// Once every row is filled a start-up costs one query.
/// </summary>
public sealed class ExpressionFormBackfill(ApplicationDbContext db, ILogger<ExpressionFormBackfill> log) : IStartupStep
{
    public const int BatchSize = 500;

    public async Task RunAsync(CancellationToken ct)
    {
        var (filled, unparsed) = (0, 0);
        Guid? after = null;
        while (true)
        {
            var query = db.Submissions.Where(s => s.CanonicalExpression == null);
            // Past the last row looked at, so a row that does not parse is not read again in this run.
            if (after is { } last) query = query.Where(s => s.Id.CompareTo(last) > 0);
            var page = await query.OrderBy(s => s.Id).Take(BatchSize).ToListAsync(ct);
            foreach (var submission in page)
            {
                if (submission.TryParseExpression()) filled++;
                else unparsed++;
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            if (page.Count < BatchSize) break;
            after = page[^1].Id;
        }
        if (filled > 0) log.LogInformation("Stored the canonical expression and its columns of {Count} earlier submissions", filled);
        if (unparsed > 0) log.LogWarning("{Count} submissions have an expression that does not parse; they keep no canonical form", unparsed);
    }
}
