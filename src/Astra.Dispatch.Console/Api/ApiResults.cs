using System.Text;
using Astra.Dispatch.Management;
using Astra.Dispatch.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Astra.Dispatch.Console.Api;

/// <summary>The API's answers that are not plain data: problem details, preconditions, and bodies read with their limits.</summary>
internal static class ApiResults
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>422 with every error as <c>{ "field", "message" }</c>.</summary>
    public static ProblemHttpResult Invalid(IReadOnlyList<FieldError> errors) => TypedResults.Problem(
        detail: errors.Count == 1 ? $"{errors[0].Field}: {errors[0].Message}" : $"{errors.Count} errors: see errors.",
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "The request is not valid",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Invalid(string field, string message) => Invalid([new FieldError(field, message)]);

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult PreconditionFailed(string detail) => TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status412PreconditionFailed);

    public static ProblemHttpResult Unavailable(string detail) => TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>The rule's <c>ETag</c>: its <see cref="RuleStamp"/>, quoted (a strong validator).</summary>
    public static string ETagOf(string stamp) => $"\"{stamp}\"";

    /// <summary>
    /// <c>If-Match</c> (strong comparison: a weak <c>W/</c> tag never matches; <c>*</c> means the rule must exist) and, for
    /// PUT, <c>If-None-Match: *</c> (create only). No header: no condition.
    /// </summary>
    public static RulePrecondition PreconditionOf(HttpRequest request)
    {
        var match = request.Headers.IfMatch.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(tag => tag == "*" ? "*" : tag.StartsWith('"') && tag.EndsWith('"') && tag.Length >= 2 ? tag[1..^1] : "invalid:" + tag)
            .ToList();
        var noneMatchAny = request.Headers.IfNoneMatch.Any(v => v?.Trim() == "*");
        return new RulePrecondition { Match = match.Count > 0 ? match : null, MustNotExist = noneMatchAny };
    }

    /// <summary>
    /// The request body as text, if its content type is one of <paramref name="mediaTypes"/> (else 415) and it fits
    /// <c>Dispatch:Console:MaxRequestBodyBytes</c> (else 413); the problem to answer instead, or null.
    /// </summary>
    public static async Task<(string? Text, string? MediaType, IResult? Problem)> ReadBodyAsync(HttpRequest request, IReadOnlyList<string> mediaTypes,
        CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || contentType.MediaType.Value?.ToLowerInvariant() is not { } mediaType || !mediaTypes.Contains(mediaType))
        {
            return (null, null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: $"Send Content-Type: {string.Join(" or ", mediaTypes)}."));
        }
        try
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            return (await reader.ReadToEndAsync(cancellationToken), mediaType, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, mediaType, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
                detail: "The body is larger than Dispatch:Console:MaxRequestBodyBytes allows."));
        }
        catch (DecoderFallbackException)
        {
            return (null, mediaType, Invalid("$", "is not UTF-8 text"));
        }
    }

    /// <summary>A time filter: a duration back from now (<c>30m</c>, <c>2h</c>, <c>1d</c>) or an ISO 8601 time.</summary>
    public static bool TryParseSince(string? text, TimeProvider time, out DateTimeOffset? since)
    {
        since = null;
        if (string.IsNullOrEmpty(text))
            return true;
        if (Astra.Dispatch.Rules.Durations.TryParse(text, out var ago))
        {
            since = time.GetUtcNow() - ago;
            return true;
        }
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
        {
            since = at;
            return true;
        }
        return false;
    }
}
