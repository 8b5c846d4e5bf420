using Astra.Dispatch.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace Astra.Dispatch.Storage;

/// <summary>A PostgreSQL URL in <c>Dispatch:Database</c> that cannot be used fails the start, saying why (never with its password).</summary>
internal sealed class DatabaseOptionsValidator : IValidateOptions<DispatchOptions>
{
    public ValidateOptionsResult Validate(string? name, DispatchOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Database))
            return ValidateOptionsResult.Fail("Dispatch:Database must name a SQLite file or a postgresql:// URL.");
        if (!DatabaseUrl.IsPostgres(options.Database))
            return ValidateOptionsResult.Success;
        try
        {
            PostgresConnectionUrl.Parse(options.Database);
            return ValidateOptionsResult.Success;
        }
        catch (FormatException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
