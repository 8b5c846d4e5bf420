namespace Astra.Dispatch.Templating;

/// <summary>A render went over one of the <see cref="TemplateLimits"/>; the message names the limit, never the data.</summary>
public sealed class TemplateLimitException(string message) : Exception(message);
