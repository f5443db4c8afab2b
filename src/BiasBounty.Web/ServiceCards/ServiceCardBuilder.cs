using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Statistics;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Leaderboard;
using BiasBounty.Web.Persistence;
using BiasBounty.Web.Worker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.ServiceCards;

/// <summary>
/// Builds the <see cref="ServiceCardDocument"/> of one published version: the public facts from the leaderboard
/// (<see cref="LeaderboardQuery"/>: versions with the credited teams, disclosed findings), the public data card, the
/// organizer's notes, and the per-group analysis, which the engine (<see cref="GroupBreakdown"/>) measures on the
/// holdout's feedback part from the version's cached holdout predictions. Groups come from the public data card only;
/// what leaves the holdout is a size band and rounded percentages with 95 % intervals, for groups of at least the
/// competition's least group size.
/// </summary>
public sealed class ServiceCardBuilder(
    ApplicationDbContext db, LeaderboardQuery leaderboard, PublicDataCache publicData, CompetitionRuntimeCache runtimes,
    IOptions<PlatformOptions> platform)
{
    /// <summary>The card of <paramref name="version"/>, or null when the competition is a draft or has no such version.</summary>
    public async Task<ServiceCardDocument?> BuildAsync(Competition competition, int version, DateTimeOffset now, CancellationToken ct = default)
    {
        var board = await leaderboard.ForAsync(competition.Slug, ct);
        var latest = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == competition.Id)
            .OrderByDescending(v => v.Version).Select(v => new { v.Version, v.ListJson }).FirstOrDefaultAsync(ct);
        if (board is null || latest is null || version < 0 || version > latest.Version) return null;
        var data = await publicData.GetAsync(db, competition.Id, ct);
        var notes = await db.ServiceCardNotes.AsNoTracking().SingleOrDefaultAsync(n => n.CompetitionId == competition.Id, ct) ?? new ServiceCardNotes();
        var list = PointerDecisionList.FromJson(latest.ListJson);
        var settings = competition.ScoringSettings();
        var metric = competition.Metric.Definition();
        var holdout = competition.HoldoutFileId is null ? null : (await runtimes.GetAsync(db, competition, ct)).Holdout;
        // Every version's holdout predictions are cached in the newest list, on the holdout it was last moved to.
        var predictions = holdout is not null && list.HoldoutHash == holdout.ContentHash && metric.ScoresPredictions ? list.Versions.Select(v => v.HoldoutPredictions).ToArray() : null;

        var slug = competition.Slug;
        var nodes = list.Nodes.Take(list.Versions[version].NodeCount).ToArray();
        var shown = board.Versions.Where(v => v.Version <= version).ToArray();
        var exportable = metric.ScoresPredictions;
        var about = new CardAbout(competition.Name, slug, version, latest.Version, competition.Status.ToString(), now, Url($"competitions/{slug}/service-card/{version}"));
        var model = new CardModel(
            exportable
                ? $"Version {version} of the competition's model: the organizer's base model with {Count(nodes.OfType<UpdateNode>().Count(), "accepted fix", "accepted fixes")} " +
                  $"and {Count(nodes.OfType<RepairNode>().Count(), "repair", "repairs")} (a decision list: the newest fix whose group holds a row predicts it; a repair restores an earlier version's predictions for a group a later fix harmed)."
                : $"Version {version} of the evaluated system: an evaluation-table competition scores the organizer's per-row errors, so there is no model to run or download.",
            Task(data?.Card), data?.Card.Label, data?.Card.PositiveClass, nodes.OfType<UpdateNode>().Count(), nodes.OfType<RepairNode>().Count(),
            board.Versions.FirstOrDefault(v => v.Version == version)?.CreatedAt ?? now,
            exportable ? Url($"competitions/{slug}/download/model.onnx?version={version}") : null,
            exportable ? Url($"competitions/{slug}/download/model") : null,
            "One ONNX input per feature column, [N, 1]: float for numeric columns (NaN = missing), string for text columns (\"\" = missing); output \"prediction\", float [N].");

        var history = shown.Select(v => new CardVersion(v.Version, v.CreatedAt, v.ErrorPercent,
            predictions is null || holdout is null ? null
                : GroupBreakdown.Measure(holdout.Y, holdout.Feedback, predictions[v.Version], competition.Metric, settings.LossCap, 1) is { } overall ? Interval(overall.Interval) : null,
            v.Team, v.Group)).ToArray();

        var features = data?.Card.Features.Select(f => f.Name).ToArray() ?? [];
        // The organizer marks protected columns on the deployers page (Deployers/); the card names them and analyses every factor.
        var protectedColumns = competition.ProtectedColumns.Where(features.Contains).ToArray();
        var factors = new CardFactors(features, protectedColumns, data?.Card.NotModelInputs ?? [],
            (protectedColumns.Length == 0
                ? "The organizer has not marked protected attributes (such as sex, race or age), so the card treats every feature column as a factor: "
                : $"The organizer marks {string.Join(", ", protectedColumns)} as protected; the card treats every feature column as a factor: ") +
            "groups are formed from the categorical feature columns' public values, one column at a time and as pairs of columns with few " +
            "values. Columns that are not model inputs are never used for groups.");

        var metricSection = new CardMetric(metric.Name, metric.Label, HowMeasured(metric, settings));
        var evaluation = holdout is null ? new CardEvaluationData(0, 0, 0, "The competition has no holdout yet.", "")
            : new CardEvaluationData(holdout.RowCount, holdout.Feedback.Count(), holdout.Confirmation.Count(),
                $"The organizer's holdout is split once, with a fixed seed, into a feedback part ({settings.FeedbackShare:P0}) and a confirmation part " +
                (holdout.Clusters is null ? "(stratified by label)." : "(by cluster, so that rows of one cluster stay together)."),
                "The holdout is never published: participants and this card see only released numbers computed on it. Findings are tested and " +
                "fixes verified on the confirmation part; the feedback part gives the numbers the leaderboard and this card show.");
        var training = data is null
            ? new CardTrainingData(0, null, null, null, 0, Url($"competitions/{slug}/download/schema.json"), Url($"competitions/{slug}/download/training"))
            : new CardTrainingData(data.Card.Rows, data.Card.Label, data.Card.PositiveClass, data.Card.PositiveRows, data.Card.Features.Count,
                Url($"competitions/{slug}/download/schema.json"), Url($"competitions/{slug}/download/training"));

        var analysis = Analysis(competition, data?.Card, holdout, predictions, version, settings);

        var findings = board.DisclosedFindings.Where(f => f.DisclosedAt <= now)
            .Select(f => new CardFinding(f.Expression, f.Team, f.SizeBand, f.ErrorBeforePercent, f.GapBand, f.DisclosedAt)).ToArray();
        var fixes = shown.Where(v => v.Team is not null && v.Group is not null)
            .Select(v => new CardFix(v.Version, v.Team!, v.Group!, v.ErrorPercent, v.CreatedAt)).ToArray();

        var ethics = new CardConsiderations(Text(notes.EthicalConsiderations, "The organizer has not described the ethical considerations of this model."),
        [
            "A bias bounty finds and mends groups on which the model errs more than elsewhere; it does not show that the model is fair, nor that groups not listed here are served well.",
            protectedColumns.Length == 0
                ? "No attribute is marked as protected; a group defined by a protected attribute is analysed only if that attribute is a categorical feature column."
                : "Groups of the protected columns are analysed like every other categorical column; a protected attribute that is not a feature column cannot be analysed here.",
            "Each fix was accepted only after a statistical test on rows no participant saw, and the repair rule keeps a fix from making earlier-mended groups worse by more than the competition's tolerance.",
        ]);
        var caveats = new CardConsiderations(Text(notes.Caveats, "The organizer has not described caveats of this model."),
        [
            "The numbers are estimates on a sample: read the 95 % intervals, not only the percentages. Intervals of different groups overlap in rows and are not adjusted for the many groups shown.",
            $"Groups with fewer than {settings.MinGroupRows:N0} eligible rows on the feedback part are not shown (too few rows for a number worth reading), and neither are numeric columns or categorical columns with more than {GroupBreakdown.MaxValuesPerColumn} values.",
            "Participants saw the feedback part's numbers while they searched, so this version's numbers there may be slightly optimistic; the confirmation part, which decided every fix, is never released.",
            "The holdout reflects the organizer's data; the model may do differently on other populations, at other times, or where the data are collected differently.",
        ]);
        var test = new CardTestYourself(
            "Test it on your own data before you rely on it. If the organizer invites you as a deployer (ask them), replay every version on your labelled rows on the platform, privately: " +
            "the error by group with 95 % intervals, flags where your rows show a gap the holdout did not, and an automatic search for groups it errs on. " +
            "Or run the downloaded model on your data with ONNX Runtime, or with the bbounty command-line tool: score it against your labelled data, and explore which groups it errs on.",
            [
                $"bbounty score --data YOUR_DATA.csv --model {CompetitionDownloads.OnnxFileName(slug, version)}",
                "bbounty explore --data YOUR_DATA.csv --model MODEL.onnx",
            ]);

        return new ServiceCardDocument(ServiceCardDocument.FormatName, about, model, history,
            new CardIntendedUse(
                Text(notes.IntendedUse, "The organizer has not described what this model is intended for."),
                Text(notes.OutOfScope, "The organizer has not described uses this model is not suited for.")),
            factors, metricSection, evaluation, training, analysis, findings, fixes, ethics, caveats, test);
    }

    private static CardQuantitativeAnalysis Analysis(Competition competition, DataCard? card, Holdout? holdout, float[][]? predictions, int version, CompetitionSettings settings)
    {
        const string part = "the holdout's feedback part";
        if (card is null || holdout is null || predictions is null)
            return new CardQuantitativeAnalysis(part, settings.MinGroupRows, null, [], 0, [],
                competition.Metric.Definition().ScoresPredictions
                    ? "The per-group analysis is not available for this version."
                    : "An evaluation-table competition has no predictions to break down by group here; the leaderboard's overall number is the system's.");

        CardGroup? Measure(string expression, IReadOnlyList<string> columns, RowSet members, int minRows)
        {
            var rows = members.And(holdout.Feedback);
            var before = GroupBreakdown.Measure(holdout.Y, rows, predictions[0], competition.Metric, settings.LossCap, minRows);
            var after = GroupBreakdown.Measure(holdout.Y, rows, predictions[version], competition.Metric, settings.LossCap, minRows);
            return before is null || after is null ? null
                : new CardGroup(expression, columns, LeaderboardQuery.SizeBand(after.Rows), Loss(before), Loss(after));
        }

        var overall = Measure("all rows", [], RowSet.All(holdout.RowCount), 1);
        var schema = PublicDataCache.SchemaOnly(competition);
        var groups = GroupBreakdown.Groups(card);
        var shown = new List<CardGroup>();
        foreach (var group in groups)
        {
            // Bound to the published schema, as the scoring job binds a submission: a public value the holdout lacks selects no rows.
            var members = SubgroupExpression.Parse(group.Expression).Bind(schema).Evaluate(holdout.Data);
            if (Measure(group.Expression, group.Columns, members, settings.MinGroupRows) is { } measured) shown.Add(measured);
        }
        return new CardQuantitativeAnalysis(part, settings.MinGroupRows, overall, shown, groups.Count - shown.Count, GroupBreakdown.NotBrokenDown(card),
            $"Each group's {competition.Metric.Definition().Label.ToLowerInvariant()} for the base model (version 0) and for version {version}, on {part}'s rows the metric is " +
            $"defined on, in percent rounded to 0.1 as on the leaderboard, with 95 % confidence intervals " +
            (competition.Metric.Definition().IsZeroOne ? "(Wilson score intervals)." : "(Student's t intervals on the mean per-row loss).") +
            $" Sizes are bands, never exact counts. {groups.Count - shown.Count:N0} of {groups.Count:N0} groups have fewer than {settings.MinGroupRows:N0} such rows and are not shown.");
    }

    private static string HowMeasured(MetricDefinition metric, CompetitionSettings settings) => metric.RowLoss switch
    {
        RowLoss.ZeroOne => $"The share of rows the metric is defined on where the prediction differs from the label" +
                           (metric.Eligible == EligibleRows.All ? "." : metric.Eligible == EligibleRows.NegativeLabels ? " (rows whose label is the negative class)." : " (rows whose label is the positive class)."),
        RowLoss.ScaledSquared => $"The mean of each row's squared error, capped at {settings.LossCap} and divided by it, so a row's loss lies between 0 and 1; an unusable prediction costs 1.",
        _ => $"The organizer's per-row errors summed and divided by the summed sizes (e.g. word errors per reference word).",
    };

    private static string Task(DataCard? card) => card?.PositiveClass is { } positive
        ? $"Classification: predicts whether {card.Label} is {positive} (1) or not (0)."
        : card?.Label is { } label ? $"Regression: predicts {label}." : "No label.";

    private static OrganizerText Text(string written, string fallback) =>
        string.IsNullOrWhiteSpace(written) ? new OrganizerText(fallback, false) : new OrganizerText(written.Trim(), true);

    private static CardLoss Loss(GroupLoss loss) => new(Percent(loss.Loss), Interval(loss.Interval));

    private static CardInterval Interval(Interval interval) => new(Percent(interval.Lower), Percent(interval.Upper));

    /// <summary>As the leaderboard rounds a version's loss.</summary>
    private static double Percent(double loss) => Math.Round(100 * loss, 1);

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";

    private string Url(string path) => new Uri(new Uri(platform.Value.PublicUrl), path).ToString();
}
