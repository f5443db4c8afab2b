using System.Globalization;

namespace BiasBounty.Cli;

/// <summary>A user error on the command line: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parsed arguments: positionals, <c>--name value</c> options and <c>--flag</c> switches. Hand-written because the
/// tool has five commands and a dozen options, and every mistake must produce one exact, friendly line.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CommandLine(IEnumerable<string> args, IReadOnlySet<string> flagNames)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var name = arg[2..];
                string? inlineValue = null;
                if (name.IndexOf('=') is var eq and > 0) (name, inlineValue) = (name[..eq], name[(eq + 1)..]);
                if (flagNames.Contains(name))
                {
                    _flags.Add(name);
                    continue;
                }
                var value = inlineValue ?? (i + 1 < list.Count ? list[++i] : throw new UsageException($"--{name} needs a value"));
                if (!_options.TryAdd(name, value)) throw new UsageException($"--{name} is given twice");
            }
            else
            {
                Positionals.Add(arg);
            }
        }
    }

    public List<string> Positionals { get; } = [];

    public bool Flag(string name)
    {
        _used.Add(name);
        return _flags.Contains(name);
    }

    public string? Optional(string name)
    {
        _used.Add(name);
        return _options.GetValueOrDefault(name);
    }

    public string Required(string name, string example) =>
        Optional(name) ?? throw new UsageException($"--{name} is required (e.g. --{name} {example})");

    public int Int(string name, int defaultValue, int min, int max)
    {
        var text = Optional(name);
        if (text is null) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'");
        return value;
    }

    /// <summary>Refuses options the command does not know, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Concat(_flags).FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null) throw new UsageException($"unknown option --{unknown}");
    }
}
