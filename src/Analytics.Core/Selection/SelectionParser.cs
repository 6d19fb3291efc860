using System.Text.RegularExpressions;

namespace Analytics.Core.Selection;

/// <summary>
/// Parses the selection syntax of interfaces.md. Precedence, loosest first: union (<c>or</c> or a space),
/// <c>and</c>, <c>not</c>, then atoms and parentheses.
/// </summary>
public sealed partial class SelectionParser
{
    private static readonly string[] Methods = ["tag", "layer", "key"];
    private readonly string _text;
    private readonly List<(string Text, int Position)> _tokens;
    private int _next;
    private int _nesting;
    private int _terms;

    private SelectionParser(string text)
    {
        _text = text;
        _tokens = Tokenize(text);
    }

    public static SelectionExpression Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new AllSelection();
        }

        if (text.Length > SelectionLimits.MaxLength)
        {
            throw new SelectionException(text, SelectionLimits.MaxLength,
                $"The selection is {text.Length:N0} characters long; at most {SelectionLimits.MaxLength:N0} are allowed. Select by tag:, layer: or key: instead of listing assets.");
        }

        var parser = new SelectionParser(text);
        var expression = parser.ParseUnion();
        if (parser._next < parser._tokens.Count)
        {
            var (token, position) = parser._tokens[parser._next];
            throw new SelectionException(text, position, $"Unexpected '{token}'.");
        }

        return expression;
    }

    private SelectionExpression ParseUnion()
    {
        var left = ParseAnd();
        while (Peek() is { } token && token != ")")
        {
            if (token == "or")
            {
                _next++;
            }

            left = new OrSelection(left, ParseAnd());
        }

        return left;
    }

    private SelectionExpression ParseAnd()
    {
        var left = ParseNot();
        while (Peek() == "and")
        {
            _next++;
            left = new AndSelection(left, ParseNot());
        }

        return left;
    }

    private SelectionExpression ParseNot()
    {
        if (Peek() == "not")
        {
            Enter(_tokens[_next++].Position);
            var inner = new NotSelection(ParseNot());
            _nesting--;
            return inner;
        }

        return ParsePrimary();
    }

    private SelectionExpression ParsePrimary()
    {
        if (_next >= _tokens.Count)
        {
            throw new SelectionException(_text, _text.Length, "The selection ends where an asset, tag:, layer:, key: or '(' was expected.");
        }

        var (token, position) = _tokens[_next++];
        if (token == "(")
        {
            Enter(position);
            var inner = ParseUnion();
            _nesting--;
            if (Peek() != ")")
            {
                throw new SelectionException(_text, _next < _tokens.Count ? _tokens[_next].Position : _text.Length, "Missing ')'.");
            }

            _next++;
            return inner;
        }

        if (token is ")" or "and" or "or")
        {
            throw new SelectionException(_text, position, $"'{token}' cannot start a selection term.");
        }

        if (++_terms > SelectionLimits.MaxTerms)
        {
            throw new SelectionException(_text, position,
                $"The selection has more than {SelectionLimits.MaxTerms} terms; select by tag:, layer: or key: instead of listing assets.");
        }

        return ParseAtom(token, position);
    }

    private void Enter(int position)
    {
        if (++_nesting > SelectionLimits.MaxNesting)
        {
            throw new SelectionException(_text, position, $"Parentheses and 'not' are nested more than {SelectionLimits.MaxNesting} deep.");
        }
    }

    private SelectionExpression ParseAtom(string token, int position)
    {
        var match = AtomPattern().Match(token);
        if (!match.Success || (match.Groups["at"].Success && (match.Groups["up"].Success || match.Groups["down"].Success)))
        {
            throw new SelectionException(_text, position,
                $"'{token}' is not a selection term; use name, +name, name+, 2+name, name+1, @name, tag:x, layer:x or key:glob.");
        }

        var body = match.Groups["body"].Value;
        var bodyPosition = position + match.Groups["body"].Index;
        SelectionExpression inner;
        if (body == "*")
        {
            inner = new AllSelection();
        }
        else if (body.Contains(':'))
        {
            var method = body[..body.IndexOf(':')];
            var value = body[(body.IndexOf(':') + 1)..];
            if (!Methods.Contains(method))
            {
                throw new SelectionException(_text, bodyPosition, $"Unknown selection method '{method}:'; use tag:, layer: or key:.");
            }

            if (value.Length == 0)
            {
                throw new SelectionException(_text, bodyPosition + method.Length + 1, $"'{method}:' needs a value, e.g. {method}:growth.");
            }

            inner = new MethodSelection(method, value);
        }
        else
        {
            inner = new NameSelection(body, _text, bodyPosition);
        }

        var up = match.Groups["up"];
        var down = match.Groups["down"];
        var at = match.Groups["at"].Success;
        if (!up.Success && !down.Success && !at)
        {
            return inner;
        }

        return new GraphSelection(inner, up.Success, Hops(match.Groups["updepth"], position), down.Success,
            Hops(match.Groups["downdepth"], position), at);
    }

    private int? Hops(Group group, int position)
    {
        if (!group.Success || group.Length == 0)
        {
            return null;
        }

        // At most nine digits are parsed: "2147483648" is a clear error, not an overflow.
        var hops = group.Length > 9 ? 0 : int.Parse(group.Value);
        if (hops is < 1 or > SelectionLimits.MaxHops)
        {
            throw new SelectionException(_text, position + group.Index,
                $"'{group.Value}' hops is out of range; a depth is between 1 and {SelectionLimits.MaxHops} (or leave it out for all).");
        }

        return hops;
    }

    private string? Peek() => _next < _tokens.Count ? _tokens[_next].Text : null;

    private static List<(string, int)> Tokenize(string text)
    {
        var tokens = new List<(string, int)>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text[i] is '(' or ')')
            {
                tokens.Add((text[i].ToString(), i));
                i++;
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not '(' and not ')')
                {
                    i++;
                }

                tokens.Add((text[start..i], start));
            }
        }

        return tokens;
    }

    [GeneratedRegex(@"^(?<at>@)?(?<up>(?<updepth>[0-9]*)\+)?(?<body>[A-Za-z0-9_*?:.\-]+?)(?<down>\+(?<downdepth>[0-9]*))?$")]
    private static partial Regex AtomPattern();
}
