using System.Globalization;
using System.Text;

namespace BiasBounty.Scoring.Expressions;

internal enum TokenKind
{
    Identifier,
    Number,
    String,
    And,
    Or,
    Not,
    In,
    Is,
    Missing,
    LeftParen,
    RightParen,
    Comma,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    End,
}

/// <summary>One token. <see cref="Value"/> is a column name or a string's content; <see cref="Number"/> a number's value.</summary>
internal readonly record struct Token(TokenKind Kind, int Position, string Text, string Value = "", float Number = 0)
{
    /// <summary>How an error message refers to the token.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the expression",
        TokenKind.String => Text,
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits an expression into tokens on demand, so the first error reported is the leftmost one. Positions are 1-based.
/// </summary>
internal sealed class Lexer(string text)
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["not"] = TokenKind.Not,
        ["in"] = TokenKind.In,
        ["is"] = TokenKind.Is,
        ["missing"] = TokenKind.Missing,
    };

    private int _index;

    /// <summary>Whether <paramref name="name"/> can be written without backquotes (and reads back as the same name).</summary>
    public static bool IsPlainIdentifier(string name)
    {
        if (name.Length == 0 || !IsIdentifierStart(name[0]) || Keywords.ContainsKey(name)) return false;
        foreach (var c in name)
            if (!IsIdentifierPart(c)) return false;
        return true;
    }

    public Token Next()
    {
        while (_index < text.Length && char.IsWhiteSpace(text[_index])) _index++;
        if (_index >= text.Length) return new Token(TokenKind.End, text.TrimEnd().Length + 1, "");
        var start = _index;
        var c = text[start];
        if (IsIdentifierStart(c)) return Identifier(start);
        if (char.IsAsciiDigit(c) || (c is '-' or '.' && start + 1 < text.Length && (char.IsAsciiDigit(text[start + 1]) || (c == '-' && text[start + 1] == '.'))))
            return NumberToken(start);
        switch (c)
        {
            case '"' or '\'': return StringToken(start, c);
            case '`': return QuotedIdentifier(start);
            case '(': return Symbol(TokenKind.LeftParen, 1);
            case ')': return Symbol(TokenKind.RightParen, 1);
            case ',': return Symbol(TokenKind.Comma, 1);
            case '=' when Peek(1) == '=': return Symbol(TokenKind.Equal, 2);
            case '!' when Peek(1) == '=': return Symbol(TokenKind.NotEqual, 2);
            case '<' when Peek(1) == '=': return Symbol(TokenKind.LessOrEqual, 2);
            case '>' when Peek(1) == '=': return Symbol(TokenKind.GreaterOrEqual, 2);
            case '<' when Peek(1) == '>': throw new ExpressionException("'<>' is not an operator; write '!='", start + 1);
            case '<': return Symbol(TokenKind.Less, 1);
            case '>': return Symbol(TokenKind.Greater, 1);
            case '=': throw new ExpressionException("'=' is not an operator; write '==' to compare", start + 1);
            case '!': throw new ExpressionException("'!' is not an operator; write '!=' or 'not'", start + 1);
            case '&': throw new ExpressionException($"'{(Peek(1) == '&' ? "&&" : "&")}' is not an operator; write 'and'", start + 1);
            case '|': throw new ExpressionException($"'{(Peek(1) == '|' ? "||" : "|")}' is not an operator; write 'or'", start + 1);
            default: throw new ExpressionException(UnexpectedCharacter(start), start + 1);
        }
    }

    private char Peek(int offset) => _index + offset < text.Length ? text[_index + offset] : '\0';

    private Token Symbol(TokenKind kind, int length)
    {
        var token = new Token(kind, _index + 1, text.Substring(_index, length));
        _index += length;
        return token;
    }

    private Token Identifier(int start)
    {
        var end = start + 1;
        while (end < text.Length && IsIdentifierPart(text[end])) end++;
        _index = end;
        var word = text[start..end];
        return Keywords.TryGetValue(word, out var keyword)
            ? new Token(keyword, start + 1, word)
            : new Token(TokenKind.Identifier, start + 1, word, word);
    }

    private Token QuotedIdentifier(int start)
    {
        var name = ReadQuoted(start, '`', "`", "unterminated column name; add a closing `");
        if (name.Length == 0) throw new ExpressionException("empty column name between backquotes", start + 1);
        return new Token(TokenKind.Identifier, start + 1, text[start.._index], name);
    }

    private Token StringToken(int start, char quote)
    {
        var value = ReadQuoted(start, quote, "\"'", $"unterminated text; add a closing {quote}");
        return new Token(TokenKind.String, start + 1, text[start.._index], value);
    }

    /// <summary>Reads from the opening quote at <paramref name="start"/> to the closing one; a backslash escapes itself and <paramref name="escapable"/>.</summary>
    private string ReadQuoted(int start, char quote, string escapable, string unterminated)
    {
        var value = new StringBuilder();
        var i = start + 1;
        while (true)
        {
            if (i >= text.Length) throw new ExpressionException(unterminated, start + 1);
            var c = text[i];
            if (c == quote) break;
            if (c == '\\')
            {
                if (i + 1 >= text.Length) throw new ExpressionException(unterminated, start + 1);
                var escaped = text[i + 1];
                if (escaped != '\\' && !escapable.Contains(escaped))
                {
                    var allowed = string.Join(", ", escapable.Select(e => $"\\{e}"));
                    throw new ExpressionException($"unknown escape '\\{escaped}'; the escapes are {allowed} and \\\\", i + 1);
                }
                value.Append(escaped);
                i += 2;
                continue;
            }
            value.Append(c);
            i++;
        }
        _index = i + 1;
        return value.ToString();
    }

    private Token NumberToken(int start)
    {
        var i = start;
        if (text[i] == '-') i++;
        var digits = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++) digits++;
        if (i < text.Length && text[i] == '.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit(text[i]); i++) digits++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < text.Length && text[j] is '+' or '-') j++;
            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                while (j < text.Length && char.IsAsciiDigit(text[j])) j++;
                i = j;
            }
        }
        if (digits == 0 || (i < text.Length && IsIdentifierPart(text[i]) && text[i] != '-'))
        {
            // "60abc", "1.2.3", "1e": report the whole word rather than an odd token after it.
            while (i < text.Length && IsIdentifierPart(text[i])) i++;
            throw new ExpressionException($"'{text[start..i]}' is not a number", start + 1);
        }
        _index = i;
        var written = text[start..i];
        // Parsed straight to float, exactly as the loader parses the data, so equal text means equal values.
        var value = float.Parse(written, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!float.IsFinite(value))
            throw new ExpressionException($"the number {written} is out of range; numbers must lie between -3.4e38 and 3.4e38", start + 1);
        return new Token(TokenKind.Number, start + 1, written, Number: value == 0 ? 0f : value); // no negative zero
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    /// <summary>
    /// The character at <paramref name="start"/> as a person sees it: a character outside the BMP (an emoji) is one
    /// character, not the first half of its surrogate pair, and a non-ASCII one comes with how to write it.
    /// </summary>
    private string UnexpectedCharacter(int start)
    {
        var c = text[start];
        if (char.IsControl(c) || char.IsWhiteSpace(c)) return $"unexpected character U+{(int)c:X4}";
        if (char.IsAscii(c)) return $"unexpected character '{c}'";
        if (Rune.DecodeFromUtf16(text.AsSpan(start), out var rune, out _) != System.Buffers.OperationStatus.Done)
            return $"unexpected character U+{(int)c:X4}, half of a character that is not valid Unicode text";
        // The word the character sits in, as the user might have meant it: a column name or a value.
        var (from, end) = (start, start);
        while (from > 0 && IsIdentifierPart(text[from - 1])) from--;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && "()=!<>,\"'`".IndexOf(text[end]) < 0) end++;
        var word = end - from <= 40 ? text[from..end] : "…";
        return $"unexpected character '{rune}' (U+{rune.Value:X4}); a column name written as is uses only the letters a-z and A-Z, " +
               $"digits, '_', '.' and '-', so write this one between backquotes, like `{word}`, and text between double quotes, like \"{word}\"";
    }
}
