namespace Astra.Dispatch.Cli.Tests;

/// <summary>Two tenants may use the same rule id; commands that take an id need the tenant only when it is ambiguous.</summary>
public sealed class RuleTenantTests
{
    private const string TwoTenants = """
        rules:
          - id: crm-new-lead
            tenantId: acme
            trigger: { events: [lead.captured] }
            request: { url: "http://127.0.0.1:9/acme" }
          - id: crm-new-lead
            tenantId: globex
            trigger: { events: [lead.captured] }
            request: { url: "http://127.0.0.1:9/globex" }
          - id: only-acme
            tenantId: acme
            trigger: { events: [lead.captured] }
            request: { url: "http://127.0.0.1:9/only" }
        """;

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Show_IdOfTwoTenantsWithoutTenant_UsageErrorNamingBoth(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        Assert.Equal(0, (await cli.RunAsync("rules", "import", cli.Write("rules.yaml", TwoTenants))).ExitCode);

        var show = await cli.RunAsync("rules", "show", "crm-new-lead");

        Assert.Equal(2, show.ExitCode);
        Assert.Contains("exists for tenants acme, globex: add --tenant", show.Err, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Disable_WithTenant_DisablesOnlyThatTenantsRule(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", TwoTenants));

        var disable = await cli.RunAsync("rules", "disable", "crm-new-lead", "--tenant", "globex");
        var acme = await cli.RunAsync("rules", "show", "crm-new-lead", "--tenant", "acme", "--json");
        var globex = await cli.RunAsync("rules", "show", "crm-new-lead", "--tenant", "globex", "--json");

        Assert.Equal(0, disable.ExitCode);
        Assert.Contains("\"enabled\": true", acme.Out, StringComparison.Ordinal);
        Assert.Contains("\"enabled\": false", globex.Out, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CliRun.Databases), MemberType = typeof(CliRun))]
    public async Task Show_UnambiguousIdWithoutTenant_FindsIt(string database)
    {
        await using var cli = await CliRun.CreateAsync(database);
        await cli.RunAsync("rules", "import", cli.Write("rules.yaml", TwoTenants));

        var show = await cli.RunAsync("rules", "show", "only-acme");
        var wrongTenant = await cli.RunAsync("rules", "show", "only-acme", "--tenant", "globex");

        Assert.Equal(0, show.ExitCode);
        Assert.Equal(1, wrongTenant.ExitCode);
        Assert.Contains("does not exist for tenant 'globex'", wrongTenant.Err, StringComparison.Ordinal);
    }
}
