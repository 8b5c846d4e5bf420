namespace Astra.Dispatch.Rules;

/// <summary>An action rule as authored in YAML or JSON and stored in SQLite (the rule-format contract).</summary>
public sealed record RuleDefinition
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string TenantId { get; init; } = "";
    public string? AgentId { get; init; }
    public bool Enabled { get; init; } = true;
    public TriggerDefinition Trigger { get; init; } = new();
    public RequestDefinition Request { get; init; } = new();
    public AuthDefinition? Auth { get; init; }
    public SigningDefinition? Signing { get; init; }
    /// <summary>Name of a secret holding a TLS client certificate (PEM certificate and key, or base64 PKCS#12) presented to the endpoint (mTLS); combines with any auth.</summary>
    public string? ClientCertificate { get; init; }
    public RetryDefinition? Retry { get; init; }
    public string? RateLimit { get; init; }
    public bool CaptureResponse { get; init; }
    public Dictionary<string, string>? ResponseMap { get; init; }
    public List<string>? Redact { get; init; }
}

public sealed record TriggerDefinition
{
    public List<string> Events { get; init; } = [];
    public string? When { get; init; }
}

public sealed record RequestDefinition
{
    public string Method { get; init; } = "POST";
    public string Url { get; init; } = "";
    public Dictionary<string, string>? Headers { get; init; }
    public Dictionary<string, string>? Query { get; init; }
    public string? Body { get; init; }
    public string? ContentType { get; init; }
    public string? Timeout { get; init; }
}

public sealed record AuthDefinition
{
    /// <summary>none | bearer | basic | header | query | oauth2</summary>
    public string Type { get; init; } = "none";
    public string? Secret { get; init; }
    public string? Username { get; init; }
    public string? Name { get; init; }
    public string? TokenUrl { get; init; }
    public string? ClientId { get; init; }
    public string? Scope { get; init; }
}

public sealed record SigningDefinition
{
    public string? Secret { get; init; }
    public List<string>? Secrets { get; init; }
}

public sealed record RetryDefinition
{
    public List<string>? Schedule { get; init; }
}
