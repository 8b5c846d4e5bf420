using Astra.Dispatch.Cli.Infrastructure;
using Astra.Dispatch.Management;
using Spectre.Console;

namespace Astra.Dispatch.Cli.Keys;

internal sealed class KeysCreateCommand(CliOutput output) : DispatchCommand<KeysCreateSettings>(output)
{
    protected override async Task<int> RunAsync(KeysCreateSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!ApiRoles.TryParse(settings.Role, out var role))
            throw CliException.Usage("--role must be admin, operator or viewer.");
        var created = await Get<KeyService>(services).CreateAsync(role, settings.Tenant, settings.Name, Actor.Cli(), cancellationToken);
        var info = created.Info;
        if (settings.Json)
        {
            Output.WriteJson(new { key = created.Key, id = info.Id, name = info.Name, role = info.Role.Name(), tenant = info.TenantId, createdAt = info.CreatedAt });
            return ExitCodes.Ok;
        }
        Output.Text(created.Key);
        await Output.Error.WriteLineAsync(
            $"Key {info.Id} ({info.Name}, {info.Role.Name()}, {(info.TenantId is { } t ? $"tenant {t}" : "every tenant")}) created. "
            + "This is the only time it is shown: only its hash is stored.");
        return ExitCodes.Ok;
    }
}

internal sealed class KeysListCommand(CliOutput output) : DispatchCommand<KeysListSettings>(output)
{
    protected override async Task<int> RunAsync(KeysListSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        var keys = await Get<KeyService>(services).ListAsync(settings.Tenant, cancellationToken);
        if (settings.Json)
        {
            Output.WriteJson(keys.Select(k => new
            {
                k.Id, k.Name, role = k.Role.Name(), tenant = k.TenantId, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.LastUsedAt,
                state = k.RevokedAt is null ? "active" : "revoked",
            }));
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("ID", "Name", "Role", "Tenant", "State", "Created", "Last used");
        foreach (var k in keys)
        {
            table.AddRow(k.Id, Markup.Escape(k.Name), k.Role.Name(), Markup.Escape(k.TenantId ?? "*"), k.RevokedAt is null ? "[green]active[/]" : "[grey]revoked[/]",
                Markup.Escape($"{k.CreatedAt} by {k.CreatedBy}"), Markup.Escape(k.LastUsedAt ?? "never"));
        }
        Output.Console.Write(table);
        Output.Text($"{keys.Count} key(s).");
        return ExitCodes.Ok;
    }
}

internal sealed class KeysRevokeCommand(CliOutput output) : DispatchCommand<KeyIdSettings>(output)
{
    protected override async Task<int> RunAsync(KeyIdSettings settings, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!await Get<KeyService>(services).RevokeAsync(settings.Id, null, Actor.Cli(), cancellationToken))
            throw CliException.Failed($"No valid key '{settings.Id}' (unknown or already revoked).");
        if (settings.Json)
            Output.WriteJson(new { id = settings.Id, result = "revoked" });
        else
            Output.Text($"Key {settings.Id} revoked; requests with it now get 401.");
        return ExitCodes.Ok;
    }
}
