namespace Analytics.Core.Selection;

/// <summary>Shell-style matching with <c>*</c> and <c>?</c>, case-insensitive.</summary>
internal static class Glob
{
    public static bool IsMatch(string text, string pattern) => Match(text.ToLowerInvariant(), 0, pattern.ToLowerInvariant(), 0);

    private static bool Match(string text, int t, string pattern, int p)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == '*')
            {
                for (var skip = t; skip <= text.Length; skip++)
                {
                    if (Match(text, skip, pattern, p + 1))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (t >= text.Length || (pattern[p] != '?' && pattern[p] != text[t]))
            {
                return false;
            }

            t++;
            p++;
        }

        return t == text.Length;
    }
}
