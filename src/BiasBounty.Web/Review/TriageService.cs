using System.Globalization;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Notifications;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Rewards;
using BiasBounty.Web.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Review;

/// <summary>An organizer's decision on one submission: the new state, the note for the team, and (for a duplicate) the original.</summary>
public sealed record TriageDecision(TriageState To, string? Note, Guid? DuplicateOfId = null);

/// <summary>What an organizer action did: <see cref="Ok"/> and a message to show (the friendly reason when refused).</summary>
public sealed record ReviewOutcome(bool Ok, string Message)
{
    public static ReviewOutcome Refused(string message) => new(false, message);
}

/// <summary>A submission a bulk decision left alone, and why.</summary>
public sealed record SkippedSubmission(Guid SubmissionId, string Reason);

/// <summary>What a bulk decision did: the submissions it changed and those it skipped.</summary>
public sealed record BulkOutcome(IReadOnlyList<Guid> Changed, IReadOnlyList<SkippedSubmission> Skipped, string? Refusal = null)
{
    public string Message => Refusal ?? (Changed.Count == 1 ? "1 submission changed" : $"{Changed.Count} submissions changed")
        + (Skipped.Count == 0 ? "." : $"; {Skipped.Count} skipped: " + string.Join("; ", Skipped.Select(s => $"{s.SubmissionId}: {s.Reason}")));
}

/// <summary>
/// Every organizer decision on a submission: triage, award adjustments and disclosure. Each one is validated, then the
/// submission, its audit event, the team's notification (and e-mail) and the public revision bump are saved in one
/// transaction, so the public pages, the team and the audit log never disagree.
/// </summary>
public sealed class TriageService(ApplicationDbContext db, Notifier notifier, TimeProvider time)
{
    /// <summary>The decisions an organizer can make (New and Scored belong to the engine).</summary>
    public static readonly IReadOnlyList<TriageState> Decisions =
        [TriageState.Approved, TriageState.Duplicate, TriageState.NeedsMoreInfo, TriageState.Disqualified];

    /// <summary>The decisions that can be applied to many submissions at once (a duplicate needs its own original).</summary>
    public static readonly IReadOnlyList<TriageState> BulkDecisions =
        [TriageState.Approved, TriageState.NeedsMoreInfo, TriageState.Disqualified];

    /// <summary>Largest award adjustment, either way, in points.</summary>
    public const double MaxAdjustment = 1000;

    public Task<ReviewOutcome> DecideAsync(Guid competitionId, Guid submissionId, TriageDecision decision, string actorId, CancellationToken ct = default) =>
        ChangeOneAsync(competitionId, submissionId, async (competition, submission, _) =>
        {
            if ((ValidateDecision(decision.To, decision.Note, competition) ?? await ValidateOnAsync(submission, decision, ct)) is { } refusal)
                return ReviewOutcome.Refused(refusal);
            await ApplyAsync(submission, competition, decision, actorId, ct);
            return new ReviewOutcome(true, $"Marked {decision.To.Label()}; the team has been told.");
        }, ct);

    /// <summary>The same decision on several submissions, in one transaction; those it cannot apply to are skipped with the reason.</summary>
    public async Task<BulkOutcome> DecideManyAsync(Guid competitionId, IReadOnlyCollection<Guid> submissionIds, TriageState to, string? note,
        string actorId, CancellationToken ct = default)
    {
        if (submissionIds.Count == 0) return new BulkOutcome([], [], "Select at least one submission.");
        if (!BulkDecisions.Contains(to)) return new BulkOutcome([], [], "Choose Approved, Needs more info or Disqualified for a bulk decision.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CompetitionLock.AcquireAsync(db, competitionId, ct); // the close cannot slip in between this check and the save
        var competition = await db.Competitions.AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, ct);
        if (competition is null) return new BulkOutcome([], [], "There is no such competition.");
        if (ValidateDecision(to, note, competition) is { } refusal) return new BulkOutcome([], [], refusal);

        var found = (await LockAsync(submissionIds, competitionId, ct)).ToDictionary(s => s.Id);
        var changed = new List<Guid>();
        var skipped = new List<SkippedSubmission>();
        var decision = new TriageDecision(to, note);
        foreach (var id in submissionIds.Distinct())
        {
            if (!found.TryGetValue(id, out var submission)) skipped.Add(new SkippedSubmission(id, "not a submission of this competition"));
            else if (submission.Triage == to) skipped.Add(new SkippedSubmission(id, $"already {to.Label()}"));
            else if (await ValidateOnAsync(submission, decision, ct) is { } reason) skipped.Add(new SkippedSubmission(id, reason));
            else
            {
                await ApplyAsync(submission, competition, decision, actorId, ct);
                changed.Add(id);
            }
        }
        if (changed.Count > 0) await PublicRevision.BumpAsync(db, competitionId, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new BulkOutcome(changed, skipped);
    }

    /// <summary>Adds <paramref name="delta"/> points (rounded to one decimal) to a submission, with the written reason.</summary>
    public async Task<ReviewOutcome> AdjustAwardAsync(Guid competitionId, Guid submissionId, double delta, string? reason, string actorId, CancellationToken ct = default)
    {
        var rounded = Math.Round(delta, 1, MidpointRounding.AwayFromZero);
        if (!double.IsFinite(delta) || rounded == 0) return ReviewOutcome.Refused("Enter a number of points other than 0 (negative to remove points).");
        if (Math.Abs(rounded) > MaxAdjustment) return ReviewOutcome.Refused($"An adjustment can be at most {MaxAdjustment:N0} points either way.");
        if (NoteRefusal(reason, "a reason for the adjustment", AwardAdjustment.MaxReasonLength) is { } bad) return ReviewOutcome.Refused(bad);

        var text = reason!.Trim();
        return await ChangeOneAsync(competitionId, submissionId, async (competition, submission, now) =>
        {
            if (competition.Status == CompetitionStatus.Closed) return ReviewOutcome.Refused("The competition is closed: its points are final.");
            if (!submission.IsFinished) return ReviewOutcome.Refused("The submission has not been scored yet.");
            // Points live on the verdict, and a forfeited submission counts nothing: an adjustment there would be lost.
            if (!await db.Scores.AnyAsync(x => x.SubmissionId == submission.Id, ct))
                return ReviewOutcome.Refused("The submission has no verdict (scoring failed), so it has no points to adjust.");
            if (submission.Triage.ForfeitsPoints())
                return ReviewOutcome.Refused($"The submission is triaged {submission.Triage.Label()} and counts no points; change its triage first.");
            db.AwardAdjustments.Add(new AwardAdjustment
            {
                CompetitionId = competitionId, SubmissionId = submission.Id, TeamId = submission.TeamId, Delta = rounded, Reason = text, ActorId = actorId, At = now,
            });
            var points = Points(rounded);
            Audit(submission, AuditEvent.AwardAdjusted, actorId, $"{points}: {text}", now);
            await notifier.TellTeamAsync(submission.TeamId, new TeamMessage(competitionId, submission.Id, Notification.Reward,
                $"Points adjusted on your submission ({points})", $"{points} on \"{submission.Expression}\": {text}", $"submissions/{submission.Id}"), ct);
            return new ReviewOutcome(true, $"Adjusted by {points}; the team has been told.");
        }, ct);
    }

    /// <summary>Makes an approved finding public now (ending its embargo, and any withholding).</summary>
    public Task<ReviewOutcome> DiscloseNowAsync(Guid competitionId, Guid submissionId, string actorId, CancellationToken ct = default) =>
        ChangeDisclosureAsync(competitionId, submissionId, actorId, (submission, _, now) =>
        {
            if (submission.IsDisclosed(now)) return (null, "It is already public.");
            submission.DiscloseAt = now;
            submission.WithheldReason = null;
            return ("Disclosed now", null);
        }, ct);

    /// <summary>Keeps an approved finding from the public (e.g. the model owner needs longer to fix it), with the written reason.</summary>
    public Task<ReviewOutcome> WithholdAsync(Guid competitionId, Guid submissionId, string? reason, string actorId, CancellationToken ct = default)
    {
        if (NoteRefusal(reason, "why the finding is withheld", Submission.MaxNoteLength) is { } bad) return Task.FromResult(ReviewOutcome.Refused(bad));
        var text = reason!.Trim();
        return ChangeDisclosureAsync(competitionId, submissionId, actorId, (submission, _, _) =>
        {
            submission.WithheldReason = text; // DiscloseAt stays: it is the date the team was promised, kept for the undo
            return ($"Withheld: {text}", null);
        }, ct);
    }

    /// <summary>
    /// Ends a withholding. The finding goes public on the date the team was promised at approval (kept through the
    /// withholding, whatever the embargo setting is now), or now when that date has passed: withholding can delay a
    /// disclosure but never shortens or lengthens the promised embargo.
    /// </summary>
    public Task<ReviewOutcome> UndoWithholdAsync(Guid competitionId, Guid submissionId, string actorId, CancellationToken ct = default) =>
        ChangeDisclosureAsync(competitionId, submissionId, actorId, (submission, competition, now) =>
        {
            if (submission.WithheldReason is null) return (null, "It is not withheld.");
            submission.WithheldReason = null;
            // Rows withheld before the promise was kept have no date: the embargo from the approval stands in for it.
            var promised = submission.DiscloseAt ?? EmbargoEnd(submission.TriagedAt ?? now, competition);
            submission.DiscloseAt = promised > now ? promised : now;
            return (submission.DiscloseAt > now ? $"No longer withheld; embargoed until {DisplayTime.Utc(submission.DiscloseAt.Value)}" : "No longer withheld; disclosed now", null);
        }, ct);

    public static DateTimeOffset EmbargoEnd(DateTimeOffset approvedAt, Competition competition) => approvedAt.AddDays(competition.DisclosureEmbargoDays);

    /// <summary>Points with their sign and one decimal: "+2.5 points", "-1.0 points".</summary>
    public static string Points(double delta) => delta.ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + " points";

    private Task<ReviewOutcome> ChangeDisclosureAsync(Guid competitionId, Guid submissionId, string actorId,
        Func<Submission, Competition, DateTimeOffset, (string? Detail, string? Refusal)> change, CancellationToken ct) =>
        ChangeOneAsync(competitionId, submissionId, async (competition, submission, now) =>
        {
            if (submission.Triage != TriageState.Approved) return ReviewOutcome.Refused("Only an approved finding can be disclosed or withheld.");
            var (detail, refusal) = change(submission, competition, now);
            if (refusal is not null || detail is null) return ReviewOutcome.Refused(refusal ?? "Nothing to change.");
            Audit(submission, AuditEvent.DisclosureChanged, actorId, detail, now);
            if (submission.IsDisclosed(now)) submission.DisclosureNoticeSentAt ??= now; // this notice says so
            await notifier.TellTeamAsync(submission.TeamId, new TeamMessage(competitionId, submission.Id, Notification.Disclosure,
                "Disclosure of your finding changed", $"\"{submission.Expression}\": {detail}.", $"submissions/{submission.Id}"), ct);
            return new ReviewOutcome(true, detail + ".");
        }, ct);

    /// <summary>
    /// One organizer action on one submission: in a transaction, with the submission locked, <paramref name="change"/>
    /// validates and makes its changes; when it succeeds the revision is bumped and everything is saved at once.
    /// </summary>
    private async Task<ReviewOutcome> ChangeOneAsync(Guid competitionId, Guid submissionId,
        Func<Competition, Submission, DateTimeOffset, Task<ReviewOutcome>> change, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CompetitionLock.AcquireAsync(db, competitionId, ct); // the close cannot slip in between this check and the save
        var competition = await db.Competitions.AsNoTracking().SingleOrDefaultAsync(c => c.Id == competitionId, ct);
        if (competition is null) return ReviewOutcome.Refused("There is no such competition.");
        var submission = (await LockAsync([submissionId], competitionId, ct)).SingleOrDefault();
        if (submission is null) return ReviewOutcome.Refused("There is no such submission in this competition.");
        var outcome = await change(competition, submission, time.GetUtcNow());
        if (!outcome.Ok) return outcome;
        await PublicRevision.BumpAsync(db, competitionId, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return outcome;
    }

    /// <summary>The rules that do not depend on the submission: a real decision, a note, an open competition.</summary>
    private static string? ValidateDecision(TriageState to, string? note, Competition competition)
    {
        if (!Decisions.Contains(to)) return "Choose Approved, Duplicate, Needs more info or Disqualified.";
        if (NoteRefusal(note, "a note for the team", Submission.MaxNoteLength) is { } bad) return bad;
        if (competition.Status == CompetitionStatus.Closed) return "The competition is closed: its triage is final.";
        return null;
    }

    /// <summary>The rules on this submission: it is finished, and a duplicate names an earlier submission of the same competition.</summary>
    private async Task<string?> ValidateOnAsync(Submission submission, TriageDecision decision, CancellationToken ct)
    {
        if (!submission.IsFinished) return "not scored yet (only finished submissions can be triaged)";
        if (decision.To == TriageState.Approved && !await db.Scores.AnyAsync(x => x.SubmissionId == submission.Id, ct))
            return "it has no verdict (scoring failed), so there is nothing to approve";
        if (decision.To != TriageState.Duplicate) return null;
        if (decision.DuplicateOfId is not { } originalId) return "Choose the earlier submission this one duplicates.";
        var original = await db.Submissions.AsNoTracking().Where(s => s.Id == originalId)
            .Select(s => new { s.CompetitionId, s.CreatedAt }).SingleOrDefaultAsync(ct);
        if (original is null || original.CompetitionId != submission.CompetitionId) return "The original must be a submission of the same competition.";
        if (originalId == submission.Id || original.CreatedAt >= submission.CreatedAt) return "The original must be an earlier submission than this one.";
        return null;
    }

    private async Task ApplyAsync(Submission submission, Competition competition, TriageDecision decision, string actorId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var from = submission.Triage;
        var note = decision.Note!.Trim();
        submission.Triage = decision.To;
        submission.TriageNote = note;
        submission.TriagedAt = now;
        submission.TriagedById = actorId;
        submission.DuplicateOfId = decision.To == TriageState.Duplicate ? decision.DuplicateOfId : null;
        // A new approval starts the embargo (a withheld finding keeps waiting, its date kept for the undo); leaving
        // Approved takes it off the public pages.
        if (decision.To == TriageState.Approved && from != TriageState.Approved)
            submission.DiscloseAt = EmbargoEnd(now, competition);
        else if (decision.To != TriageState.Approved)
            submission.DiscloseAt = null;

        var to = decision.To == TriageState.Duplicate ? $"Duplicate of {decision.DuplicateOfId}" : decision.To.Label();
        Audit(submission, AuditEvent.TriageChanged, actorId, $"{from.Label()} → {to}: {note}", now);
        await notifier.TellTeamAsync(submission.TeamId, new TeamMessage(competition.Id, submission.Id, Notification.Triage,
            TitleFor(decision.To), $"\"{submission.Expression}\" is now {decision.To.Label()}.{DisclosureText(submission)} The organizer's note: {note}",
            $"submissions/{submission.Id}"), ct);
    }

    /// <summary>An approval tells the team when its finding goes public (no second notice is sent when the embargo ends).</summary>
    private static string DisclosureText(Submission submission) => submission.DiscloseAt is { } at && submission.Triage == TriageState.Approved && submission.WithheldReason is null
        ? $" It will be published on the leaderboard on {at:yyyy-MM-dd} (UTC)."
        : "";

    private static string TitleFor(TriageState to) => to switch
    {
        TriageState.Approved => "Your submission was approved",
        TriageState.Duplicate => "Your submission was marked a duplicate",
        TriageState.NeedsMoreInfo => "The organizer needs more information on your submission",
        TriageState.Disqualified => "Your submission was disqualified",
        _ => "Your submission's review changed",
    };

    private void Audit(Submission submission, string kind, string actorId, string detail, DateTimeOffset at) =>
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = submission.CompetitionId, SubmissionId = submission.Id, UserId = submission.UserId, ActorId = actorId,
            Kind = kind, Detail = detail, At = at,
        });

    /// <summary>The submissions, locked for this transaction: two organizers deciding on one submission at once take turns.</summary>
    private Task<List<Submission>> LockAsync(IReadOnlyCollection<Guid> ids, Guid competitionId, CancellationToken ct)
    {
        var array = ids.ToArray();
        return db.Submissions.FromSql($"SELECT * FROM \"Submissions\" WHERE \"Id\" = ANY({array}) FOR UPDATE")
            .Where(s => s.CompetitionId == competitionId).ToListAsync(ct);
    }

    /// <summary>Why a mandatory text is refused (missing or too long); null when it is fine.</summary>
    private static string? NoteRefusal(string? text, string what, int maxLength) =>
        string.IsNullOrWhiteSpace(text) ? $"Write {what}: it is mandatory."
        : text.Trim().Length > maxLength ? $"The text can have at most {maxLength:N0} characters."
        : null;
}
