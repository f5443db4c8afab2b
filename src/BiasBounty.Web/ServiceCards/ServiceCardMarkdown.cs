using System.Globalization;
using System.Text;
using BiasBounty.Web.Hosting;

namespace BiasBounty.Web.ServiceCards;

/// <summary>The Markdown form of a <see cref="ServiceCardDocument"/> (the same sections, in the same order, as the page).</summary>
public static class ServiceCardMarkdown
{
    public static string Render(ServiceCardDocument card)
    {
        var md = new StringBuilder();
        var a = card.About;
        md.AppendLine($"# Service card: {a.Competition}, model version {a.Version}");
        md.AppendLine();
        md.AppendLine($"Produced {DisplayTime.Utc(a.ProducedAt)}. Competition {a.CompetitionStatus.ToLowerInvariant()}; the newest version is {a.NewestVersion}. {a.Url}");

        Section(md, "Model details");
        md.AppendLine(card.Model.Summary).AppendLine();
        md.AppendLine($"- Task: {card.Model.Task}");
        md.AppendLine($"- Version {a.Version} published {DisplayTime.Utc(card.Model.VersionCreatedAt)}; {card.Model.Fixes} accepted fixes, {card.Model.Repairs} repairs");
        if (card.Model.OnnxDownload is { } onnx) md.AppendLine($"- One ONNX file: {onnx} ({card.Model.Inputs})");
        if (card.Model.DecisionListDownload is { } list) md.AppendLine($"- Newest version as a decision list: {list}");
        md.AppendLine().AppendLine("### Version history").AppendLine();
        md.AppendLine($"| Version | Published | {card.Metric.Label} | 95 % interval | Fix by | Group |");
        md.AppendLine("| ---: | --- | ---: | --- | --- | --- |");
        foreach (var v in card.VersionHistory)
            md.AppendLine($"| {v.Version} | {DisplayTime.Utc(v.CreatedAt)} | {Percent(v.LossPercent)} | {Interval(v.Interval)} | {Cell(v.Team ?? "base model")} | {Code(v.Group)} |");

        Section(md, "Intended use");
        md.AppendLine(Organizer(card.IntendedUse.PrimaryUses)).AppendLine();
        md.AppendLine("### Not suited for").AppendLine();
        md.AppendLine(Organizer(card.IntendedUse.OutOfScope));

        Section(md, "Factors");
        md.AppendLine($"Feature columns: {string.Join(", ", card.Factors.FeatureColumns.Select(c => $"`{c}`"))}.").AppendLine();
        md.AppendLine(card.Factors.ProtectedColumns.Count == 0 ? "Protected columns: none marked." : $"Protected columns: {string.Join(", ", card.Factors.ProtectedColumns)}.");
        if (card.Factors.NotModelInputs.Count > 0) md.AppendLine().AppendLine($"Not model inputs: {string.Join(", ", card.Factors.NotModelInputs)}.");
        md.AppendLine().AppendLine(card.Factors.Note);

        Section(md, "Metric");
        md.AppendLine($"{card.Metric.Label} (`{card.Metric.Name}`). {card.Metric.HowMeasured}");

        Section(md, "Evaluation data");
        var e = card.EvaluationData;
        md.AppendLine($"A holdout of {e.HoldoutRows:N0} rows: {e.FeedbackRows:N0} in the feedback part, {e.ConfirmationRows:N0} in the confirmation part. {e.Split}").AppendLine();
        md.AppendLine(e.Note);

        Section(md, "Training data");
        var t = card.TrainingData;
        md.AppendLine($"The public training data: {t.Rows:N0} rows, {t.FeatureCount} feature columns" +
                      (t.Label is null ? "." : $", label `{t.Label}`{(t.PositiveRows is { } p ? $" ({p:N0} rows of class {t.PositiveClass})" : "")}.") +
                      $" Data card: {t.DataCardDownload}; the file: {t.TrainingDownload}");

        Section(md, "Quantitative analysis");
        var q = card.QuantitativeAnalysis;
        md.AppendLine(q.Note).AppendLine();
        if (q.Overall is not null || q.Groups.Count > 0)
        {
            md.AppendLine("| Group | Size | Version 0 | 95 % interval | This version | 95 % interval |");
            md.AppendLine("| --- | --- | ---: | --- | ---: | --- |");
            foreach (var g in (q.Overall is null ? [] : new[] { q.Overall }).Concat(q.Groups))
                md.AppendLine($"| {(g.Columns.Count == 0 ? "all rows" : Code(g.Group))} | {g.Size} | {Percent(g.Base.Percent)} | {Interval(g.Base.Interval)} | {Percent(g.This.Percent)} | {Interval(g.This.Interval)} |");
        }
        if (q.NotBrokenDown.Count > 0) md.AppendLine().AppendLine($"Not broken down by value: {string.Join(", ", q.NotBrokenDown.Select(c => $"`{c}`"))}.");

        Section(md, "Verified findings");
        if (card.VerifiedFindings.Count == 0) md.AppendLine("No finding has been disclosed yet.");
        foreach (var f in card.VerifiedFindings)
            md.AppendLine($"- {Code(f.Group)} found by {f.Team} ({f.Size}; error on the feedback part {Percent(f.ErrorPercent)}{(f.Gap is null ? "" : $", gap {f.Gap}")}), disclosed {DisplayTime.Utc(f.DisclosedAt)}");

        Section(md, "Accepted fixes");
        if (card.AcceptedFixes.Count == 0) md.AppendLine("No fix has been accepted up to this version.");
        foreach (var f in card.AcceptedFixes)
            md.AppendLine($"- Version {f.Version}: {f.Team} mended {Code(f.Group)} ({card.Metric.Label.ToLowerInvariant()} after: {Percent(f.LossAfterPercent)}), {DisplayTime.Utc(f.AcceptedAt)}");

        Considerations(md, "Ethical considerations", card.EthicalConsiderations);
        Considerations(md, "Caveats and recommendations", card.Caveats);

        Section(md, "Test it on your own data");
        md.AppendLine(card.TestOnYourData.Text).AppendLine();
        md.AppendLine("```sh");
        foreach (var command in card.TestOnYourData.Commands) md.AppendLine(command);
        md.AppendLine("```");
        return md.ToString();
    }

    private static void Considerations(StringBuilder md, string title, CardConsiderations section)
    {
        Section(md, title);
        md.AppendLine(Organizer(section.Organizer)).AppendLine();
        foreach (var point in section.Platform) md.AppendLine($"- {point}");
    }

    private static string Organizer(OrganizerText text) => text.ByOrganizer ? text.Text : $"*{text.Text}*";

    private static void Section(StringBuilder md, string title) => md.AppendLine().AppendLine($"## {title}").AppendLine();

    private static string Percent(double? percent) => percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "—";

    private static string Interval(CardInterval? interval) => interval is null ? "—"
        : $"{interval.LowerPercent.ToString("0.0", CultureInfo.InvariantCulture)}–{interval.UpperPercent.ToString("0.0", CultureInfo.InvariantCulture)} %";

    private static string Code(string? text) => text is null ? "" : $"`{Cell(text)}`";

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
