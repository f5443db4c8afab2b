using BiasBounty.Web.OrganizerShell;
using System.Globalization;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Organize;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Review;

/// <summary>Which audit events to list: a kind, a team or a submission, and a range of UTC days (both ends included).</summary>
public sealed record AuditFilter(string? Kind = null, Guid? TeamId = null, Guid? SubmissionId = null, DateOnly? From = null, DateOnly? To = null)
{
    /// <summary>The filter as a query string (the page's export link and the CSV endpoint read the same names).</summary>
    public string ToQuery()
    {
        var parts = new List<string>();
        if (Kind is { Length: > 0 }) parts.Add("kind=" + Uri.EscapeDataString(Kind));
        if (TeamId is { } team) parts.Add("team=" + team);
        if (SubmissionId is { } submission) parts.Add("submission=" + submission);
        if (From is { } from) parts.Add("from=" + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (To is { } to) parts.Add("to=" + to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>One audit event as the log shows it; <see cref="Actor"/> is the actor's display name, never an e-mail (null: the system).</summary>
public sealed record AuditRow(long Id, DateTimeOffset At, string Kind, string? Actor, Guid? SubmissionId, string? Team, string? From, string? To, string? Detail);

/// <summary>A page of the audit log and how many events match in all.</summary>
public sealed record AuditResults(IReadOnlyList<AuditRow> Rows, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>The audit log of one competition, newest first: every event (submissions, triage, awards, disclosure, close, holdout, payouts).</summary>
public sealed class AuditLogQuery(ApplicationDbContext db)
{
    public const int PageSize = 50;

    /// <summary>The kinds the filter offers, with a label.</summary>
    public static readonly IReadOnlyList<(string Kind, string Label)> Kinds =
    [
        (AuditEvent.SubmissionCreated, "submission created"),
        (AuditEvent.SubmissionStateChanged, "submission state"),
        (AuditEvent.ScoringRequeued, "scoring re-queued"),
        (AuditEvent.TriageChanged, "triage"),
        (AuditEvent.AwardAdjusted, "award adjusted"),
        (AuditEvent.DisclosureChanged, "disclosure"),
        (AuditEvent.CompetitionClosed, "competition closed"),
        (AuditEvent.HoldoutRefreshed, "holdout refreshed"),
        (AuditEvent.SystemVersionPublished, "system version published"),
        (AuditEvent.PayoutChanged, "payout"),
        (AuditEvent.SettingsChanged, "settings"),
        (AuditEvent.ServiceCardChanged, "service card"),
        (Teams.TeamMembership.LeftAuditKind, "team member left"),
    ];

    public async Task<AuditResults> PageAsync(Guid competitionId, AuditFilter filter, int page, CancellationToken ct = default)
    {
        var query = Filtered(competitionId, filter);
        var total = await query.CountAsync(ct);
        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pages);
        var rows = await Rows(query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Skip((page - 1) * PageSize).Take(PageSize)).ToListAsync(ct);
        return new AuditResults(rows, total, page, PageSize);
    }

    /// <summary>Every matching event, newest first, streamed (the CSV export).</summary>
    public IAsyncEnumerable<AuditRow> AllAsync(Guid competitionId, AuditFilter filter) =>
        Rows(Filtered(competitionId, filter).OrderByDescending(a => a.At).ThenByDescending(a => a.Id)).AsAsyncEnumerable();

    private IQueryable<AuditEvent> Filtered(Guid competitionId, AuditFilter filter)
    {
        var events = db.AuditEvents.AsNoTracking().Where(a => a.CompetitionId == competitionId);
        if (filter.Kind is { Length: > 0 } kind) events = events.Where(a => a.Kind == kind);
        if (filter.SubmissionId is { } submissionId) events = events.Where(a => a.SubmissionId == submissionId);
        if (filter.TeamId is { } teamId) events = events.Where(a => db.Submissions.Any(s => s.Id == a.SubmissionId && s.TeamId == teamId));
        if (filter.From is { } from) events = events.Where(a => a.At >= StartOf(from));
        if (filter.To is { } to && to < DateOnly.MaxValue) events = events.Where(a => a.At < StartOf(to.AddDays(1))); // the last day: no bound
        return events;
    }

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private IQueryable<AuditRow> Rows(IQueryable<AuditEvent> events) =>
        from a in events
        join u in db.Users on a.ActorId equals u.Id into actors
        from u in actors.DefaultIfEmpty()
        join s in db.Submissions on a.SubmissionId equals s.Id into submissions
        from s in submissions.DefaultIfEmpty()
        join t in db.Teams on s.TeamId equals t.Id into teams
        from t in teams.DefaultIfEmpty()
        select new AuditRow(a.Id, a.At, a.Kind, u == null ? null : u.DisplayName, a.SubmissionId, t == null ? null : t.Name,
            a.FromState, a.ToState, a.Detail);
}

/// <summary><c>GET /organize/{slug}/audit.csv</c>: the audit log with the page's filters, for the competition's organizer or an admin.</summary>
public static class AuditCsvExport
{
    public static IEndpointRouteBuilder MapReviewExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/organize/{slug}/audit.csv", ExportAsync).RequireAuthorization(Roles.StaffPolicy);
        return app;
    }

    /// <summary>The filters arrive as text and are parsed here, so a malformed one is a plain 400 that names it.</summary>
    private static async Task<IResult> ExportAsync(string slug, string? kind, string? team, string? submission, string? from, string? to,
        HttpContext http, ApplicationDbContext db, AuditLogQuery audit, CancellationToken ct)
    {
        var competitionId = await db.Competitions.AsNoTracking().OrganizedBy(http.User).Where(c => c.Slug == slug).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (competitionId is not { } id) return Results.NotFound();
        var errors = new List<string>();
        var filter = new AuditFilter(kind, Id(team, "team", errors), Id(submission, "submission", errors), Day(from, "from", errors), Day(to, "to", errors));
        if (errors.Count > 0) return Results.Text(string.Join("\n", errors) + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        var rows = audit.AllAsync(id, filter);
        return Results.Stream(body => WriteAsync(body, rows, ct), "text/csv; charset=utf-8", $"{slug}-audit.csv");
    }

    private static Guid? Id(string? text, string name, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Guid.TryParse(text.Trim(), out var id)) return id;
        errors.Add($"{name}: '{Shorten(text)}' is not an id (ids look like 0190c1d2-7a3b-7c4d-8e5f-0123456789ab); leave it out to export every {name}.");
        return null;
    }

    private static DateOnly? Day(string? text, string name, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors.Add($"{name}: '{Shorten(text)}' is not a date; write a UTC day as yyyy-mm-dd, e.g. 2025-01-31.");
        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>
    /// Writes the header and rows as UTF-8; a text cell a spreadsheet would run as a formula (starting with = + - @, tab or
    /// CR) gets a leading quote, which CsvHelper's injection escape does.
    /// </summary>
    public static async Task WriteAsync(Stream destination, IAsyncEnumerable<AuditRow> rows, CancellationToken ct = default)
    {
        await using var csv = CsvWriter.Create(destination, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(["at", "kind", "actor", "submission id", "team", "from", "to", "detail"]);
        await foreach (var row in rows.WithCancellation(ct))
        {
            await csv.WriteRecordAsync([
                row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), row.Kind, row.Actor,
                row.SubmissionId?.ToString(), row.Team, row.From, row.To, row.Detail,
            ], ct);
        }
        await csv.FlushAsync(ct);
    }
}
