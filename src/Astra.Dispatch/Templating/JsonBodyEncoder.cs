using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Astra.Dispatch.Templating;

/// <summary>
/// Encodes event data written into a JSON body: <c>"</c>, <c>\</c> and control characters, and also JSON's
/// structural characters <c>{ } [ ] , :</c>, each as <c>\uXXXX</c>. Inside a JSON string that is the same text; outside
/// one it can only make the body invalid JSON (a permanent failure), so data written without quotes can be a
/// scalar at most and never adds a key, an element or a closing quote. <c>{{ x | json }}</c> is exempt (it writes one
/// whole JSON value; see <see cref="TrustedFragments"/>). Everything else, including non-ASCII text, is left as is.
/// </summary>
internal sealed class JsonBodyEncoder : TextEncoder
{
    public static readonly JsonBodyEncoder Instance = new();

    private static readonly SearchValues<char> Special = SearchValues.Create(
        "\"\\{}[],:\u007f" + new string([.. Enumerable.Range(0, 0x20).Select(c => (char)c)]) + new string([.. Enumerable.Range(0xD800, 0x800).Select(c => (char)c)]));

    private JsonBodyEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or 0x7f or '"' or '\\' or '{' or '}' or '[' or ']' or ',' or ':';

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        var offset = 0;
        while (true)
        {
            var i = span[offset..].IndexOfAny(Special);
            if (i < 0)
                return -1;
            i += offset;
            // A well-formed surrogate pair is written as it is; a lone surrogate is replaced by the base encoder.
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                offset = i + 2;
                continue;
            }
            return i;
        }
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        if (!WillEncode(unicodeScalar))
            return new Rune(unicodeScalar).TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        numberOfCharactersWritten = 0;
        if (destination.Length < 6)
            return false;
        destination[0] = '\\';
        destination[1] = 'u';
        ((ushort)unicodeScalar).TryFormat(destination[2..], out _, "X4", CultureInfo.InvariantCulture);
        numberOfCharactersWritten = 6;
        return true;
    }
}
