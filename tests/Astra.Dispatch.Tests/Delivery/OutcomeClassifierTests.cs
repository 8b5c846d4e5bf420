using System.Net.Http.Headers;
using Astra.Dispatch.Delivery;
using Astra.Dispatch.Tests.Support;

namespace Astra.Dispatch.Tests.Delivery;

/// <summary>The status table of the outcome contract, code by code, and when a Retry-After counts.</summary>
public sealed class OutcomeClassifierTests
{
    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(299)]
    public void Classify_2xx_Succeeded(int status) => Assert.Equal(OutcomeKind.Succeeded, OutcomeClassifier.Classify(status));

    [Theory]
    [InlineData(408)]
    [InlineData(425)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public void Classify_TransientCodes_Transient(int status) => Assert.Equal(OutcomeKind.Transient, OutcomeClassifier.Classify(status));

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(410)]
    [InlineData(422)]
    [InlineData(501)]
    [InlineData(505)]
    public void Classify_RedirectsAndOtherErrors_Permanent(int status) => Assert.Equal(OutcomeKind.Permanent, OutcomeClassifier.Classify(status));

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void RetryAfter_SecondsOn429Or503_IsThatDelay(int status) =>
        Assert.Equal(TimeSpan.FromSeconds(120), OutcomeClassifier.RetryAfter(status, Outcomes.Seconds(120), Outcomes.Now));

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void RetryAfter_HttpDateOn429Or503_IsTheTimeUntilThen(int status) =>
        Assert.Equal(TimeSpan.FromMinutes(10), OutcomeClassifier.RetryAfter(status, Outcomes.Date(TimeSpan.FromMinutes(10)), Outcomes.Now));

    [Fact]
    public void RetryAfter_HttpDateInThePast_IsZero() =>
        Assert.Equal(TimeSpan.Zero, OutcomeClassifier.RetryAfter(503, Outcomes.Date(TimeSpan.FromMinutes(-1)), Outcomes.Now));

    [Theory]
    [InlineData(200)]
    [InlineData(408)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    [InlineData(410)]
    public void RetryAfter_OnOtherCodes_Ignored(int status) =>
        Assert.Null(OutcomeClassifier.RetryAfter(status, Outcomes.Seconds(120), Outcomes.Now));

    [Fact]
    public void RetryAfter_NoHeader_Null() => Assert.Null(OutcomeClassifier.RetryAfter(429, (RetryConditionHeaderValue?)null, Outcomes.Now));
}
