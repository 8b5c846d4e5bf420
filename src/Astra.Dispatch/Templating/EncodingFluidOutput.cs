using System.Text.Encodings.Web;
using Fluid;

namespace Astra.Dispatch.Templating;

/// <summary>An output that encodes everything written to it before passing it on (see <see cref="GuardedValue"/>).</summary>
internal sealed class EncodingFluidOutput(IFluidOutput inner, TextEncoder encoder) : IFluidOutput
{
    private char[] _scratch = [];

    public void Write(string value)
    {
        if (!string.IsNullOrEmpty(value))
            inner.Write(encoder.Encode(value));
    }

    public void Write(char[] buffer, int index, int count)
    {
        if (count > 0)
            inner.Write(encoder.Encode(new string(buffer, index, count)));
    }

    public void Advance(int count) => Write(_scratch, 0, count);

    public Memory<char> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

    public Span<char> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

    public ValueTask FlushAsync() => inner.FlushAsync();

    private char[] Scratch(int sizeHint)
    {
        var size = Math.Max(sizeHint, 256);
        if (_scratch.Length < size)
            _scratch = new char[size];
        return _scratch;
    }
}
