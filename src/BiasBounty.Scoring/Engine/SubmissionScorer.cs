using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Statistics;

namespace BiasBounty.Scoring.Engine;

/// <summary>
/// Judges one submission (docs/scoring-rules.md): gates, claim 1 (a finding), claim 2 (a fix) with the update and its
/// repairs, the alpha-investing ledgers, the released view and points. Pure: the same request gives the same outcome.
/// </summary>
public static class SubmissionScorer
{
    /// <summary>Recorded in every score's provenance; change it whenever a rule or a number changes.</summary>
    public const string EngineVersion = "1.2.0"; // 1.2.0: ledgers per team (docs/scientific-validity.md)

    /// <summary>
    /// Slack for the rules' "≥" thresholds: rates are ratios of counts, and (6/200 − 100/5000) is 0.009999999999999998
    /// in floating point, so a gap of exactly 1 pp would otherwise fail. Far below any real difference.
    /// </summary>
    private const double Tolerance = 1e-12;

    public static ScoringOutcome Score(ScoringRequest request)
    {
        var (settings, holdout, model, ledgers, catalog, history, submission) = request;
        settings.Validate();
        if (model.HoldoutHash != holdout.ContentHash)
            throw new ArgumentException("the decision list's cached predictions belong to another holdout; rebind it to this holdout first", nameof(request));
        var metric = submission.Metric;

        if (Refusal(settings, holdout, submission) is { } metricProblem)
            return Refuse(request, metricProblem, maskHash: "", groupRows: 0, groupShare: 0);

        RowSet members, eligible, groupEligible;
        string maskHash;
        using (ScoringStages.Begin(ScoringStages.Mask))
        {
            // Evaluated afresh, not cached: the catalog keeps only the protected groups' masks.
            members = catalog.Evaluate(submission.Group, holdout.Data);
            maskHash = members.ContentHash();
            eligible = metric.Eligible(holdout.Y);
            groupEligible = members.And(eligible);
        }
        var groupRows = groupEligible.Count();
        var groupShare = (double)groupRows / Math.Max(1, eligible.Count());

        if (SizeProblem(settings, holdout, groupEligible, eligible, groupShare) is { } sizeProblem)
            return Refuse(request, sizeProblem, maskHash, groupRows, groupShare);

        // A finding-only submission does not make a later fix on the same group a duplicate: its fix was never tested.
        var prior = history.Prior.FirstOrDefault(p => p.Record.MaskHash == maskHash && p.Record.Metric == metric
            && p.Record.Status == ScoreStatus.Scored && (p.Record.Fix is not null) == (submission.FixModelId is not null));
        if (prior is not null) return Duplicate(request, prior, maskHash, groupRows, groupShare);

        // The submitting team's pair pays for the tests (docs/scientific-validity.md).
        var pair = ledgers.For(submission.Team);
        if (pair.Findings.IsSpent || (submission.FixModelId is not null && pair.Fixes.IsSpent))
            return Refuse(request, submission.Team is null
                ? "this holdout's testing budget is spent; the organizer must upload a fresh holdout before more claims can be tested"
                : "your team's testing budget on this holdout is spent (too many claims that did not verify); more can be tested once the organizer uploads a fresh holdout", maskHash, groupRows, groupShare);
        if (submission.FixModelId is not null && new AcceptBudget(settings.CertificateThreshold, ledgers.AcceptedOnHoldout).IsExhausted)
            return Refuse(request, "this holdout has supported all the model updates it can; the organizer must upload a fresh holdout before more fixes can be accepted", maskHash, groupRows, groupShare);

        var current = model.Current.HoldoutPredictions;
        var losses = LossCache.For(current, holdout, metric, settings.LossCap);
        var findingLevel = pair.Findings.NextLevel;
        FindingResult finding;
        using (ScoringStages.Begin(ScoringStages.Test))
            finding = TestFinding(settings, holdout, metric, losses, members, eligible, findingLevel);
        var nextPair = pair with { Findings = pair.Findings.Record(finding.Verified) };

        FixResult? fix = null;
        int[]? groupAll = null;
        float[]? fixPredictions = null;
        var nextModel = model;
        var acceptedOnHoldout = ledgers.AcceptedOnHoldout;
        var fixLevel = pair.Fixes.NextLevel;
        if (submission.FixModelId is { } fixId)
        {
            using (ScoringStages.Begin(ScoringStages.Fix))
            {
                groupAll = members.ToIndices();
                fixPredictions = catalog.Predictor(fixId).Predict(holdout.Data, groupAll);
                fix = TestFix(settings, holdout, metric, losses, members, eligible, fixId, groupAll, fixPredictions, fixLevel);
            }
            nextPair = nextPair with { Fixes = pair.Fixes.Record(fix.Verified) };
            if (fix.Verified)
            {
                using var decision = ScoringStages.Begin(ScoringStages.Decision);
                var update = model.ApplyUpdate(submission.Group, members, fixId, fixPredictions, submission.SubmissionId,
                    holdout, settings.Metric, settings.CertificateThreshold, settings.LossCap, catalog);
                nextModel = update.List;
                acceptedOnHoldout += 1 + update.Repairs.Count;
                fix = fix with { NewVersion = nextModel.Current.Number, Repairs = update.Repairs.Select(r => $"{r.Group} → version {r.TargetVersion}").ToArray() };
            }
        }

        var nextLedgers = ledgers.With(submission.Team, nextPair) with { AcceptedOnHoldout = acceptedOnHoldout };
        var noiseSeed = NoiseSeed(holdout, maskHash, metric);
        var feedback = Feedback(settings, holdout, metric, losses, members, eligible, groupAll, fixPredictions, noiseSeed);
        var record = new ScoreRecord
        {
            SubmissionId = submission.SubmissionId,
            Metric = metric,
            Status = ScoreStatus.Scored,
            Group = submission.Group.ToString(),
            MaskHash = maskHash,
            GroupRows = groupRows,
            GroupShare = groupShare,
            NearDuplicates = NearDuplicates(settings, history, members),
            Finding = finding,
            Fix = fix,
            Feedback = feedback,
            Points = Points(settings, finding, fix),
            Provenance = ProvenanceOf(request, noiseSeed),
        };
        return new ScoringOutcome(record, Release(record), nextModel, nextLedgers);
    }

    /// <summary>Claim 1 on the confirmation part (docs/scoring-rules.md).</summary>
    public static FindingResult TestFinding(
        CompetitionSettings settings, Holdout holdout, Metric metric, VersionLosses losses, RowSet members, RowSet eligible, double level)
    {
        var (nG, groupLoss, nC, complementLoss, groupRate, complementRate, test, statistic, p, interval) = metric.Definition().FindingTest switch
        {
            FindingTest.TwoProportions => TwoProportionsGap(holdout, losses, members, eligible),
            FindingTest.WelchT => WelchGap(holdout, losses, members, eligible),
            FindingTest.RatioDeltaMethod => RatioGap(holdout, members, eligible),
        };
        var reasons = new List<string>();
        if (!(p <= level)) reasons.Add($"p-value above the test's level {level:G3}");
        if (!(interval.Lower > 0)) reasons.Add("the 95 % confidence interval of the gap does not lie above 0");
        if (!(groupRate >= settings.FindingMinRatio * complementRate - Tolerance)) reasons.Add($"the group's rate is below {settings.FindingMinRatio:0.##}× the rest's");
        if (!(groupRate - complementRate >= settings.FindingMinDifference - Tolerance)) reasons.Add($"the gap is below {settings.FindingMinDifference * 100:0.##} pp");
        return new FindingResult(nG, groupLoss, nC, complementLoss, groupRate, complementRate, test, statistic, p, level,
            interval.Lower, interval.Upper, reasons.Count == 0, reasons);
    }

    /// <summary>
    /// A verified finding tested again on another version of an evaluation table (the same items, new loss columns):
    /// claim 1 on the confirmation part at <paramref name="level"/> (the level it was verified at), and the feedback
    /// part's noisy, rounded numbers under the same release rules as a submission's. Only for loss-column metrics,
    /// which judge the table's own columns rather than a model's predictions.
    /// </summary>
    /// <param name="members">The group's rows in <paramref name="holdout"/>.</param>
    public static (FindingResult Finding, FeedbackNumbers? Feedback) Retest(
        CompetitionSettings settings, Holdout holdout, Metric metric, RowSet members, double level)
    {
        if (metric.Definition().RowLoss != RowLoss.OrganizerColumns || holdout.LossErrors is null)
            throw new ArgumentException($"only loss-column metrics are re-tested on a new evaluation table, not {metric.Name()}", nameof(metric));
        var eligible = metric.Eligible(holdout.Y);
        // Loss-column tests read the holdout's columns; the per-row losses are zeros that keep the shape (as LossCache does).
        var losses = new VersionLosses(new float[holdout.RowCount], null);
        var finding = TestFinding(settings, holdout, metric, losses, members, eligible, level);
        var feedback = Feedback(settings, holdout, metric, losses, members, eligible, null, null, NoiseSeed(holdout, members.ContentHash(), metric));
        return (finding, feedback);
    }

    /// <summary>A finding's test on the group against the rest: sizes, losses, rates and the test's outcome.</summary>
    private readonly record struct Gap(
        int GroupRows, double GroupLoss, int ComplementRows, double ComplementLoss, double GroupRate, double ComplementRate,
        string Test, double Statistic, double PValue, Interval Interval);

    private static Gap TwoProportionsGap(Holdout holdout, VersionLosses losses, RowSet members, RowSet eligible)
    {
        // Zero-one losses need only four counts, taken in one pass over the words without building a set.
        var (nG, eG, nC, eC) = members.SplitCounts(eligible, holdout.Confirmation, losses.Errors!);
        var exact = Math.Min(Math.Min(eG, nG - eG), Math.Min(eC, nC - eC)) < 10;
        var result = exact ? FisherExact.OneSidedGreater(eG, nG, eC, nC) : Proportions.PooledTwoProportionZ(eG, nG, eC, nC);
        return new Gap(nG, eG, nC, eC, (double)eG / nG, (double)eC / nC,
            exact ? "Fisher exact" : "pooled z", result.Statistic, result.PValue, Proportions.NewcombeDifference(eG, nG, eC, nC));
    }

    private static Gap WelchGap(Holdout holdout, VersionLosses losses, RowSet members, RowSet eligible)
    {
        var (inGroup, inComplement) = GroupAndComplement(holdout, members, eligible);
        var (nG, nC) = (inGroup.Count(), inComplement.Count());
        var (g, c) = (Gather(losses.Losses, inGroup), Gather(losses.Losses, inComplement));
        var result = WelchT.OneSidedGreater(g, c);
        var (groupLoss, complementLoss) = (Sum(g), Sum(c));
        return new Gap(nG, groupLoss, nC, complementLoss, groupLoss / Math.Max(1, nG), complementLoss / Math.Max(1, nC),
            "Welch t", result.Statistic, result.PValue, result.ConfidenceInterval());
    }

    private static Gap RatioGap(Holdout holdout, RowSet members, RowSet eligible)
    {
        // Ratio metrics are defined on every row: the rest is the confirmation part's totals minus the group, so only
        // the group's own rows are read.
        if (holdout.ConfirmationClusterTotals is { } totals)
        {
            // One pass over the group's confirmation rows gives the counts and totals as well as the per-cluster sums.
            var (clustered, groupRows, groupE, restRows, restE) = totals.GroupAgainstRest(members, eligible);
            return new Gap(groupRows, groupE, restRows, restE, clustered.GroupRatio, clustered.ComplementRatio,
                $"cluster-robust t ({clustered.Clusters} clusters)", clustered.Statistic, clustered.PValue, clustered.ConfidenceInterval());
        }
        var g = holdout.LossSums(members.And(eligible).And(holdout.Confirmation));
        var all = holdout.ConfirmationRatioSums!.Value;
        var c = new RatioSums(all.Count - g.Count, all.SumE - g.SumE, all.SumN - g.SumN, all.SumESquared - g.SumESquared,
            all.SumNSquared - g.SumNSquared, all.SumEN - g.SumEN);
        var result = RatioEstimator.OneSidedGreater(g, c);
        return new Gap(g.Count, g.SumE, c.Count, c.SumE, result.GroupRatio, result.ComplementRatio,
            "delta-method z", result.Statistic, result.PValue, result.ConfidenceInterval());
    }

    /// <summary>The eligible confirmation rows in the group and in its complement.</summary>
    private static (RowSet Group, RowSet Complement) GroupAndComplement(Holdout holdout, RowSet members, RowSet eligible)
    {
        var within = eligible.And(holdout.Confirmation);
        return (within.And(members), within.AndNot(members));
    }

    /// <summary>Claim 2 on the confirmation part (docs/scoring-rules.md), before any update is applied.</summary>
    /// <param name="groupAll">All holdout rows of the group, ascending; <paramref name="fixPredictions"/> is aligned with it.</param>
    public static FixResult TestFix(
        CompetitionSettings settings, Holdout holdout, Metric metric, VersionLosses losses, RowSet members, RowSet eligible,
        string fixModelId, int[] groupAll, float[] fixPredictions, double level)
    {
        var definition = metric.Definition();
        // Discordant pairs (current wrong, fix right and the reverse) are what McNemar tests; other tests leave them 0.
        var countPairs = definition.FixTest == FixTest.ExactMcNemar;
        var confirmation = holdout.Confirmation;
        var eligibleConfirmation = eligible.And(confirmation);
        int b = 0, c = 0, n = 0;
        var differences = new List<double>();
        for (var i = 0; i < groupAll.Length; i++)
        {
            var row = groupAll[i];
            if (!eligibleConfirmation.Contains(row)) continue;
            n++;
            var before = losses.Losses[row];
            var after = definition.Loss(holdout.Y[row], fixPredictions[i], settings.LossCap);
            if (before > after && countPairs) b++;
            else if (before < after && countPairs) c++;
            differences.Add(before - after);
        }
        var share = (double)n / Math.Max(1, eligibleConfirmation.Count());
        var (test, statistic, p, delta) = definition.FixTest switch
        {
            FixTest.ExactMcNemar => ExactMcNemar(b, c, n),
            FixTest.PairedT => PairedTTest(differences, n),
            FixTest.None => throw new InvalidOperationException($"the {definition.Name} metric takes no fix"),
        };
        var reasons = new List<string>();
        if (!(p <= level)) reasons.Add($"p-value above the test's level {level:G3}");
        if (!(share * delta >= settings.CertificateThreshold - Tolerance)) reasons.Add($"the overall gain μ(g)·Δ is below ε = {settings.CertificateThreshold:G3}");
        return new FixResult(fixModelId, n, b, c, delta, share, test, statistic, double.IsNaN(p) ? 1 : p, level, reasons.Count == 0, reasons, null, []);
    }

    private static (string Test, double Statistic, double PValue, double Delta) ExactMcNemar(int b, int c, int n)
    {
        var result = McNemar.ExactOneSided(b, c);
        return ("exact McNemar", result.Statistic, result.PValue, n == 0 ? 0 : (double)(b - c) / n);
    }

    private static (string Test, double Statistic, double PValue, double Delta) PairedTTest(List<double> differences, int n)
    {
        var result = PairedT.OneSidedGreater(differences.ToArray());
        return ("paired t", result.Statistic, result.PValue, n == 0 ? 0 : differences.Average());
    }

    /// <summary>Points (docs/scoring-rules.md): a verified fix earns 10,000·μ(g)·Δ_g; otherwise a verified finding earns its weighted gap.</summary>
    public static double Points(CompetitionSettings settings, FindingResult? finding, FixResult? fix)
    {
        if (fix is { Verified: true }) return Math.Round(10_000 * fix.OverallGain, 1, MidpointRounding.AwayFromZero);
        if (finding is { Verified: true })
        {
            var share = (double)finding.GroupRows / Math.Max(1, finding.GroupRows + finding.ComplementRows);
            return Math.Round(settings.FindingWeight * 10_000 * share * finding.Difference, 1, MidpointRounding.AwayFromZero);
        }
        return 0;
    }

    /// <summary>The participant's view of a record (docs/scoring-rules.md).</summary>
    public static ReleasedView Release(ScoreRecord record)
    {
        var finding = record.Finding;
        var fix = record.Fix;
        return new ReleasedView(
            record.SubmissionId,
            record.Status,
            Summary(record),
            finding?.Verified,
            finding is null ? null : Bands.ForPValue(finding.PValue, finding.Level),
            finding is null ? null : Bands.ForEffect(finding.Difference),
            fix?.Verified,
            fix is null ? null : Bands.ForPValue(fix.PValue, fix.Level),
            fix is null ? null : Bands.ForEffect(fix.Delta),
            record.Feedback,
            record.Points,
            record.DuplicateOf);
    }

    private static string? Refusal(CompetitionSettings settings, Holdout holdout, SubmissionInput submission)
    {
        var metric = submission.Metric;
        var task = holdout.Label?.Task ?? TaskKind.Regression;
        if (metric.Incompatibility(task, holdout.LossErrors is not null) is { } problem) return problem;
        if (submission.FixModelId is not null && !metric.Definition().AllowsFix)
            return "a loss-column competition takes findings only: submit the group without a fix";
        if (submission.FixModelId is not null && metric != settings.Metric)
            return $"fixes are judged on the competition's metric ({settings.Metric.Name()}); submit the fix with that metric";
        return null;
    }

    private static string? SizeProblem(CompetitionSettings settings, Holdout holdout, RowSet groupEligible, RowSet eligible, double share)
    {
        foreach (var part in new[] { holdout.Feedback, holdout.Confirmation })
        {
            var inGroup = groupEligible.IntersectionCount(part);
            // One answer for both sides, so the refusal does not say which side of the holdout was short.
            if (inGroup < settings.MinGroupRows || eligible.IntersectionCount(part) - inGroup < settings.MinGroupRows) return GroupSizeRefusal;
        }
        return share < settings.MinGroupShare ? GroupSizeRefusal : null;
    }

    private const string GroupSizeRefusal = "group too small (the group and the rest must each hold enough rows of the holdout)";

    private static ScoringOutcome Refuse(ScoringRequest request, string reason, string maskHash, int groupRows, double groupShare)
    {
        var record = new ScoreRecord
        {
            SubmissionId = request.Submission.SubmissionId,
            Metric = request.Submission.Metric,
            Status = ScoreStatus.Refused,
            RefusalReason = reason,
            Group = request.Submission.Group.ToString(),
            MaskHash = maskHash,
            GroupRows = groupRows,
            GroupShare = groupShare,
            Provenance = ProvenanceOf(request, noiseSeed: ""),
        };
        return new ScoringOutcome(record, Release(record), request.Model, request.Ledgers);
    }

    private static ScoringOutcome Duplicate(ScoringRequest request, PriorSubmission prior, string maskHash, int groupRows, double groupShare)
    {
        var record = new ScoreRecord
        {
            SubmissionId = request.Submission.SubmissionId,
            Metric = request.Submission.Metric,
            Status = ScoreStatus.Duplicate,
            Group = request.Submission.Group.ToString(),
            MaskHash = maskHash,
            GroupRows = groupRows,
            GroupShare = groupShare,
            DuplicateOf = prior.Record.SubmissionId,
            Feedback = prior.Record.Feedback,
            Provenance = ProvenanceOf(request, prior.Record.Provenance.NoiseSeed),
        };
        // Same verdict and numbers as the original, no new test, no points.
        var released = prior.Released with
        {
            SubmissionId = record.SubmissionId,
            Status = ScoreStatus.Duplicate,
            Summary = $"Same group as submission {prior.Record.SubmissionId}: its verdict stands, and a duplicate earns no points. " + Summary(prior.Record with { Points = 0 }),
            Points = 0,
            DuplicateOf = prior.Record.SubmissionId,
        };
        return new ScoringOutcome(record, released, request.Model, request.Ledgers);
    }

    private static IReadOnlyList<NearDuplicate> NearDuplicates(CompetitionSettings settings, SubmissionHistory history, RowSet members) =>
        history.AcceptedGroups
            .Select(a => new NearDuplicate(a.SubmissionId, a.Rows.Jaccard(members)))
            .Where(n => n.Jaccard >= settings.NearDuplicateJaccard)
            .ToArray();

    private static FeedbackNumbers? Feedback(
        CompetitionSettings settings, Holdout holdout, Metric metric, VersionLosses losses, RowSet members, RowSet eligible,
        int[]? groupRows, float[]? fixPredictions, string noiseSeed)
    {
        var inGroup = members.And(eligible).And(holdout.Feedback);
        var inComplement = members.Not().And(eligible).And(holdout.Feedback);
        if (inGroup.Count() < settings.MinReleasedRows || inComplement.Count() < settings.MinReleasedRows) return null;

        // One row moves a count by 1, but a loss-column sum (ΣE, ΣN) by up to its largest N_i: noise scales with that.
        var definition = metric.Definition();
        var sensitivity = definition.RowLoss == RowLoss.OrganizerColumns ? Math.Max(1.0, holdout.LossSizes!.Max()) : 1.0;
        double Noisy(double value, string name) => value + sensitivity * Disclosure.LaplaceNoise(noiseSeed, name, settings.NoiseEpsilon);
        var (gSize, gLoss) = SizeAndLoss(holdout, metric, losses, inGroup);
        var (cSize, cLoss) = SizeAndLoss(holdout, metric, losses, inComplement);
        var (ngSize, ngLoss, ncSize, ncLoss) = (Noisy(gSize, "group-size"), Noisy(gLoss, "group-loss"), Noisy(cSize, "complement-size"), Noisy(cLoss, "complement-loss"));
        long? fixErrors = null;
        double? fixPercent = null;
        if (groupRows is not null && fixPredictions is not null)
        {
            // The fix's loss on the group's feedback rows; predictions are aligned with the group's ascending rows.
            var rows = groupRows;
            double fixLoss = 0;
            for (var i = 0; i < rows.Length; i++)
                if (inGroup.Contains(rows[i])) fixLoss += definition.Loss(holdout.Y[rows[i]], fixPredictions[i], settings.LossCap);
            var noisyFixLoss = Noisy(fixLoss, "fix-group-loss");
            fixErrors = Disclosure.RoundCount(noisyFixLoss, settings.MinReleasedRows);
            fixPercent = Disclosure.ReleasedPercent(noisyFixLoss, ngSize);
        }
        return new FeedbackNumbers(
            Disclosure.RoundCount(ngSize, settings.MinReleasedRows),
            Disclosure.RoundCount(ngLoss, settings.MinReleasedRows),
            Disclosure.RoundCount(ncSize, settings.MinReleasedRows),
            Disclosure.RoundCount(ncLoss, settings.MinReleasedRows),
            Disclosure.ReleasedPercent(ngLoss, ngSize),
            Disclosure.ReleasedPercent(ncLoss, ncSize),
            fixErrors,
            fixPercent);
    }

    /// <summary>The denominator and numerator of a group's rate: rows and loss, or ΣN and ΣE for loss columns.</summary>
    private static (double Size, double Loss) SizeAndLoss(Holdout holdout, Metric metric, VersionLosses losses, RowSet rows) =>
        metric.Definition().RowLoss switch
        {
            RowLoss.ZeroOne => (rows.Count(), rows.IntersectionCount(losses.Errors!)),
            RowLoss.ScaledSquared => (rows.Count(), Sum(Gather(losses.Losses, rows))),
            RowLoss.OrganizerColumns => RatioSizeAndLoss(holdout, rows),
        };

    private static (double Size, double Loss) RatioSizeAndLoss(Holdout holdout, RowSet rows)
    {
        var sums = holdout.LossSums(rows);
        return (sums.SumN, sums.SumE);
    }

    private static float[] Gather(float[] values, RowSet rows)
    {
        var indices = rows.ToIndices();
        var result = new float[indices.Length];
        for (var i = 0; i < indices.Length; i++) result[i] = values[indices[i]];
        return result;
    }

    private static double Sum(float[] values)
    {
        double sum = 0; // double accumulation: float sums over a million rows lose whole units
        foreach (var v in values) sum += v;
        return sum;
    }

    private static string NoiseSeed(Holdout holdout, string maskHash, Metric metric) => $"{holdout.ContentHash}:{maskHash}:{metric.Name()}";

    private static Provenance ProvenanceOf(ScoringRequest request, string noiseSeed) => new(
        request.Holdout.ContentHash,
        request.Model.Current.Number,
        EngineVersion,
        request.Holdout.SplitSeed,
        noiseSeed,
        request.Ledgers.For(request.Submission.Team).Findings.NextLevel,
        request.Ledgers.For(request.Submission.Team).Fixes.NextLevel);

    /// <summary>
    /// Why a finding was not verified, in the direction the RELEASED feedback numbers point (nothing the participant
    /// does not already see): a group the model errs less on is said to be one, not only "not strong enough".
    /// </summary>
    /// <param name="metric">An evaluation table's rate (wer, cer) is named in the text; it judges a system, not a model.</param>
    public static string NotVerifiedText(FeedbackNumbers? feedback, Metric metric = Metric.Error)
    {
        var ratio = !metric.Definition().ScoresPredictions;
        var who = ratio ? "the system" : "the model";
        if (feedback is null) return $"Finding not verified: the evidence that {who} does worse on this group is not strong enough.";
        var numbers = ratio
            ? $"{metric.Definition().Noun} {Percent(feedback.GroupErrorPercent)} in the group vs {Percent(feedback.ComplementErrorPercent)} elsewhere in the feedback numbers"
            : $"{Percent(feedback.GroupErrorPercent)} on the group against {Percent(feedback.ComplementErrorPercent)} elsewhere in the feedback numbers";
        return feedback.GroupErrorPercent < feedback.ComplementErrorPercent
            ? $"Finding not verified: {who} does better on this group than elsewhere ({numbers}), so there is no gap to the group's disadvantage."
            : feedback.GroupErrorPercent == feedback.ComplementErrorPercent
                ? $"Finding not verified: {who} does about as well on this group as elsewhere ({numbers})."
                : $"Finding not verified: {who} seems to do worse on this group ({numbers}), but the evidence on the confirmation part is not strong enough.";
    }

    private static string Percent(double value) => value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " %";

    /// <summary>What a verified finding shows: a model doing worse, or an evaluation table's rate being higher.</summary>
    private static string Worse(Metric metric) =>
        metric.Definition().ScoresPredictions ? "the model does worse on this group" : $"the {metric.Definition().Noun} is higher on this group than elsewhere";

    private static string Summary(ScoreRecord record)
    {
        if (record.Status == ScoreStatus.Refused) return $"Not scored: {record.RefusalReason}.";
        var parts = new List<string>();
        if (record.Finding is { } finding)
            parts.Add(finding.Verified
                ? $"Finding verified: {Worse(record.Metric)} (gap {Bands.ForEffect(finding.Difference).ToDisplayText()}, p {Bands.ForPValue(finding.PValue, finding.Level).ToDisplayText()})."
                : NotVerifiedText(record.Feedback, record.Metric));
        if (record.Fix is { } fix)
            parts.Add(fix.Verified
                ? $"Fix accepted: the model is now version {fix.NewVersion} (improvement on the group {Bands.ForEffect(fix.Delta).ToDisplayText()})."
                : "Fix not accepted: it does not beat the current model on this group by enough, with enough certainty.");
        if (record.Points > 0) parts.Add($"{record.Points:0.#} points.");
        return string.Join(" ", parts);
    }
}
