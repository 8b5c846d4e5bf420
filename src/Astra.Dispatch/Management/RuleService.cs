using System.Text.Json;
using System.Text.Json.Nodes;
using Astra.Dispatch.Catalog;
using Astra.Dispatch.Contracts;
using Astra.Dispatch.Dispatching;
using Astra.Dispatch.Matching;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage;

namespace Astra.Dispatch.Management;

/// <summary>
/// Rules as people manage them, for the API and the CLI alike: read with their <see cref="RuleStamp"/> (the ETag), put
/// (validated by the same <see cref="RuleImporter"/> as <c>rules import</c>), enabled, disabled, deleted and imported,
/// each change conditional on the stamp its author saw and recorded as a revision and an audit entry; dry runs
/// through <see cref="RuleDryRun"/>, as <c>rules test</c>.
/// </summary>
public sealed class RuleService(IRuleStore rules, IRuleChangeStore changes, RuleImporter importer, RuleCompilerFactory compilers, RuleDryRun dryRun)
{
    /// <summary>The rules of one tenant, by id.</summary>
    public async Task<IReadOnlyList<ManagedRule>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        var (_, all) = await rules.LoadAllAsync(cancellationToken);
        return [.. all.Where(r => r.TenantId == tenantId).Select(Managed)];
    }

    /// <summary>One rule, or null.</summary>
    public async Task<ManagedRule?> GetAsync(string tenantId, string ruleId, CancellationToken cancellationToken) =>
        await rules.GetAsync(tenantId, ruleId, cancellationToken) is { } row ? Managed(row) : null;

    /// <summary>
    /// Creates or replaces the rule <paramref name="ruleId"/> of <paramref name="tenantId"/> from one rule document (JSON, or
    /// YAML when <paramref name="yaml"/>). The document may leave out <c>id</c> and <c>tenantId</c>; when it has them they
    /// must be the path's. Every problem is reported at once (<see cref="ManagementValidationException"/>).
    /// </summary>
    public async Task<RuleChangeResult> PutAsync(string tenantId, string ruleId, string document, bool yaml, RulePrecondition expected, Actor actor,
        CancellationToken cancellationToken)
    {
        var rule = Parse(tenantId, ruleId, document, yaml);
        try
        {
            return await changes.ApplyAsync(new PutRule(rule, compilers.Limits.Import, expected, actor.Name, actor.KeyId), cancellationToken);
        }
        catch (RuleValidationException ex)
        {
            throw new ManagementValidationException([.. ex.Errors.Select(ToFieldError)]);
        }
    }

    /// <summary>Enables (also resuming a paused rule) or disables a rule.</summary>
    public Task<RuleChangeResult> SetEnabledAsync(string tenantId, string ruleId, bool enabled, RulePrecondition expected, Actor actor,
        CancellationToken cancellationToken) =>
        changes.ApplyAsync(new SetRuleEnabled(tenantId, ruleId, enabled, expected, actor.Name, actor.KeyId), cancellationToken);

    /// <summary>Deletes a rule (its revisions stay).</summary>
    public Task<RuleChangeResult> DeleteAsync(string tenantId, string ruleId, RulePrecondition expected, Actor actor, CancellationToken cancellationToken) =>
        changes.ApplyAsync(new DeleteRule(tenantId, ruleId, expected, actor.Name, actor.KeyId), cancellationToken);

    /// <summary>
    /// Validates and imports a rules file or folder atomically, as the worker imports <c>Dispatch:RulesPath</c>, with a
    /// revision and an audit entry per rule changed; throws <see cref="RuleValidationException"/> with every error.
    /// </summary>
    public async Task<ImportSummary> ImportAsync(string path, Actor actor, CancellationToken cancellationToken)
    {
        var definitions = importer.Validate(path);
        return await changes.ImportAsync(definitions, Path.GetFullPath(path), compilers.Limits.Import, actor.Name, actor.KeyId, cancellationToken);
    }

    /// <summary>The rule's revisions, newest first.</summary>
    public Task<IReadOnlyList<RuleRevision>> RevisionsAsync(string tenantId, string ruleId, int limit, CancellationToken cancellationToken) =>
        changes.ListRevisionsAsync(tenantId, ruleId, limit, cancellationToken);

    /// <summary>
    /// A dry run of a stored rule against a sample event: whether it matches, each check, the request with credentials
    /// masked. Null when the rule does not exist.
    /// </summary>
    public async Task<DryRunResult?> TestAsync(string tenantId, string ruleId, ConversationEvent sample, CancellationToken cancellationToken)
    {
        if (await rules.GetAsync(tenantId, ruleId, cancellationToken) is not { } row)
            return null;
        var errors = new List<RuleError>();
        var compiled = compilers.ForRuntime().Compile(Definition(row), row.Version, row.Enabled, row.PausedReason, "database", errors)
            ?? throw new ManagementValidationException([.. errors.Select(e => new FieldError("rule." + (e.Path.Length == 0 ? "$" : e.Path),
                $"the stored rule is no longer valid here: {e.Message}"))]);
        return await dryRun.RunAsync(compiled, sample, cancellationToken);
    }

    /// <summary>
    /// A sample event for <see cref="TestAsync"/> from JSON: <c>tenantId</c> defaults to the rule's tenant and <c>eventId</c>
    /// to a test id; the rest is checked as the worker checks events.
    /// </summary>
    public static ConversationEvent ParseSampleEvent(string json, string tenantId)
    {
        JsonObject? obj;
        try
        {
            obj = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject;
        }
        catch (JsonException ex)
        {
            throw ManagementValidationException.Of("$", $"is not valid JSON: {ex.Message}");
        }
        if (obj is null)
            throw ManagementValidationException.Of("$", "must be a conversation event (a JSON object)");
        obj["tenantId"] ??= tenantId;
        obj["eventId"] ??= "evt_dry_run";
        ConversationEvent? e;
        try
        {
            e = obj.Deserialize<ConversationEvent>(JsonSerializerOptions.Web);
        }
        catch (JsonException ex)
        {
            throw ManagementValidationException.Of(ex.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "$", $"has the wrong type: {ex.Message.Split(" Path:")[0]}");
        }
        if (EventValidator.Validate(e, System.Text.Encoding.UTF8.GetByteCount(json)) is { } reason)
            throw ManagementValidationException.Of("$", reason);
        return e!;
    }

    /// <summary>The definition stored in a rule row.</summary>
    public static RuleDefinition Definition(StoredRule row) => JsonSerializer.Deserialize<RuleDefinition>(row.Definition, RuleDocumentReader.JsonOptions)!;

    private ManagedRule Managed(StoredRule row)
    {
        var definition = Definition(row);
        var errors = new List<RuleError>();
        compilers.ForRuntime().Compile(definition, row.Version, row.Enabled, row.PausedReason, "database", errors);
        return new ManagedRule(row, definition, RuleStamp.Of(row), [.. errors.Select(e => e.Path.Length == 0 ? e.Message : $"{e.Path}: {e.Message}")]);
    }

    private RuleDefinition Parse(string tenantId, string ruleId, string document, bool yaml)
    {
        var errors = new List<FieldError>();
        JsonNode? root;
        try
        {
            root = yaml
                ? YamlToJson.Convert(document)
                : JsonNode.Parse(document, documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
        }
        catch (Exception ex) when (ex is JsonException or FormatException or YamlDotNet.Core.YamlException)
        {
            throw ManagementValidationException.Of("$", $"cannot be parsed as {(yaml ? "YAML" : "JSON")}: {ex.Message}");
        }
        if (root is not JsonObject rule)
            throw ManagementValidationException.Of("$", "must be one rule (an object), not a list or a rules file");
        // The path names the rule: the body may leave id and tenantId out, and must not contradict the path.
        Reconcile(rule, "id", ruleId, "the path's rule id", errors);
        Reconcile(rule, "tenantId", tenantId, "the path's tenant", errors);
        if (!KeyService.IsTenantId(tenantId))
            errors.Add(new FieldError("tenantId", "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"));
        IReadOnlyList<RuleDefinition> definitions = [];
        try
        {
            definitions = importer.ValidateText(rule.ToJsonString(), "rule.json");
        }
        catch (RuleValidationException ex)
        {
            errors.AddRange(ex.Errors.Select(ToFieldError));
        }
        if (errors.Count > 0)
            throw new ManagementValidationException(errors);
        return definitions.Single();
    }

    private static void Reconcile(JsonObject rule, string field, string fromPath, string what, List<FieldError> errors)
    {
        if (rule[field] is JsonValue value && value.TryGetValue<string>(out var given) && given != fromPath)
            errors.Add(new FieldError(field, $"is '{given}' but {what} is '{fromPath}': leave it out or make them the same"));
        rule[field] = fromPath;
    }

    private static FieldError ToFieldError(RuleError error) => new(error.Path.Length == 0 ? "$" : error.Path, error.Message);
}

/// <summary>A stored rule with its definition, its <see cref="RuleStamp"/>, and why this process would not load it (if it would not).</summary>
public sealed record ManagedRule(StoredRule Row, RuleDefinition Definition, string Stamp, IReadOnlyList<string> LoadErrors);
