using System.Text;

namespace Astra.Dispatch.Templating;

/// <summary>A string writer that refuses to grow past a limit, so a template loop cannot exhaust memory.</summary>
internal sealed class BoundedStringWriter(int maxChars) : StringWriter
{
    private void Ensure(int more)
    {
        if (GetStringBuilder().Length + more > maxChars)
            throw new TemplateLimitException($"rendered output exceeds {maxChars} characters");
    }

    public override void Write(char value)
    {
        Ensure(1);
        base.Write(value);
    }

    public override void Write(string? value)
    {
        Ensure(value?.Length ?? 0);
        base.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Ensure(count);
        base.Write(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Ensure(buffer.Length);
        base.Write(buffer);
    }

    public override void Write(StringBuilder? value)
    {
        Ensure(value?.Length ?? 0);
        base.Write(value);
    }
}

internal sealed class TemplateLimitException(string message) : Exception(message);
