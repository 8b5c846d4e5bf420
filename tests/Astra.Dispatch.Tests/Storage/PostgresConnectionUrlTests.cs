using Astra.Dispatch.Storage;
using Astra.Dispatch.Storage.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Astra.Dispatch.Tests.Storage;

/// <summary>Dispatch:Database as managed PostgreSQL services hand it out, and what is refused (never echoing the password).</summary>
public sealed class PostgresConnectionUrlTests
{
    [Fact]
    public void Parse_ManagedServiceUrl_HostPortUserPasswordDatabaseAndTls()
    {
        var builder = PostgresConnectionUrl.Parse(
            "postgresql://astra:p%40ss%3Aw0rd@db.example.com:6543/dispatch?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem&application_name=worker-1&connect_timeout=5&channel_binding=require");

        Assert.Equal(("db.example.com", 6543, "astra", "p@ss:w0rd", "dispatch"), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("/etc/ssl/ca.pem", builder.RootCertificate);
        Assert.Equal("worker-1", builder.ApplicationName);
        Assert.Equal(5, builder.Timeout);
        Assert.Equal(ChannelBinding.Require, builder.ChannelBinding);
    }

    [Theory]
    [InlineData("postgres://u:pw@localhost/db", "localhost", 5432)]
    [InlineData("postgresql://u:pw@[::1]:5433/db", "::1", 5433)]
    public void Parse_DefaultPortAndIpv6(string url, string host, int port)
    {
        var builder = PostgresConnectionUrl.Parse(url);

        Assert.Equal((host, port), (builder.Host, builder.Port));
        Assert.Equal(32, builder.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("postgresql://u:s3cret@host:5432/")]
    [InlineData("postgresql://u:s3cret@host:5432/a/b")]
    [InlineData("postgresql://u:s3cret@host:5432/db?sslmode=sometimes")]
    [InlineData("postgresql://u:s3cret@host:5432/db?frobnicate=1")]
    [InlineData("postgresql://u:s3cret@:5432/db")]
    public void Validate_UnusableUrl_FailsTheStartWithoutThePassword(string url)
    {
        var result = new DatabaseOptionsValidator().Validate(null, new DispatchOptions { Database = url });

        Assert.True(result.Failed);
        Assert.DoesNotContain("s3cret", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Dispatch:Database", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data/dispatch.db", false)]
    [InlineData("/var/lib/astra/d.db", false)]
    [InlineData("POSTGRESQL://u:p@h/db", true)]
    [InlineData("postgres://u:p@h/db", true)]
    public void IsPostgres_ByScheme(string database, bool postgres)
    {
        Assert.Equal(postgres, DatabaseUrl.IsPostgres(database));
        Assert.True(new DatabaseOptionsValidator().Validate(null, new DispatchOptions { Database = database }).Succeeded);
    }

    [Fact]
    public void Describe_NeverThePassword()
    {
        var database = new PostgresDatabase(Options.Create(new DispatchOptions { Database = "postgresql://astra:s3cret@db:5432/dispatch" }), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresDatabase>.Instance);

        Assert.Equal("PostgreSQL astra@db:5432/dispatch", database.Description);
    }
}
