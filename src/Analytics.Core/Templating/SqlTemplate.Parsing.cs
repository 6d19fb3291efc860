using System.Text.RegularExpressions;

namespace Analytics.Core.Templating;

public sealed partial class SqlTemplate
{
    /// <summary>Parses <paramref name="source"/>; <paramref name="firstLine"/> is the file line it starts on.</summary>
    public static SqlTemplate Parse(string source, string path = "<sql>", int firstLine = 1)
    {
        var tokens = Tokenize(source, path, firstLine);
        var position = 0;
        var nodes = ParseBlock(tokens, ref position, path, topLevel: true);
        return new SqlTemplate(path, nodes);
    }

    private enum TokenKind { Text, Expression, Tag }

    private sealed record Token(TokenKind Kind, string Text, int Line);

    private static List<Token> Tokenize(string source, string path, int firstLine)
    {
        var tokens = new List<Token>();
        var i = 0;
        var line = firstLine;
        while (i < source.Length)
        {
            var open = IndexOfOpen(source, i);
            if (open < 0)
            {
                tokens.Add(new Token(TokenKind.Text, source[i..], line));
                break;
            }

            if (open > i)
            {
                tokens.Add(new Token(TokenKind.Text, source[i..open], line));
                line += CountLines(source, i, open);
            }

            var isExpression = source[open + 1] == '{';
            var closer = isExpression ? "}}" : "%}";
            var close = source.IndexOf(closer, open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new TemplateException($"{path}:{line}: '{source.Substring(open, 2)}' is never closed; add '{closer}'.");
            }

            tokens.Add(new Token(isExpression ? TokenKind.Expression : TokenKind.Tag, source[(open + 2)..close].Trim(), line));
            line += CountLines(source, open, close);
            i = close + 2;
        }

        return tokens;
    }

    private static int IndexOfOpen(string source, int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%')
            {
                return i;
            }
        }

        return -1;
    }

    private static int CountLines(string s, int from, int to)
    {
        var n = 0;
        for (var i = from; i < to; i++)
        {
            if (s[i] == '\n')
            {
                n++;
            }
        }

        return n;
    }

    private static List<TemplateNode> ParseBlock(List<Token> tokens, ref int position, string path, bool topLevel)
    {
        var nodes = new List<TemplateNode>();
        while (position < tokens.Count)
        {
            var token = tokens[position];
            switch (token.Kind)
            {
                case TokenKind.Text:
                    nodes.Add(new TextNode(token.Text, token.Line));
                    position++;
                    break;
                case TokenKind.Expression:
                    nodes.Add(ParseExpression(token, path));
                    position++;
                    break;
                default:
                    if (token.Text is "else" or "endif")
                    {
                        if (topLevel)
                        {
                            throw new TemplateException($"{path}:{token.Line}: '{{% {token.Text} %}}' without a matching '{{% if %}}'.");
                        }

                        return nodes;
                    }

                    nodes.Add(ParseIf(tokens, ref position, path));
                    break;
            }
        }

        if (!topLevel)
        {
            throw new TemplateException($"{path}: '{{% if %}}' is never closed; add '{{% endif %}}'.");
        }

        return nodes;
    }

    private static IfIncrementalNode ParseIf(List<Token> tokens, ref int position, string path)
    {
        var token = tokens[position];
        var match = IfPattern().Match(token.Text);
        if (!match.Success)
        {
            throw new TemplateException(
                $"{path}:{token.Line}: '{{% {token.Text} %}}' is not supported; only '{{% if is_incremental() %}}', "
                + "'{% if not is_incremental() %}', '{% else %}' and '{% endif %}' are.");
        }

        position++;
        var then = ParseBlock(tokens, ref position, path, topLevel: false);
        IReadOnlyList<TemplateNode> otherwise = [];
        if (tokens[position].Text == "else")
        {
            position++;
            otherwise = ParseBlock(tokens, ref position, path, topLevel: false);
            if (tokens[position].Text != "endif")
            {
                throw new TemplateException($"{path}:{tokens[position].Line}: a second '{{% else %}}'; close the block with '{{% endif %}}'.");
            }
        }

        position++;
        return new IfIncrementalNode(match.Groups["not"].Success, then, otherwise, token.Line);
    }

    private static ExpressionNode ParseExpression(Token token, string path)
    {
        var text = token.Text;
        if (text == "this")
        {
            return new ExpressionNode("this", [], token.Line);
        }

        var paren = text.IndexOf('(');
        if (paren < 0 || text[^1] != ')')
        {
            throw new TemplateException($"{path}:{token.Line}: '{{{{ {text} }}}}' is not a function call; expected e.g. {{{{ ref('stg_events') }}}}.");
        }

        var name = text[..paren].Trim();
        if (!Functions.TryGetValue(name, out var expected))
        {
            throw new TemplateException(
                $"{path}:{token.Line}: unknown function '{name}'; known: {string.Join(", ", Functions.Keys.Order())}.");
        }

        var args = SplitArguments(text[(paren + 1)..^1]);
        if (args.Count != expected)
        {
            throw new TemplateException($"{path}:{token.Line}: {name}() takes {expected} argument(s), got {args.Count}.");
        }

        if (name is "ref" or "changed")
        {
            var target = Unquote(args[0]) ?? throw new TemplateException(
                $"{path}:{token.Line}: {name}() takes a quoted asset name, e.g. {name}('{(name == "ref" ? "stg_events" : "raw_events")}').");
            args = [target];
        }
        else if (name == "cast")
        {
            var type = Unquote(args[1]) ?? args[1];
            if (!CastTypes.Contains(type.ToLowerInvariant()))
            {
                throw new TemplateException(
                    $"{path}:{token.Line}: cast() takes one of {string.Join(", ", CastTypes)} as its type, not {args[1]}.");
            }

            args = [args[0], type.ToLowerInvariant()];
        }
        else if (name is "join_series" or "distinct_on" or "keep_first" or "presorted_by")
        {
            // Column names and lists may be quoted, so a list's commas stay inside one argument.
            args = args.Select(a => Unquote(a) ?? a).ToList();
        }

        return new ExpressionNode(name, args, token.Line);
    }

    private static List<string> SplitArguments(string text)
    {
        var args = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return args;
        }

        var depth = 0;
        char? quote = null;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                args.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        args.Add(text[start..].Trim());
        return args;
    }

    [GeneratedRegex(@"^if\s+(?<not>not\s+)?is_incremental\(\)$")]
    private static partial Regex IfPattern();
}
