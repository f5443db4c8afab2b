using BiasBounty.Scoring;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using BiasBounty.Web.Teams;
using Microsoft.EntityFrameworkCore;
using BiasBounty.Web.Audit;

namespace BiasBounty.Web.Submissions;

/// <summary>The live answer to an expression: its size on the public training data, or the engine's message;
/// <see cref="Parsed"/> is the parse a valid expression is stored with.</summary>
/// <param name="Warning">A valid group that is likely to be refused as too small on the holdout (which uses quota).</param>
public sealed record ExpressionCheck(bool Valid, int? Rows, string Message, SubgroupExpression? Parsed = null, string? Warning = null);

/// <summary>
/// The engine's size rules as far as the public data can tell: each holdout part needs <see cref="MinGroupRows"/> rows
/// in the group and in the rest, and the group <see cref="MinGroupShare"/> of the rows. The holdout's size is not
/// published, so the estimate assumes a holdout as large as the public training data: a WARNING only, never a refusal
/// (a public value can still occur in the holdout more often). A group with no public rows at all is refused as
/// before (the parse binds values to the public data).
/// </summary>
public sealed record GroupSizeRule(int MinGroupRows, double MinGroupShare, double FeedbackShare)
{
    public static GroupSizeRule Of(CompetitionSettings settings) => new(settings.MinGroupRows, settings.MinGroupShare, settings.FeedbackShare);

    /// <summary>The warning for a group of <paramref name="rows"/> of <paramref name="total"/> public rows, or null.</summary>
    public string? Warn(int rows, int total)
    {
        if (total <= 0) return null;
        var smallerPart = Math.Min(FeedbackShare, 1 - FeedbackShare);
        var side = Math.Min(rows, total - rows);
        var expected = (int)Math.Floor(side * smallerPart);
        var share = (double)rows / total;
        if (expected >= MinGroupRows && share >= MinGroupShare) return null;
        var which = rows <= total - rows ? "the group" : "everyone else";
        return $"Likely too small to be scored: with a holdout like the public data, about {expected:N0} rows of {which} are expected in each part of the holdout, "
            + $"and at least {MinGroupRows:N0} are needed{(share < MinGroupShare ? $" (and the group must be at least {100 * MinGroupShare:0.###} % of the rows)" : "")}. "
            + "A group refused as too small on the holdout uses one submission of your quota.";
    }
}

/// <summary>An uploaded fix as the form holds it.</summary>
public sealed record UploadedFix(string FileName, byte[] Content);

/// <summary>What the submit form sends. Every field is checked again on the server.</summary>
/// <param name="IdempotencyKey">
/// The client's name for this attempt (the API's <c>Idempotency-Key</c>): the same key from the same user returns the
/// submission it first created instead of a second one, so a client that lost the answer can safely send again.
/// </param>
public sealed record SubmitRequest(string Slug, string UserId, string? Expression, Metric? Metric, UploadedFix? Fix, string? IdempotencyKey = null);

/// <summary>The new submission's id, or one message per bad field (keys: <see cref="SubmitEntry.Fields"/>).</summary>
/// <param name="Replayed">The request repeated an earlier one's idempotency key: <see cref="SubmissionId"/> is that submission.</param>
public sealed record SubmitResult(Guid? SubmissionId, IReadOnlyDictionary<string, string> Errors, bool Replayed = false)
{
    public bool Succeeded => SubmissionId is not null;

    public static SubmitResult Fail(string field, string message) => new(null, new Dictionary<string, string> { [field] = message });
}

/// <summary>What the submit page shows before anything is typed: the competition's limits and the team's quota.</summary>
public sealed record SubmitContext(Guid CompetitionId, string Slug, string Name, bool IsOpen, Metric DefaultMetric,
    IReadOnlyList<Metric> Metrics, long MaxModelBytes, Quota Quota, PublicData? Data, bool IsClosed = false, GroupSizeRule? SizeRule = null);

/// <summary>
/// Submit slice: checks a finding (expression against the PUBLIC training data, fix bound and smoke-tested on public
/// rows, metric, quota), stores it as Queued with its audit event and the fix file, and enqueues the scoring job.
/// </summary>
public sealed class SubmitEntry(ApplicationDbContext db, PublicDataCache publicData, TeamMembership teams, IScoringQueue scoring,
    TimeProvider time, ILogger<SubmitEntry> log)
{
    public static class Fields
    {
        public const string Competition = "competition", Expression = "expression", Fix = "fix", Metric = "metric", Quota = "quota",
            IdempotencyKey = "idempotencyKey";
    }

    public async Task<SubmitContext?> ContextAsync(string slug, string? userId, CancellationToken ct = default)
    {
        var competition = await db.Competitions.AsNoTracking().Public().SingleOrDefaultAsync(c => c.Slug == slug, ct);
        if (competition is null) return null;
        var team = userId is null ? null : await teams.ForUserAsync(competition.Id, userId, ct);
        var quota = await Quota.ForAsync(db, competition.Id, team?.Id, userId, competition.Settings.SubmissionsPerDay, time.GetUtcNow(), ct);
        return new SubmitContext(competition.Id, competition.Slug, competition.Name, IsOpen(competition), competition.Metric,
            MetricsFor(competition.Metric), competition.Settings.MaxModelBytes, quota, await publicData.GetAsync(db, competition.Id, ct),
            competition.Status == CompetitionStatus.Closed, GroupSizeRule.Of(competition.Settings));
    }

    /// <summary>The metrics a submission may declare: the competition's first, then the others findings may use.</summary>
    public static IReadOnlyList<Metric> MetricsFor(Metric competitionMetric) => competitionMetric.Definition().FindingMetrics;

    /// <summary>Checks an expression against the public training data only (never the holdout).</summary>
    public static ExpressionCheck CheckExpression(PublicData? data, string? expression, GroupSizeRule? sizeRule = null)
    {
        var text = expression?.Trim() ?? "";
        if (text.Length == 0) return new(false, null, "Write a group, e.g. age >= 60 and sex == \"Female\".");
        if (text.Length > SubgroupExpression.MaxLength)
            return new(false, null, $"The expression is {text.Length:N0} characters long; the limit is {SubgroupExpression.MaxLength:N0}.");
        if (data is null) return new(false, null, "This competition has no public training data yet.");
        try
        {
            var parsed = SubgroupExpression.Parse(text);
            var rows = parsed.Compile(data.Training).Evaluate(data.Training).Count();
            return new(true, rows, $"{rows:N0} of {data.Training.RowCount:N0} rows of the public training data are in this group.", parsed,
                sizeRule?.Warn(rows, data.Training.RowCount));
        }
        catch (ScoringInputException e)
        {
            return new(false, null, e.Message);
        }
    }

    /// <summary>
    /// Binds an uploaded fix to the public schema with the public data card's coding and smoke-tests it on 16 public
    /// rows; null when it is usable, else the engine's message.
    /// </summary>
    public string? CheckFix(PublicData? data, long maxModelBytes, UploadedFix fix)
    {
        if (fix.Content.LongLength > maxModelBytes) return TooLarge(fix.Content.LongLength, maxModelBytes);
        if (fix.Content.Length == 0) return "The file is empty.";
        if (data is null) return "This competition has no public training data to check the model on.";
        try
        {
            var training = data.Training;
            using var model = HostedOnnxModel.Load(fix.Content, training.Schema, LabelDomain.Of(training), ModelRole.Predictor,
                new ModelLimits(maxModelBytes), data.Coding);
            model.Validate(data.Smoke);
            return null;
        }
        catch (ScoringInputException e)
        {
            return e.Message;
        }
        catch (Exception e)
        {
            // Untrusted bytes: whatever the runtime throws, the participant gets an answer and the page stays up.
            log.LogWarning(e, "An uploaded fix ({FileName}, {Length} bytes) failed in an unexpected way", fix.FileName, fix.Content.Length);
            return "This file is not an ONNX model that can be run on this competition's data.";
        }
    }

    /// <summary>The engine judges fixes on the competition's metric only; other metrics are for findings.</summary>
    public static string FixMetricMessage(Metric competitionMetric) =>
        $"A fix is judged on the competition's metric ({competitionMetric.Name()}); choose it, or remove the fix to submit a finding on another metric.";

    public const string ClosedMessage = "This competition has closed: it no longer takes submissions. The leaderboard shows the final standings and rewards.";

    public static string TooLarge(long length, long limit) =>
        $"The file is {length / (double)ModelLimits.BytesPerMegabyte:0.##} MB; the limit is {limit / (double)ModelLimits.BytesPerMegabyte:0.##} MB.";

    public async Task<SubmitResult> SubmitAsync(SubmitRequest request, CancellationToken ct = default)
    {
        var competition = await db.Competitions.Public().SingleOrDefaultAsync(c => c.Slug == request.Slug, ct);
        if (competition is null) return SubmitResult.Fail(Fields.Competition, "There is no such competition.");
        if (competition.Status == CompetitionStatus.Closed) return SubmitResult.Fail(Fields.Competition, ClosedMessage);
        if (!IsOpen(competition)) return SubmitResult.Fail(Fields.Competition, "This competition is not open for submissions.");

        if (request.IdempotencyKey is { } key && await ReplayAsync(competition.Id, request, key, ct) is { } replay) return replay;

        // The cheap checks first: an untrusted model is loaded only for a submission that could otherwise be stored.
        var data = await publicData.GetAsync(db, competition.Id, ct);
        var errors = new Dictionary<string, string>();
        var expression = CheckExpression(data, request.Expression);
        if (!expression.Valid) errors[Fields.Expression] = expression.Message;
        var metric = request.Metric ?? competition.Metric;
        if (!MetricsFor(competition.Metric).Contains(metric))
            errors[Fields.Metric] = $"This competition takes {string.Join(", ", MetricsFor(competition.Metric).Select(m => m.Name()))}.";
        else if (request.Fix is not null && metric != competition.Metric)
            errors[Fields.Metric] = FixMetricMessage(competition.Metric);
        if (request.Fix is not null && !competition.Metric.Definition().AllowsFix) errors[Fields.Fix] = "This competition takes findings only, without a fix model.";
        if (request.Fix is { } large && large.Content.LongLength > competition.Settings.MaxModelBytes)
            errors[Fields.Fix] = TooLarge(large.Content.LongLength, competition.Settings.MaxModelBytes);
        if (errors.Count > 0) return new SubmitResult(null, errors);
        var currentTeam = await teams.ForUserAsync(competition.Id, request.UserId, ct);
        if (await QuotaRefusalAsync(competition, currentTeam?.Id, request.UserId, ct) is { } spent) return spent;
        if (request.Fix is { } fix && CheckFix(data, competition.Settings.MaxModelBytes, fix) is { } fixError)
            return SubmitResult.Fail(Fields.Fix, fixError);

        var team = await teams.EnsureTeamAsync(competition.Id, request.UserId, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Two submits of one team at once must not both take the last unit of quota.
        await TransactionLock.AcquireAsync(db, "team:" + team.Id, ct);
        // Read the status again with a share lock on the row: an organizer closing now either finishes first (and this
        // submission is refused) or waits until it is stored (and it is scored, as every submission queued before the close).
        var status = await db.Database.SqlQuery<string>(
            $"SELECT \"Status\" AS \"Value\" FROM \"Competitions\" WHERE \"Id\" = {competition.Id} FOR SHARE").SingleAsync(ct);
        if (status == nameof(CompetitionStatus.Closed)) return SubmitResult.Fail(Fields.Competition, ClosedMessage);
        // A retry of the same request may have waited for this lock behind the original: answer with what it stored.
        if (request.IdempotencyKey is { } retried && await ReplayAsync(competition.Id, request, retried, ct) is { } stored) return stored;
        var now = time.GetUtcNow();
        // Again under the team's lock: the check above may have raced another submit of the team.
        if (await QuotaRefusalAsync(competition, team.Id, request.UserId, ct) is { } raced) return raced;

        var submission = new Submission
        {
            CompetitionId = competition.Id, TeamId = team.Id, UserId = request.UserId, Expression = request.Expression!.Trim(),
            Metric = metric, CreatedAt = now, IdempotencyKey = request.IdempotencyKey,
            FixModelFile = request.Fix is null ? null : await StoreFixAsync(competition.Id, request.Fix, ct),
        }.WithParsedExpression(expression.Parsed!);
        db.Submissions.Add(submission);
        db.AuditEvents.Add(new AuditEvent
        {
            CompetitionId = competition.Id, SubmissionId = submission.Id, UserId = request.UserId, Kind = AuditEvent.SubmissionCreated,
            ToState = nameof(SubmissionState.Queued), At = now,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            if (request.IdempotencyKey is { } sameKey)
            {
                // The same key arrived twice at once and the other request stored first: answer with its submission.
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                if (await ReplayAsync(competition.Id, request, sameKey, ct) is { } concurrent) return concurrent;
            }
            // Otherwise only the stored file's unique (competition, kind, hash) index can refuse this: the same model stored at this moment.
            if (request.Fix is null) throw;
            log.LogInformation(e, "The fix of a submission was stored concurrently by another submission");
            return SubmitResult.Fail(Fields.Fix, "The same model file was being stored by another submission at this moment; please submit again.");
        }
        await tx.CommitAsync(ct);
        await scoring.EnqueueAsync(submission.Id);
        return new SubmitResult(submission.Id, new Dictionary<string, string>());
    }

    public const string QuotaMessage = "Your team has used its {0} submissions for today (UTC), counting yours in any team; failures on our side do not count. The count resets at midnight UTC.";

    private async Task<SubmitResult?> QuotaRefusalAsync(Competition competition, Guid? teamId, string userId, CancellationToken ct)
    {
        var quota = await Quota.ForAsync(db, competition.Id, teamId, userId, competition.Settings.SubmissionsPerDay, time.GetUtcNow(), ct);
        return quota.Exhausted ? SubmitResult.Fail(Fields.Quota, string.Format(System.Globalization.CultureInfo.InvariantCulture, QuotaMessage, quota.Limit)) : null;
    }

    /// <summary>
    /// The submission this user already made with <paramref name="key"/> in this competition, if any: the same
    /// submission again when the request is the same, a refusal when the key was used for a different one.
    /// </summary>
    internal async Task<SubmitResult?> ReplayAsync(Guid competitionId, SubmitRequest request, string key, CancellationToken ct)
    {
        var earlier = await db.Submissions.AsNoTracking()
            .Where(s => s.UserId == request.UserId && s.IdempotencyKey == key)
            .Select(s => new { s.Id, s.CompetitionId, s.Expression, s.Metric, FixHash = s.FixModelFile == null ? null : s.FixModelFile.ContentHash })
            .SingleOrDefaultAsync(ct);
        if (earlier is null) return null;
        var fixHash = request.Fix is null ? null : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(request.Fix.Content));
        var same = earlier.CompetitionId == competitionId && earlier.Expression == request.Expression?.Trim()
            && (request.Metric is null || request.Metric == earlier.Metric) && earlier.FixHash == fixHash;
        return same
            ? new SubmitResult(earlier.Id, new Dictionary<string, string>(), Replayed: true)
            : SubmitResult.Fail(Fields.IdempotencyKey, "This Idempotency-Key was already used for a different submission; use a new key for a new submission.");
    }

    /// <summary>The fix as a stored model file; the same bytes uploaded twice are stored once.</summary>
    private async Task<StoredFile> StoreFixAsync(Guid competitionId, UploadedFix fix, CancellationToken ct)
    {
        var file = StoredFile.Create(competitionId, StoredFileKind.Model, Path.GetFileName(fix.FileName) is { Length: > 0 and <= 200 } n ? n : "fix.onnx", fix.Content);
        return await db.StoredFiles.SingleOrDefaultAsync(f => f.CompetitionId == competitionId && f.Kind == StoredFileKind.Model && f.ContentHash == file.ContentHash, ct)
            ?? file;
    }

    private bool IsOpen(Competition competition) => competition.TakesSubmissions(time.GetUtcNow());
}
