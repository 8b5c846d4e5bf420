using Astra.Dispatch.Matching;

namespace Astra.Dispatch.Tests.Matching;

public sealed class EventTypePatternTests
{
    [Theory]
    [InlineData("lead.captured", "lead.captured", true)]
    [InlineData("lead.captured", "lead.captured2", false)]
    [InlineData("form.*", "form.submitted", true)]
    [InlineData("form.*", "form.submitted.v2", false)]
    [InlineData("form.*", "form", false)]
    [InlineData("form.*", "forms.submitted", false)]
    [InlineData("form.**", "form.submitted.v2", true)]
    [InlineData("*.submitted", "form.submitted", true)]
    [InlineData("*.submitted", "a.form.submitted", false)]
    [InlineData("**.submitted", "a.form.submitted", true)]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("lead.*d", "lead.captured", true)]
    [InlineData("lead.*d", "lead.capture", false)]
    public void Matches_Glob_AsDocumented(string pattern, string type, bool expected) =>
        Assert.Equal(expected, new EventTypePattern(pattern).Matches(type));
}
