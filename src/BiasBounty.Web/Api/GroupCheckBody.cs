using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Web.Submissions;
using Microsoft.Net.Http.Headers;

namespace BiasBounty.Web.Api;

/// <summary>
/// Reads the group check's JSON body, <c>{"expression": "…"}</c>, within a small size limit, and says what is wrong
/// with a body in the caller's terms: never the serializer's message, which names the platform's own types.
/// </summary>
public static class GroupCheckBody
{
    /// <summary>Far more than the longest expression needs, even with every character escaped as \uXXXX.</summary>
    public const int MaxBytes = 64 * 1024;

    public const string Example = "{\"expression\": \"age >= 60\"}";

    /// <summary>The expression (null when the body has none), or the answer for a body that cannot be read.</summary>
    public static async Task<(string? Expression, ProblemHttpResult? Refusal)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
            return (null, UnsupportedMediaType($"Send a JSON body such as {Example} with Content-Type: application/json."));
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) && mediaType.Charset is { Length: > 0 } charset
            && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return (null, UnsupportedMediaType($"Send the JSON body as UTF-8 (Content-Type: application/json or application/json; charset=utf-8), not {charset}."));
        if (request.ContentLength > MaxBytes) return (null, TooLarge());

        byte[] body;
        try
        {
            body = await ReadBoundedAsync(request.Body, ct);
            if (body.Length > MaxBytes) return (null, TooLarge());
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line && e.BytePositionInLine is { } column ? $" (line {line + 1}, byte {column + 1})" : "";
            return (null, Invalid($"The body is not valid JSON{where}: send a JSON object like {Example}."));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, Invalid($"The body must be a JSON object like {Example}, not {KindOf(root.ValueKind)}."));
            foreach (var property in root.EnumerateObject())
            {
                if (!property.Name.Equals(SubmitEntry.Fields.Expression, StringComparison.OrdinalIgnoreCase)) continue;
                return property.Value.ValueKind switch
                {
                    JsonValueKind.String => (property.Value.GetString(), null),
                    JsonValueKind.Null => (null, null),
                    var kind => (null, Invalid($"\"expression\" must be a string holding the group, e.g. {Example}, not {KindOf(kind)}.")),
                };
            }
            return (null, null);
        }
    }

    /// <summary>The body, or one byte more than <see cref="MaxBytes"/> once it is known to be too large (nothing more is read).</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes) break;
        }
        return buffer.ToArray();
    }

    private static string KindOf(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Null => "null",
        _ => "an object",
    };

    private static ProblemHttpResult Invalid(string message) => ApiProblems.Field(SubmitEntry.Fields.Expression, message);

    private static ProblemHttpResult TooLarge() => ApiProblems.Field(SubmitEntry.Fields.Expression,
        $"The body is larger than {MaxBytes / 1024} KB; a group check sends only {Example}, with an expression of up to {SubgroupExpression.MaxLength:N0} characters.",
        StatusCodes.Status413PayloadTooLarge, "The request body is too large.");

    private static ProblemHttpResult UnsupportedMediaType(string detail) => ApiProblems.UnsupportedMediaType(detail);
}

/// <summary>The group check's body, as the OpenAPI document describes it (<see cref="GroupCheckBody"/> reads it).</summary>
/// <param name="Expression">The group in the platform's expression language, e.g. <c>age &gt;= 60</c>.</param>
public sealed record GroupCheckRequest(string Expression);
