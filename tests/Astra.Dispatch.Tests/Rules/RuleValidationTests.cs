using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Rules;

public sealed class RuleValidationTests : IDisposable
{
    private readonly TempSecrets _secrets = new(("CRM_TOKEN", "tok-crm-1"), ("SIGN", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    private readonly string _dbFolder = Directory.CreateTempSubdirectory("astra-rules-").FullName;

    public void Dispose()
    {
        _secrets.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dbFolder, recursive: true);
    }

    private (RuleImporter Importer, IRuleStore Store) Create(int maxRulesPerTenant = 1000)
    {
        var dispatch = Options.Create(new DispatchOptions { SecretsPath = _secrets.Folder, Database = Path.Combine(_dbFolder, "d.db"), MaxRulesPerTenant = maxRulesPerTenant });
        var store = new SqliteRuleStore(new SqliteDatabase(dispatch, TimeProvider.System), TimeProvider.System);
        var factory = new RuleCompilerFactory(new RuleLimits { MaxRulesPerTenant = dispatch.Value.MaxRulesPerTenant }, _secrets.Store);
        return (new RuleImporter(factory, store), store);
    }

    private static RuleValidationException Invalid(RuleImporter importer, string yaml, string source = "rules.yaml") =>
        Assert.Throws<RuleValidationException>(() => importer.ValidateText(yaml, source));

    private const string Valid = """
        - id: crm-new-lead
          tenantId: acme
          trigger: { events: [lead.captured], when: "data.score >= 50" }
          request: { url: "https://crm.example.com/leads", body: '{ "email": {{ data.email | json }} }' }
          auth: { type: bearer, secret: CRM_TOKEN }
          signing: { secret: SIGN }
        """;

    [Fact]
    public void ValidateText_ValidRule_Accepted() =>
        Assert.Equal("crm-new-lead", Assert.Single(Create().Importer.ValidateText(Valid, "rules.yaml")).Id);

    [Fact]
    public void ValidateText_ManyProblems_AllReportedAtOnceWithFileRuleAndPath()
    {
        var ex = Invalid(Create().Importer, """
            - id: bad-one
              tenantId: acme
              colour: blue
              trigger: { events: [lead.captured], wehn: "x" }
              request: { url: "https://x.example.com" }
            - id: bad-two
              tenantId: acme
              trigger: { events: [lead.captured], when: "data.score >=" }
              request:
                url: "ftp://files.example.com/{{ data.x }}"
                timeout: 10 seconds
                body: "{{ data.name "
              retry: { schedule: [5s, soon] }
              rateLimit: lots
              auth: { type: bearer, secret: NOT_SET }
              signing: { secrets: [SIGN, ALSO_NOT_SET] }
              redact: ["data..phone"]
            - id: bad-two
              tenantId: acme
              trigger: { events: [lead.captured] }
              request: { url: "https://x.example.com" }
            """);
        var messages = ex.Errors.Select(e => e.ToString()).ToList();
        void Has(string ruleId, string path, string fragment) =>
            Assert.Contains(ex.Errors, e => e.Source == "rules.yaml" && e.RuleId == ruleId && e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal));

        Has("bad-one", "colour", "unknown field");
        Has("bad-one", "trigger.wehn", "unknown field");
        Has("bad-two", "trigger.when", "invalid condition");
        Has("bad-two", "request.url", "https://");
        Has("bad-two", "request.timeout", "'10 seconds' is not a duration");
        Has("bad-two", "request.body", "invalid Liquid");
        Has("bad-two", "retry.schedule[1]", "'soon'");
        Has("bad-two", "rateLimit", "'lots'");
        Has("bad-two", "auth.secret", "NOT_SET");
        Has("bad-two", "signing.secrets[1]", "ALSO_NOT_SET");
        Has("bad-two", "redact[0]", "data..phone");
        Has("bad-two", "id", "is used by 2 rules");
        Assert.Contains("rules.yaml: bad-two.request.timeout: ", string.Join("\n", messages), StringComparison.Ordinal);
    }

    /// <summary>On main an unknown field was the only error listed for its rule: the rule's other checks were skipped.</summary>
    [Fact]
    public void ValidateText_UnknownFieldBesideOtherProblems_EveryErrorListed()
    {
        var ex = Invalid(Create().Importer, """
            id: r
            tenantId: acme
            colour: blue
            trigger: { events: ["**a**a**a**a**a**b"], when: "data.score >=" }
            request: { url: "https://{{ data.host }}/x", timeout: forever, body: "{% if x %}" }
            """);

        Assert.Equal(["colour", "request.body", "request.timeout", "request.url", "trigger.events[0]", "trigger.when"],
            ex.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ValidateText_MissingSecret_MessageNamesSecretNeverAValue()
    {
        var ex = Invalid(Create().Importer, Valid.Replace("secret: CRM_TOKEN", "secret: MISSING_TOKEN", StringComparison.Ordinal));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("auth.secret", error.Path);
        Assert.Contains("ASTRA_SECRET_ACME__MISSING_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-crm-1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateText_ClientCertificateSecretNotSet_ErrorOnClientCertificate()
    {
        var ex = Invalid(Create().Importer, Valid + "\n  clientCertificate: CRM_CLIENT_CERT\n");
        var error = Assert.Single(ex.Errors);
        Assert.Equal("clientCertificate", error.Path);
        Assert.Contains("ASTRA_SECRET_ACME__CRM_CLIENT_CERT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateText_ClientCertificateSecretSet_Accepted() =>
        Assert.Equal("CRM_TOKEN", Assert.Single(Create().Importer.ValidateText(Valid + "\n  clientCertificate: CRM_TOKEN\n", "rules.yaml")).ClientCertificate);

    [Theory]
    [InlineData("url: \"not a url\"")]
    [InlineData("url: \"{{ data.url }}\"")]
    [InlineData("url: \"javascript:alert(1)\"")]
    [InlineData("url: \"\"")]
    public void ValidateText_BadUrl_RequestUrlError(string url)
    {
        var ex = Invalid(Create().Importer, $$"""
            id: r
            tenantId: acme
            trigger: { events: [a] }
            request: { {{url}} }
            """);
        Assert.Contains(ex.Errors, e => e.Path == "request.url");
    }

    [Fact]
    public void ValidateText_YamlAliases_Refused()
    {
        var ex = Invalid(Create().Importer, """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            """);
        Assert.Contains("anchors", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateText_TooManyRulesForTenant_Refused()
    {
        var rules = string.Join("\n", Enumerable.Range(0, 3).Select(i => $$"""
            - id: r{{i}}
              tenantId: acme
              trigger: { events: [a] }
              request: { url: "https://x.example.com" }
            """));
        var ex = Invalid(Create(maxRulesPerTenant: 2).Importer, rules);
        Assert.Contains(ex.Errors, e => e.Message.Contains("tenant 'acme' has 3 rules; the limit is 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImportAsync_OneInvalidRule_NothingImported()
    {
        var (importer, store) = Create();
        var file = Path.Combine(_dbFolder, "rules.yaml");
        await File.WriteAllTextAsync(file, Valid + """

            - id: broken
              tenantId: acme
              trigger: { events: [a] }
              request: { url: "https://x.example.com", timeout: forever }
            """);
        var ex = await Assert.ThrowsAsync<RuleValidationException>(() => importer.ImportAsync(file, CancellationToken.None));
        Assert.Equal("rules.yaml", Assert.Single(ex.Errors).Source);
        var (_, rows) = await store.LoadAllAsync(CancellationToken.None);
        Assert.Empty(rows);

        await File.WriteAllTextAsync(file, Valid);
        await importer.ImportAsync(file, CancellationToken.None);
        (_, rows) = await store.LoadAllAsync(CancellationToken.None);
        Assert.Equal("crm-new-lead", Assert.Single(rows).Id);
    }
}
