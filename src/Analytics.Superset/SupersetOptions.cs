namespace Analytics.Superset;

/// <summary>
/// The Superset area's settings, bound from <c>Analytics:Superset</c> (earlier: <c>SUPERSET_USERNAME</c>,
/// <c>SUPERSET_PASSWORD</c>, <c>ANALYTICS_SUPERSET_READER_PASSWORD</c>): the admin login <c>superset publish</c> uses,
/// and the password the Superset reader role is given.
/// </summary>
public sealed class SupersetOptions
{
    public const string Section = "Analytics:Superset";

    /// <summary>The reader role's password is a literal of ALTER ROLE (which takes no parameters): held to characters that need no quoting.</summary>
    public const int MinReaderPassword = 12, MaxReaderPassword = 128;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? ReaderPassword { get; set; }

    /// <summary>Whether <paramref name="password"/> may be given to the reader role.</summary>
    public static bool IsReaderPassword(string password) =>
        password.Length is >= MinReaderPassword and <= MaxReaderPassword && password.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '~' or '-');

    /// <summary>What is wrong with these settings, each naming its setting and the fix; empty when nothing is.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            problems.Add("Analytics:Superset:Username and Analytics:Superset:Password (SUPERSET_USERNAME and SUPERSET_PASSWORD) go together: set both to a "
                         + "Superset admin's login, or neither");
        }

        if (!string.IsNullOrEmpty(ReaderPassword) && !IsReaderPassword(ReaderPassword))
        {
            problems.Add($"Analytics:Superset:ReaderPassword (ANALYTICS_SUPERSET_READER_PASSWORD) must be {MinReaderPassword} to {MaxReaderPassword} letters, "
                         + "digits, '.', '_', '~' or '-'; generate one, e.g. with 'openssl rand -hex 24'");
        }

        return problems;
    }
}
