using System.Globalization;

namespace Astra.Dispatch.Testing;

/// <summary>What the <see cref="HttpReceiver"/> answers. Adjust with <c>with { ... }</c>.</summary>
public sealed record ReceiverResponse
{
    public int StatusCode { get; init; } = 200;

    public string? Body { get; init; }

    public string ContentType { get; init; } = "application/json";

    /// <summary>Response headers (applied after <see cref="ContentType"/>, so they may override it).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Wait this long before answering (cut short if the client gives up).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Never answer: the request stays open until the client aborts it (client timeouts).</summary>
    public bool Hang { get; init; }

    /// <summary>Reset the connection without a response (connection errors).</summary>
    public bool Abort { get; init; }

    public static ReceiverResponse Ok(string? body = null) => new() { Body = body };

    public static ReceiverResponse Status(int statusCode, string? body = null) => new() { StatusCode = statusCode, Body = body };

    /// <summary>A 429/503 style answer with <c>Retry-After: seconds</c>.</summary>
    public static ReceiverResponse RetryAfter(int statusCode, int seconds) =>
        Status(statusCode).WithHeader("Retry-After", seconds.ToString(CultureInfo.InvariantCulture));

    public static ReceiverResponse Hanging() => new() { Hang = true };

    public static ReceiverResponse Aborted() => new() { Abort = true };

    /// <summary>A JSON body of <paramref name="bytes"/> bytes (at least 11): <c>{"data":"xxxx…"}</c>.</summary>
    public static ReceiverResponse Large(int bytes, int statusCode = 200) =>
        Status(statusCode, "{\"data\":\"" + new string('x', Math.Max(0, bytes - 11)) + "\"}");

    public ReceiverResponse WithHeader(string name, string value) =>
        this with { Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { [name] = value } };

    public override string ToString() => Hang ? "hang" : Abort ? "abort" : StatusCode.ToString(CultureInfo.InvariantCulture);
}
