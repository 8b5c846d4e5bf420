using Astra.Dispatch.Catalog;
using Astra.Dispatch.Rules;
using Astra.Dispatch.Storage.Sqlite;
using Astra.Dispatch.Tests.Support;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Tests.Rules;

/// <summary>The shipped examples in deploy/examples must stay valid as the rule format evolves.</summary>
public sealed class ExampleRulesTests
{
    private static string ExamplesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "deploy", "examples");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException("deploy/examples not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Validate_EveryExampleWithItsSecretsSet_IsValid()
    {
        var folder = ExamplesFolder();
        Assert.True(RuleDocumentReader.FilesOf(folder).Count >= 4);
        using var secrets = new TempSecrets(
            ("CRM_TOKEN", "t"), ("CRM_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), ("FORMS_PASSWORD", "p"), ("TICKETS_API_KEY", "k"));
        var dispatch = Options.Create(new DispatchOptions { SecretsPath = secrets.Folder, Database = "unused.db" });
        var importer = new RuleImporter(new RuleCompilerFactory(new RuleLimits { MaxRulesPerTenant = dispatch.Value.MaxRulesPerTenant }, secrets.Store),
            new SqliteRuleStore(new SqliteDatabase(dispatch, TimeProvider.System), TimeProvider.System));

        var rules = importer.Validate(folder);

        Assert.Equal(["crm-new-lead", "feedback-to-chat", "forward-forms", "handoff-ticket"], rules.Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_ExamplesWithoutSecrets_NameEachMissingSecret()
    {
        using var secrets = new TempSecrets();
        var dispatch = Options.Create(new DispatchOptions { SecretsPath = secrets.Folder, Database = "unused.db" });
        var importer = new RuleImporter(new RuleCompilerFactory(new RuleLimits { MaxRulesPerTenant = dispatch.Value.MaxRulesPerTenant }, secrets.Store),
            new SqliteRuleStore(new SqliteDatabase(dispatch, TimeProvider.System), TimeProvider.System));

        var ex = Assert.Throws<RuleValidationException>(() => importer.Validate(ExamplesFolder()));

        Assert.Equal(["CRM_TOKEN", "CRM_WEBHOOK_SECRET", "FORMS_PASSWORD", "TICKETS_API_KEY"],
            ex.Errors.Select(e => e.Message.Split('\'')[1]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Render_CrmExample_ProducesValidJsonForAWholeLead()
    {
        var errors = new List<RuleError>();
        var definition = Assert.Single(RuleDocumentReader.ReadFile(Path.Combine(ExamplesFolder(), "crm-lead.yaml"), errors));
        var rule = new RuleCompiler(new RuleLimits()).Compile(definition, 1, true, null, "crm-lead.yaml", errors)!;
        var request = await Some.RenderAsync(rule, Some.Event(new { email = "ada@example.com", name = "Ada \"The Countess\"", score = 87, phone = "+44 20 7946 0958" }));
        using var body = System.Text.Json.JsonDocument.Parse(request.Body!);
        Assert.Equal("Ada \"The Countess\"", body.RootElement.GetProperty("fullName").GetString());
        Assert.Equal(87, body.RootElement.GetProperty("score").GetInt32());
    }
}
