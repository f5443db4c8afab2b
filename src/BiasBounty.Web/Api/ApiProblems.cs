using BiasBounty.Web.Accounts;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using BiasBounty.Web.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;

namespace BiasBounty.Web.Api;

/// <summary>RFC 7807 answers of the API (its errors are never HTML pages).</summary>
public static class ApiProblems
{
    public static Task Write(HttpContext http, int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(http);

    public static string BodyTitle(int status) => status == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request body could not be read.";

    /// <summary>What the server's refusal of a request body means for the caller (its own message names no internals).</summary>
    public static string BodyDetail(BadHttpRequestException e) => e.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this call accepts; see docs/api.md for each call's limit.",
        StatusCodes.Status408RequestTimeout => "The request body arrived too slowly; send it again.",
        _ => $"The request body could not be read ({e.Message.TrimEnd('.')}); send it again, complete and in the documented format.",
    };

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>Field errors keyed as the submit form's fields (<c>expression</c>, <c>metric</c>, <c>fix</c>, …), as a
    /// validation problem with any status (<see cref="TypedResults.ValidationProblem"/> answers 400 only).</summary>
    public static ProblemHttpResult Fields(IReadOnlyDictionary<string, string> errors, int status = StatusCodes.Status400BadRequest, string title = "One or more fields are invalid.") =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => new[] { e.Value })) { Status = status, Title = title });

    public static ProblemHttpResult Field(string field, string message, int status = StatusCodes.Status400BadRequest, string title = "One or more fields are invalid.") =>
        Fields(new Dictionary<string, string> { [field] = message }, status, title);
}
