namespace Astra.Dispatch.Management;

/// <summary>One thing wrong with a request: the field (a rule field's path such as <c>request.url</c>, <c>$</c> for the whole body) and why.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>A request the management services refuse, with every problem found at once (the API answers 422).</summary>
public sealed class ManagementValidationException(IReadOnlyList<FieldError> errors)
    : Exception($"{errors.Count} error(s): {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}")
{
    /// <summary>Every problem found.</summary>
    public IReadOnlyList<FieldError> Errors { get; } = errors;

    /// <summary>One problem.</summary>
    public static ManagementValidationException Of(string field, string message) => new([new FieldError(field, message)]);
}
