using System.Security.Cryptography;
using System.Text;
using Astra.Dispatch.Delivery;

namespace Astra.Dispatch.Tests.Delivery;

public sealed class StandardWebhookSignerTests
{
    // The Standard Webhooks test vector, as published with the reference libraries (svix/standard-webhooks tests).
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorBody = """{"test": 2432232314}""";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void Sign_SpecTestVector_MatchesPublishedSignature() =>
        Assert.Equal(VectorSignature, StandardWebhookSigner.Sign(VectorId, VectorTimestamp, VectorBody, [VectorSecret]));

    [Fact]
    public void Sign_SecretWithoutPrefix_SameSignature() =>
        Assert.Equal(VectorSignature, StandardWebhookSigner.Sign(VectorId, VectorTimestamp, VectorBody, [VectorSecret["whsec_".Length..]]));

    [Fact]
    public void Sign_TwoSecrets_SpaceSeparatedSignaturesInOrder()
    {
        var other = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("another key of 24 bytes!"));
        var header = StandardWebhookSigner.Sign(VectorId, VectorTimestamp, VectorBody, [VectorSecret, other]);
        var parts = header.Split(' ');
        Assert.Equal(2, parts.Length);
        Assert.Equal(VectorSignature, parts[0]);
        Assert.Equal(StandardWebhookSigner.Sign(VectorId, VectorTimestamp, VectorBody, [other]), parts[1]);
        Assert.NotEqual(parts[0], parts[1]);
    }

    [Fact]
    public void Sign_VerifiedIndependently_WithHmacOverIdTimestampBody()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        const string Body = "{\"ünï\":\"côdé 🚀\"}";
        var header = StandardWebhookSigner.Sign("msg_x", 1700000000, Body, ["whsec_" + Convert.ToBase64String(key)]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("msg_x.1700000000." + Body)));
        Assert.Equal("v1," + expected, header);
    }

    [Fact]
    public void Key_NotBase64_ErrorDoesNotContainTheValue()
    {
        const string Secret = "whsec_this is not base64!!";
        var ex = Assert.Throws<FormatException>(() => StandardWebhookSigner.Key(Secret));
        Assert.DoesNotContain("this is not base64", ex.Message, StringComparison.Ordinal);
    }
}
