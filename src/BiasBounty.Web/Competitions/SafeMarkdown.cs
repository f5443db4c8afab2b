using Markdig;

namespace BiasBounty.Web.Competitions;

/// <summary>Organizer Markdown rendered for participants: raw HTML is escaped, never passed through.</summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseAutoLinks().DisableHtml().Build();

    public static string ToHtml(string? markdown) => Markdown.ToHtml(markdown ?? "", Pipeline);
}
