using Astra.Dispatch.Management;

namespace Astra.Dispatch.Tests.Management;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void New_Key_PrefixIdAnd256BitSecretThatParseBack()
    {
        var (id, secret, key) = ApiKeyFormat.New();

        Assert.Matches("^astra_[a-z2-7]{16}_[a-z2-7]{52}$", key);
        Assert.True(ApiKeyFormat.TryParse(key, out var parsedId, out var parsedSecret));
        Assert.Equal((id, secret), (parsedId, parsedSecret));
        Assert.True(secret.Length * 5 >= 256);
        Assert.NotEqual(key, ApiKeyFormat.New().Key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("astra_short_secret")]
    [InlineData("ASTRA_aaaaaaaaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("astra_aaaaaaaaaaaaaaaa-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("astra_aaaaaaaaaaaaaaa1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void TryParse_NotAKey_False(string? text) => Assert.False(ApiKeyFormat.TryParse(text, out _, out _));

    [Fact]
    public void Hash_Salted_DifferentPerSaltAndVerifiedOnlyForTheSecret()
    {
        var (_, secret, _) = ApiKeyFormat.New();
        var salt = ApiKeyFormat.NewSalt();
        var hash = ApiKeyFormat.Hash(salt, secret);

        Assert.True(ApiKeyFormat.Verify(salt, hash, secret));
        Assert.False(ApiKeyFormat.Verify(salt, hash, secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a')));
        Assert.NotEqual(hash, ApiKeyFormat.Hash(ApiKeyFormat.NewSalt(), secret));
    }
}
