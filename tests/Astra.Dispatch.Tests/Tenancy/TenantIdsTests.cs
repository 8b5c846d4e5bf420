using Astra.Dispatch.Tenancy;

namespace Astra.Dispatch.Tests.Tenancy;

public sealed class TenantIdsTests
{
    [Theory]
    [InlineData("acme")]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("acme-eu-1")]
    [InlineData("123456789012345678901234567890123456789012345678901234567890123")]
    public void IsValid_ContractForm_True(string tenantId) => Assert.True(TenantIds.IsValid(tenantId));

    /// <summary>
    /// Every spelling that is not the contract's <c>[a-z0-9][a-z0-9-]{0,62}</c>, among them what a folder or variable
    /// name could turn into another tenant's (dots, slashes, case, a trailing newline that <c>$</c> would let through).
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("Acme")]
    [InlineData("ACME")]
    [InlineData("acme_eu")]
    [InlineData("-acme")]
    [InlineData("acme\n")]
    [InlineData("acme ")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../acme")]
    [InlineData("acme/x")]
    [InlineData("acme\\x")]
    [InlineData("acme\0")]
    [InlineData("\u0430cme")] // Cyrillic а
    [InlineData("\uFF41cme")] // fullwidth a
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234")]
    public void IsValid_AnythingElse_False(string tenantId) => Assert.False(TenantIds.IsValid(tenantId));

    [Fact]
    public void IsValid_Null_False() => Assert.False(TenantIds.IsValid(null));
}
