using System.Text.RegularExpressions;
using Astra.Dispatch.Matching;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Secrets;
using Astra.Dispatch.Templating;
using Astra.Dispatch.Tenancy;
using Fluid;

namespace Astra.Dispatch.Catalog;

/// <summary>
/// Validates a rule definition and parses its templates; reports every problem with its field path. With
/// <paramref name="secretExists"/> (tenant, name), it also requires every secret the rule names to be set inside the
/// rule's tenant.
/// </summary>
public sealed partial class RuleCompiler(RuleLimits limits, Func<string, string, bool>? secretExists = null)
{
    private static readonly HashSet<string> Methods = ["POST", "PUT", "PATCH", "GET", "DELETE"];
    private static readonly HashSet<string> AuthTypes = ["none", "bearer", "basic", "header", "query", "oauth2"];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9_.*-]{1,200}$")]
    private static partial Regex EventPattern();

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}(\\.[A-Za-z0-9_-]{1,100}){0,15}$")]
    private static partial Regex FieldPath();

    /// <summary>Validates <paramref name="rule"/>, adding every problem to <paramref name="errors"/> with its field path; the compiled rule, or null when it is invalid.</summary>
    public CompiledRule? Compile(RuleDefinition rule, long version, bool enabled, string? pausedReason, string source, List<RuleError> errors)
    {
        var before = errors.Count;
        void Error(string path, string message) => errors.Add(new RuleError(source, rule.Id, path, message));

        if (!IdPattern().IsMatch(rule.Id))
            Error("id", "must be 1-100 characters of a-z, 0-9 and '-', starting with a letter or digit");
        if (string.IsNullOrEmpty(rule.TenantId))
            Error("tenantId", "is required");
        else if (!TenantIds.IsValid(rule.TenantId))
            Error("tenantId", $"{SecretNames.Quote(rule.TenantId)} is not a tenant id: {TenantIds.Description}");
        ValidateEvents(rule.Trigger.Events ?? [], Error);
        var condition = rule.Trigger.When is { Length: > 0 } when ? ParseCondition(rule.Id, when, "trigger.when", Error) : null;

        var method = rule.Request.Method.ToUpperInvariant();
        if (!Methods.Contains(method))
            Error("request.method", $"'{rule.Request.Method}' is not one of POST, PUT, PATCH, GET, DELETE");
        var url = ParseTemplate(rule.Request.Url, "request.url", Error);
        var origin = ValidateUrl(rule.TenantId, rule.Request.Url, Error);
        var headers = new List<KeyValuePair<string, IFluidTemplate>>();
        foreach (var (name, value) in rule.Request.Headers ?? [])
        {
            if (!HeaderName().IsMatch(name))
                Error($"request.headers.{name}", "is not a valid HTTP header name");
            else if (ForbiddenHeaders.Contains(name))
                Error($"request.headers.{name}", "may not be set by a rule: the HTTP stack sets the headers that frame the message or steer the connection (Host, Content-Length, Transfer-Encoding, Connection, Upgrade, TE, Trailer, Keep-Alive, Proxy-*)");
            if (ParseTemplate(value, $"request.headers.{name}", Error) is { } t)
                headers.Add(new(name, t));
        }
        if (headers.Count > limits.MaxHeaders)
            Error("request.headers", $"has {headers.Count} headers; the limit is {limits.MaxHeaders}");
        var query = new List<KeyValuePair<string, IFluidTemplate>>();
        foreach (var (name, value) in rule.Request.Query ?? [])
        {
            if (ParseTemplate(value, $"request.query.{name}", Error) is { } t)
                query.Add(new(name, t));
        }
        var body = rule.Request.Body is { } b ? ParseTemplate(b, "request.body", Error) : null;
        var contentType = rule.Request.ContentType ?? "application/json";
        if (contentType is not ("application/json" or "application/x-www-form-urlencoded" or "text/plain"))
            Error("request.contentType", "must be application/json, application/x-www-form-urlencoded or text/plain");
        TimeSpan? timeout = null;
        if (rule.Request.Timeout is { } ts)
        {
            if (Durations.TryParse(ts, out var t) && t > TimeSpan.Zero && t <= limits.MaxTimeout)
                timeout = t;
            else
                Error("request.timeout", $"'{ts}' is not a duration between 1ms and {Durations.Format(limits.MaxTimeout)}");
        }

        ValidateAuth(rule.TenantId, rule.Auth, Error);
        ValidateSigning(rule.TenantId, rule.Signing, Error);
        if (rule.ClientCertificate is not null)
            RequireSecret(rule.TenantId, rule.ClientCertificate, "clientCertificate", Error);
        var schedule = ParseSchedule(rule.Retry, Error);
        RateLimitSpec? rate = null;
        if (rule.RateLimit is { } rl && !RateLimitSpec.TryParse(rl, out rate))
            Error("rateLimit", $"'{rl}' is not a rate such as 20/s, 100/min or 1000/h");

        for (var i = 0; i < (rule.Redact?.Count ?? 0); i++)
        {
            if (!FieldPath().IsMatch(rule.Redact![i] ?? ""))
                Error($"redact[{i}]", $"'{rule.Redact[i]}' is not a JSON field path such as data.phone");
        }

        if (errors.Count > before || url is null || origin is null)
            return null;
        return new CompiledRule
        {
            Definition = rule with { Request = rule.Request with { Method = method } },
            Version = version,
            Enabled = enabled,
            PausedReason = pausedReason,
            Events = [.. rule.Trigger.Events!.Select(e => new EventTypePattern(e))],
            Condition = condition,
            Method = method,
            Url = url,
            Origin = origin,
            Headers = headers,
            Query = query,
            Body = body,
            ContentType = contentType,
            Timeout = timeout,
            RetrySchedule = schedule,
            RateLimit = rate,
        };
    }

    private IFluidTemplate? ParseTemplate(string source, string path, Action<string, string> error)
    {
        if (LiquidEngine.TryParse(source, limits.Templates, out var template, out var message))
            return template;
        error(path, $"invalid Liquid template: {message}");
        return null;
    }

    private FieldTemplate? ParseCondition(string ruleId, string source, string path, Action<string, string> error)
    {
        if (LiquidEngine.TryParseCondition(source, limits.Templates, out var template, out var message))
            return new FieldTemplate(ruleId, path, template!);
        error(path, $"invalid condition: {message}");
        return null;
    }

    private void ValidateEvents(List<string> events, Action<string, string> error)
    {
        if (events.Count == 0)
            error("trigger.events", "needs at least one event type or glob");
        if (events.Count > limits.MaxEventPatterns)
            error("trigger.events", $"has {events.Count} event types or globs; the limit is {limits.MaxEventPatterns}");
        for (var i = 0; i < Math.Min(events.Count, limits.MaxEventPatterns); i++)
        {
            var pattern = events[i] ?? "";
            if (!EventPattern().IsMatch(pattern))
                error($"trigger.events[{i}]", $"'{pattern}' is not an event type or glob of [a-z0-9_.-] and *");
            else if (pattern.Count(c => c == '*') is var stars && stars > limits.MaxWildcardsPerPattern)
                error($"trigger.events[{i}]", $"'{pattern}' has {stars} '*'; the limit is {limits.MaxWildcardsPerPattern} per glob");
        }
    }

    /// <summary>The URL's origin, pinned by its literal text (see <see cref="UrlOrigin"/>), or null after reporting why not.</summary>
    private Uri? ValidateUrl(string tenantId, string url, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            error("request.url", "is required");
            return null;
        }
        if (url.Length > limits.MaxUrlLength)
            error("request.url", $"is longer than {limits.MaxUrlLength} characters");
        var origin = UrlOrigin.Pin(url, out var message);
        if (origin is null)
            error("request.url", message!);
        else if (!limits.AllowPlainHttp && origin.Scheme == Uri.UriSchemeHttp)
            error("request.url", "uses plain http://; only https:// is allowed unless Dispatch:Http:AllowPlainHttp is true");
        else if (limits.PortRefusal(tenantId, origin.Port) is { } port)
            error("request.url", port);
        return origin;
    }

    private void ValidateAuth(string tenantId, AuthDefinition? auth, Action<string, string> error)
    {
        if (auth is null)
            return;
        if (!AuthTypes.Contains(auth.Type))
        {
            error("auth.type", $"'{auth.Type}' is not one of none, bearer, basic, header, query, oauth2");
            return;
        }
        if (auth.Type == "none")
            return;
        RequireSecret(tenantId, auth.Secret, "auth.secret", error);
        if (auth.Type is "header" or "query" && string.IsNullOrWhiteSpace(auth.Name))
            error("auth.name", $"is required for auth type '{auth.Type}' (the header or query parameter name)");
        else if (auth.Type == "header" && (!HeaderName().IsMatch(auth.Name!) || ForbiddenHeaders.Contains(auth.Name!)))
            error("auth.name", $"'{auth.Name}' is not a header a rule may set");
        if (auth.Type == "basic" && string.IsNullOrWhiteSpace(auth.Username))
            error("auth.username", "is required for basic auth");
        if (auth.Type == "oauth2")
        {
            if (string.IsNullOrWhiteSpace(auth.ClientId))
                error("auth.clientId", "is required for oauth2");
            if (!Uri.TryCreate(auth.TokenUrl, UriKind.Absolute, out var tokenUrl) || tokenUrl.Scheme is not ("https" or "http") || string.IsNullOrEmpty(tokenUrl.Host))
                error("auth.tokenUrl", "must be an absolute https:// URL");
            else if (!limits.AllowPlainHttp && tokenUrl.Scheme == Uri.UriSchemeHttp)
                error("auth.tokenUrl", "uses plain http://; only https:// is allowed unless Dispatch:Http:AllowPlainHttp is true (the client secret travels in it)");
            else if (!string.IsNullOrEmpty(tokenUrl.UserInfo))
                error("auth.tokenUrl", "must not hold credentials (user@host); the client secret is auth.secret");
            else if (limits.PortRefusal(tenantId, tokenUrl.Port) is { } port)
                error("auth.tokenUrl", port);
        }
    }

    private void ValidateSigning(string tenantId, SigningDefinition? signing, Action<string, string> error)
    {
        if (signing is null)
            return;
        if (signing.Secret is null && (signing.Secrets ?? []).Count == 0)
            error("signing", "needs secret (or secrets, for rotation)");
        for (var i = 0; i < (signing.Secrets?.Count ?? 0); i++)
            RequireSecret(tenantId, signing.Secrets![i], $"signing.secrets[{i}]", error);
        if (signing.Secret is not null)
            RequireSecret(tenantId, signing.Secret, "signing.secret", error);
    }

    /// <summary>
    /// A secret name is checked whatever the compiler is for (stored rules too: an invalid name is never resolved), and,
    /// on import, must be set inside the rule's own tenant; the message says where, for that tenant only.
    /// </summary>
    private void RequireSecret(string tenantId, string? name, string path, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(name))
            error(path, "is required (the name of a secret, never its value)");
        else if (!SecretNames.IsValid(name))
            error(path, $"{SecretNames.Quote(name)} is not a valid secret name: {SecretNames.Description} (secrets are resolved inside the rule's tenant)");
        else if (secretExists is not null && TenantIds.IsValid(tenantId) && !secretExists(tenantId, name))
            error(path, $"names secret '{name}', which is not set for tenant '{tenantId}' ({SecretStore.Locations(tenantId, name)})");
    }

    private List<TimeSpan>? ParseSchedule(RetryDefinition? retry, Action<string, string> error)
    {
        if (retry?.Schedule is not { } items)
            return null;
        var schedule = new List<TimeSpan>();
        for (var i = 0; i < items.Count; i++)
        {
            if (Durations.TryParse(items[i], out var d) && Durations.IsWholeSeconds(d) && d <= limits.MaxRetryDelay)
                schedule.Add(d);
            else
                error($"retry.schedule[{i}]", $"'{items[i]}' is not a whole number of seconds between 1s and {Durations.Format(limits.MaxRetryDelay)} (each delay is a broker queue named after it)");
        }
        if (items.Count > 25)
            error("retry.schedule", "has more than 25 delays");
        return schedule;
    }
}
