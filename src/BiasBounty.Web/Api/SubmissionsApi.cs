using BiasBounty.Web.Accounts;
using System.Globalization;
using System.Security.Claims;
using BiasBounty.Scoring;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Submissions;
using BiasBounty.Web.Teams;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BiasBounty.Web.Api;

/// <summary>
/// Token-only calls: submit (every check is the submit slice's own), a submission's state and released view, the team's
/// submissions. A submission outside the caller's teams is "not found", so ids cannot be probed.
/// </summary>
public static class SubmissionsApi
{
    public const int PageSize = 20;

    /// <summary>Far beyond any team's submissions, and small enough that the row offset cannot overflow.</summary>
    public const int MaxPage = 100_000;

    public const string MalformedForm =
        "The multipart form could not be read: send multipart/form-data with the fields expression, metric (optional) and fix (optional ONNX file).";

    /// <summary>Room for the form's text fields and multipart boundaries beside the model file.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/competitions/{slug}/submissions", SubmitAsync)
            .WithName("Submit").WithSummary("Submit a finding, optionally with a fix")
            .WithDescription("multipart/form-data with the fields expression (the group, in the platform's expression language), metric " +
                "(optional; the competition's default) and fix (optional ONNX model file). Answers 202 with the submission's id and " +
                "where to poll; scoring happens in the background. Send an Idempotency-Key header (e.g. a new UUID) to make a retry safe: " +
                "the same key returns the same submission.")
            .DescribesBody<SubmitFormFields>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/competitions/{slug}/submissions", ListAsync)
            .WithName("ListTeamSubmissions").WithSummary("Your team's submissions to a competition, newest first, 20 a page")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/submissions/{id:guid}", StatusAsync)
            .WithName("GetSubmission").WithSummary("One of your teams' submissions: its state and, once scored, the released verdict")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static string UserId(ClaimsPrincipal user) => user.UserId()!;

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The <c>Idempotency-Key</c> header, or a refusal naming what is wrong with it (none: null key, no refusal).</summary>
    private static (string? Key, ProblemHttpResult? Refusal) IdempotencyKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0) return (null, null);
        var key = values.Count == 1 ? values[0] : null;
        if (key is null || key.Length is 0 or > Submission.MaxIdempotencyKeyLength || key.Any(c => c is < '!' or > '~'))
            return (null, ApiProblems.Field(SubmitEntry.Fields.IdempotencyKey,
                $"Send one Idempotency-Key header of 1 to {Submission.MaxIdempotencyKeyLength} visible ASCII characters, e.g. a new UUID for each submission."));
        return (key, null);
    }

    private static async Task<Results<Accepted<SubmitAccepted>, ProblemHttpResult>> SubmitAsync(string slug, HttpContext http, ClaimsPrincipal user, SubmitEntry entry, TimeProvider time, CancellationToken ct)
    {
        var userId = UserId(user);
        if (await entry.ContextAsync(slug, userId, ct) is not { } context) return CompetitionsApi.NoSuchCompetition(slug);
        var (idempotencyKey, badKey) = IdempotencyKey(http.Request);
        if (badKey is not null) return badKey;
        if (!http.Request.HasFormContentType)
            return ApiProblems.UnsupportedMediaType("Send multipart/form-data with the fields expression, metric (optional) and fix (optional ONNX file).");

        var form = await ReadFormAsync(http, context.MaxModelBytes, ct);
        if (form.Refusal is { } refusal) return refusal;
        var fields = form.Form!;
        Metric? metric = null;
        if (fields["metric"].ToString() is { Length: > 0 } metricText)
        {
            try { metric = Metrics.Parse(metricText.Trim()); }
            catch (ScoringInputException e) { return ApiProblems.Field(SubmitEntry.Fields.Metric, e.Message); }
        }
        UploadedFix? fix = null;
        if (fields.Files.GetFile(SubmitEntry.Fields.Fix) is { } file)
        {
            using var content = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
            await file.CopyToAsync(content, ct);
            fix = new UploadedFix(file.FileName, content.ToArray());
        }

        var result = await entry.SubmitAsync(new SubmitRequest(slug, userId, fields[SubmitEntry.Fields.Expression].ToString(), metric, fix, idempotencyKey), ct);
        if (result.SubmissionId is { } id)
        {
            if (result.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
            var after = await entry.ContextAsync(slug, userId, ct);
            return TypedResults.Accepted($"/api/v1/submissions/{id}", new SubmitAccepted(id, SubmissionResponse.StateName(SubmissionState.Queued),
                SubmissionResponse.LinksFor(id), after is null ? null : QuotaResponse.Of(after.Quota)));
        }
        if (result.Errors.ContainsKey(SubmitEntry.Fields.IdempotencyKey))
            return ApiProblems.Fields(result.Errors, StatusCodes.Status422UnprocessableEntity, "The Idempotency-Key was used for another request.");
        if (result.Errors.ContainsKey(SubmitEntry.Fields.Competition))
            return ApiProblems.Fields(result.Errors, StatusCodes.Status409Conflict, "The competition does not take submissions now.");
        if (result.Errors.ContainsKey(SubmitEntry.Fields.Quota))
        {
            // The quota is per UTC day: say when it renews.
            var now = time.GetUtcNow();
            http.Response.Headers.RetryAfter = Math.Ceiling((now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime).TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return ApiProblems.Fields(result.Errors, StatusCodes.Status429TooManyRequests, "The daily submission quota is used up.");
        }
        return ApiProblems.Fields(result.Errors);
    }

    /// <summary>
    /// Reads the form with the competition's model size as the limit: a larger body is refused by its Content-Length
    /// before any of it is read, and a body without one is cut off while it streams in (not buffered whole first).
    /// </summary>
    private static async Task<(IFormCollection? Form, ProblemHttpResult? Refusal)> ReadFormAsync(HttpContext http, long maxModelBytes, CancellationToken ct)
    {
        var limit = maxModelBytes + FormOverheadBytes;
        var tooLarge = (null as IFormCollection, ApiProblems.Field(SubmitEntry.Fields.Fix,
            $"The upload is larger than this competition's model limit of {maxModelBytes / (double)ModelLimits.BytesPerMegabyte:0.##} MB.",
            StatusCodes.Status413PayloadTooLarge, "The upload is too large."));
        if (http.Request.ContentLength > limit) return tooLarge;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize) bodySize.MaxRequestBodySize = limit;
        http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = limit, BufferBodyLengthLimit = limit }));
        // BadHttpRequestException is an IOException: its clauses come first, or a too-large body would read as malformed.
        try
        {
            return (await http.Request.ReadFormAsync(ct), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return tooLarge; // the server's body limit, for a body sent without a Content-Length
        }
        catch (InvalidDataException e) when (e.Message.StartsWith("Multipart body length limit", StringComparison.Ordinal))
        {
            return tooLarge; // a multipart section over the limit
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return (null, TypedResults.Problem(MalformedForm, statusCode: StatusCodes.Status400BadRequest, title: "Bad request"));
        }
    }

    private static async Task<Results<Ok<SubmissionResponse>, ProblemHttpResult>> StatusAsync(Guid id, ClaimsPrincipal user, SubmissionStatusQuery submissions, CancellationToken ct) =>
        await submissions.ForAsync(id, UserId(user), ct) is { } status
            ? TypedResults.Ok(SubmissionResponse.Of(status))
            : ApiProblems.NotFound("There is no submission with this id among your teams' submissions.");

    private static async Task<Results<Ok<SubmissionPage>, ProblemHttpResult>> ListAsync(string slug, string? page, ClaimsPrincipal user, ApplicationDbContext db, TeamMembership teams,
        SubmissionStatusQuery submissions, CancellationToken ct)
    {
        // Parsed here rather than bound, so a bad value gets a field error like every other one.
        var number = 1;
        if (page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > MaxPage))
            return ApiProblems.Field("page", $"Pages are numbered from 1 to {MaxPage:N0}.");
        var competitionId = await db.Competitions.AsNoTracking().Public().Where(c => c.Slug == slug)
            .Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (competitionId is null) return CompetitionsApi.NoSuchCompetition(slug);
        var userId = UserId(user);
        if (await teams.ForUserAsync(competitionId.Value, userId, ct) is not { } team) return TypedResults.Ok(new SubmissionPage(number, PageSize, false, null, []));
        // One more than a page, to know whether another follows.
        var rows = await submissions.ForTeamAsync(team.Id, userId, PageSize + 1, ct, skip: (number - 1) * PageSize);
        return TypedResults.Ok(new SubmissionPage(number, PageSize, rows.Count > PageSize, new TeamResponse(team.Id, team.Name),
            rows.Take(PageSize).Select(SubmissionResponse.Of).ToArray()));
    }
}

/// <summary>The submit call's form fields, as the OpenAPI document describes them (the endpoint reads the form itself).</summary>
/// <param name="Expression">The group, e.g. <c>age &gt;= 60 and sex == "Female"</c>.</param>
/// <param name="Metric">error, fpr, fnr, squared, wer or cer; the competition's default when absent.</param>
/// <param name="Fix">An ONNX model that should do better on the group (not for evaluation-table competitions).</param>
public sealed record SubmitFormFields(string Expression, string? Metric, IFormFile? Fix);
