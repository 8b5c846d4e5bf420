namespace Astra.Dispatch.Testing;

internal static class TextFiles
{
    /// <summary>The last <paramref name="lines"/> lines of a file another process may be writing, or why it cannot be read.</summary>
    public static string Tail(string file, int lines)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(cannot read: {ex.Message})";
        }
    }
}
