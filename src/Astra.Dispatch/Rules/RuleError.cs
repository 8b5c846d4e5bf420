namespace Astra.Dispatch.Rules;

/// <summary>One precise validation message: <c>rules.yaml: crm-new-lead.request.url: …</c>.</summary>
public sealed record RuleError(string Source, string RuleId, string Path, string Message)
{
    /// <summary><c>source: rule.path: message</c>.</summary>
    public override string ToString()
    {
        var where = (RuleId, Path) switch
        {
            ("", "") => "",
            ("", _) => Path + ": ",
            (_, "") => RuleId + ": ",
            _ => $"{RuleId}.{Path}: ",
        };
        return $"{Source}: {where}{Message}";
    }
}

/// <summary>Thrown when a rules file or rule set is invalid; carries every error found, not just the first.</summary>
public sealed class RuleValidationException(IReadOnlyList<RuleError> errors)
    : Exception($"{errors.Count} rule error(s):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
{
    /// <summary>Every error found.</summary>
    public IReadOnlyList<RuleError> Errors { get; } = errors;
}
