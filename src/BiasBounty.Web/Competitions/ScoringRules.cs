using Markdig;

namespace BiasBounty.Web.Competitions;

/// <summary>The scoring rules (<c>docs/scoring-rules.md</c>, embedded at build) as HTML for the <c>/rules/scoring</c> page.</summary>
public static class ScoringRules
{
    /// <summary>Where pages link for the rules; append <c>#gates</c>, <c>#ledgers</c>, <c>#release</c>, <c>#models</c> or <c>#points</c>.</summary>
    public const string Path = "/rules/scoring";

    private static readonly Lazy<string> Rendered = new(() =>
    {
        using var stream = typeof(ScoringRules).Assembly.GetManifestResourceStream("scoring-rules.md")
            ?? throw new InvalidOperationException("docs/scoring-rules.md is not embedded in the web assembly");
        using var reader = new StreamReader(stream);
        // Our own text, not a user's: attributes ({#gates}) and tables are allowed.
        var pipeline = new MarkdownPipelineBuilder().UseGenericAttributes().UsePipeTables().Build();
        return Markdown.ToHtml(reader.ReadToEnd(), pipeline);
    });

    public static string Html => Rendered.Value;
}
