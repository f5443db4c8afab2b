using System.Net;
using BiasBounty.Web.Api;

namespace BiasBounty.Web.Components;

/// <summary>
/// Refuses an address whose path or query decodes to a control character (<c>%00</c> and the like): no page or API
/// resource has one, and a NUL would otherwise reach PostgreSQL, which cannot store it. Pages get a short HTML page,
/// <c>/api</c> a ProblemDetails, both a 400 that says what is wrong.
/// </summary>
public static class MalformedAddressGuard
{
    public const string Message = "The address contains a control character (such as %00), which no address on this site has. Check the link and try again.";

    public static WebApplication UseMalformedAddressGuard(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (!HasControlCharacter(http.Request))
            {
                await next(http);
                return;
            }
            if (http.Request.Path.StartsWithSegments("/api"))
            {
                await ApiProblems.Write(http, StatusCodes.Status400BadRequest, "Bad request", Message);
                return;
            }
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(
                $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bad request · BiasBounty</title></head>" +
                $"<body><h1>Bad request</h1><p>{WebUtility.HtmlEncode(Message)}</p><p><a href=\"/\">Home</a></p></body></html>");
        });
        return app;
    }

    private static bool HasControlCharacter(HttpRequest request)
    {
        if (request.Path.Value is { } path && path.Any(char.IsControl)) return true;
        foreach (var (key, values) in request.Query)
        {
            if (key.Any(char.IsControl)) return true;
            foreach (var value in values)
                if (value is not null && value.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'))) return true;
        }
        return false;
    }
}
