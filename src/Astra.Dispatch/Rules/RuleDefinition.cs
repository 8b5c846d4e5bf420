namespace Astra.Dispatch.Rules;

/// <summary>An action rule as authored in YAML or JSON and stored in SQLite (the rule-format contract).</summary>
public sealed record RuleDefinition
{
    /// <summary>Unique within the tenant: <c>[a-z0-9-]</c>.</summary>
    public string Id { get; init; } = "";
    /// <summary>A human name.</summary>
    public string? Name { get; init; }
    /// <summary>The tenant; the rule only ever sees this tenant's events.</summary>
    public string TenantId { get; init; } = "";
    /// <summary>Only events of this agent, when set.</summary>
    public string? AgentId { get; init; }
    /// <summary>Whether the rule is enabled.</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>Which events match.</summary>
    public TriggerDefinition Trigger { get; init; } = new();
    /// <summary>The HTTP request to send.</summary>
    public RequestDefinition Request { get; init; } = new();
    /// <summary>How the request authenticates.</summary>
    public AuthDefinition? Auth { get; init; }
    /// <summary>Standard Webhooks signing.</summary>
    public SigningDefinition? Signing { get; init; }
    /// <summary>Name of a secret holding a TLS client certificate (PEM certificate and key, or base64 PKCS#12) presented to the endpoint (mTLS); combines with any auth.</summary>
    public string? ClientCertificate { get; init; }
    /// <summary>The retry schedule.</summary>
    public RetryDefinition? Retry { get; init; }
    /// <summary>A per-rule rate limit such as <c>20/s</c>.</summary>
    public string? RateLimit { get; init; }
    /// <summary>Publish the response (a JSON excerpt) with <c>action.succeeded</c>.</summary>
    public bool CaptureResponse { get; init; }
    /// <summary>Fields to pick from the response: name to dotted path.</summary>
    public Dictionary<string, string>? ResponseMap { get; init; }
    /// <summary>JSON fields masked in stored and published responses and errors.</summary>
    public List<string>? Redact { get; init; }
}

/// <summary>Which events a rule matches.</summary>
public sealed record TriggerDefinition
{
    /// <summary>Event types or globs (<c>form.*</c>).</summary>
    public List<string> Events { get; init; } = [];
    /// <summary>A Liquid condition, e.g. <c>data.score &gt;= 50</c>.</summary>
    public string? When { get; init; }
}

/// <summary>The request a rule sends.</summary>
public sealed record RequestDefinition
{
    /// <summary>POST, PUT, PATCH, GET or DELETE.</summary>
    public string Method { get; init; } = "POST";
    /// <summary>The URL; templates may fill the path and query only.</summary>
    public string Url { get; init; } = "";
    /// <summary>Header templates.</summary>
    public Dictionary<string, string>? Headers { get; init; }
    /// <summary>Query parameter templates (values URL-encoded).</summary>
    public Dictionary<string, string>? Query { get; init; }
    /// <summary>The body template; none sends the event itself.</summary>
    public string? Body { get; init; }
    /// <summary>application/json (default), application/x-www-form-urlencoded or text/plain.</summary>
    public string? ContentType { get; init; }
    /// <summary>The request timeout, e.g. <c>10s</c>.</summary>
    public string? Timeout { get; init; }
}

/// <summary>How a rule's requests authenticate.</summary>
public sealed record AuthDefinition
{
    /// <summary>none | bearer | basic | header | query | oauth2</summary>
    public string Type { get; init; } = "none";
    /// <summary>The secret's name (never its value).</summary>
    public string? Secret { get; init; }
    /// <summary>The user name of basic auth.</summary>
    public string? Username { get; init; }
    /// <summary>The header or query parameter name of header/query auth.</summary>
    public string? Name { get; init; }
    /// <summary>The OAuth2 token endpoint.</summary>
    public string? TokenUrl { get; init; }
    /// <summary>The OAuth2 client id.</summary>
    public string? ClientId { get; init; }
    /// <summary>The OAuth2 scope.</summary>
    public string? Scope { get; init; }
}

/// <summary>Standard Webhooks signing of a rule's requests.</summary>
public sealed record SigningDefinition
{
    /// <summary>The secret's name (never its value); see also Secrets.</summary>
    public string? Secret { get; init; }
    /// <summary>Several secret names, for rotation: one signature per secret.</summary>
    public List<string>? Secrets { get; init; }
}

/// <summary>A rule's own retry schedule.</summary>
public sealed record RetryDefinition
{
    /// <summary>Delays between attempts, e.g. <c>[5s, 5m, 30m]</c>.</summary>
    public List<string>? Schedule { get; init; }
}
