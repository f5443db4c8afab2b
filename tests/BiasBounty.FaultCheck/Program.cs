using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Engine;
using BiasBounty.Scoring.Expressions;
using BiasBounty.Scoring.Models;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;

// Rebuilds every competition's decision list from its base model and its accepted fixes, in version order, the way the
// scoring job applied them, and compares each stored version with the rebuilt one: the version numbers, the nodes, every
// cached holdout prediction and the FeedbackLoss the leaderboard shows. Also: the ledger's accept count.
// Usage: BiasBounty.FaultCheck "<Npgsql connection string>"     exit code 0 when every version matches, 1 otherwise
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: BiasBounty.FaultCheck \"<Npgsql connection string>\"");
    return 2;
}
await using var db = new ApplicationDbContext(new DbContextOptionsBuilder<ApplicationDbContext>().UseNpgsql(args[0]).Options);
var problems = new List<string>();
foreach (var competition in await db.Competitions.AsNoTracking().OrderBy(c => c.Slug).ToListAsync())
{
    var versions = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == competition.Id).OrderBy(v => v.Version).ToListAsync();
    var ledger = await db.Ledgers.AsNoTracking().SingleAsync(l => l.CompetitionId == competition.Id);
    var report = DecisionListReplay.Check(competition, versions, ledger, await LoadAsync(competition, versions));
    problems.AddRange(report.Problems.Select(p => $"{competition.Slug}: {p}"));
    Console.WriteLine($"   {competition.Slug}: {versions.Count} versions, {report.Replayed} replayed from {report.Fixes} accepted fixes" +
        (report.Problems.Count == 0 ? ", all match" : $", {report.Problems.Count} differ"));
}
foreach (var problem in problems) Console.Error.WriteLine("   MISMATCH " + problem);
return problems.Count == 0 ? 0 : 1;

async Task<StoredInputs> LoadAsync(Competition competition, IReadOnlyList<DecisionListVersion> versions)
{
    // The base model only: the participants' uploads are stored as models too.
    var baseModelId = versions.Count > 0 ? PointerDecisionList.FromJson(versions[0].ListJson).BaseModelId : "";
    var holdout = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == competition.HoldoutFileId);
    var training = await db.StoredFiles.AsNoTracking().SingleAsync(f => f.Id == competition.TrainingFileId);
    var models = await db.StoredFiles.AsNoTracking().Where(f => f.CompetitionId == competition.Id && f.Kind == StoredFileKind.Model && f.ContentHash == baseModelId)
        .Select(f => f.Content).ToListAsync();
    var fixes = await db.DecisionListVersions.AsNoTracking().Where(v => v.CompetitionId == competition.Id && v.SubmissionId != null)
        .Join(db.Submissions, v => v.SubmissionId, s => s.Id, (v, s) => new { s.Id, s.Expression, s.FixModelFileId })
        .Join(db.StoredFiles, s => s.FixModelFileId, f => f.Id, (s, f) => new { s.Id, s.Expression, f.Content })
        .ToDictionaryAsync(s => s.Id, s => new AcceptedFix(s.Expression, s.Content));
    return new StoredInputs(holdout.Content, holdout.ContentHash, holdout.LoadSchemaJson, training.Content, training.LoadSchemaJson, models, fixes);
}

internal sealed record AcceptedFix(string Expression, byte[] Model);

internal sealed record StoredInputs(byte[] Holdout, string HoldoutHash, string? HoldoutSchema, byte[] Training, string? TrainingSchema,
    IReadOnlyList<byte[]> Models, IReadOnlyDictionary<Guid, AcceptedFix> Fixes);

internal sealed record ReplayReport(int Replayed, int Fixes, IReadOnlyList<string> Problems);

internal static class DecisionListReplay
{
    public static ReplayReport Check(Competition competition, IReadOnlyList<DecisionListVersion> versions, CompetitionLedger ledger, StoredInputs inputs)
    {
        var problems = new List<string>();
        for (var i = 0; i < versions.Count; i++)
            if (versions[i].Version != i) problems.Add($"versions are not 0..{versions.Count - 1}: position {i} holds version {versions[i].Version}");
        if (versions.Count == 0) return new ReplayReport(0, 0, ["no version 0"]);
        var stored = versions.Select(v => PointerDecisionList.FromJson(v.ListJson)).ToArray();
        if (ledger.AcceptCount != stored[^1].AcceptedCount)
            problems.Add($"the ledger counts {ledger.AcceptCount} accepted nodes, the newest version holds {stored[^1].AcceptedCount}");
        var settings = competition.ScoringSettings();
        var data = CompetitionData.LoadDataset(inputs.Holdout, inputs.HoldoutSchema);
        var holdout = Holdout.Create(data, settings.FeedbackShare, settings.SplitSeed, inputs.HoldoutHash);
        if (!settings.Metric.Definition().ScoresPredictions)
        {
            // An evaluation table takes no fixes: its one version is the table itself.
            if (versions.Count != 1) problems.Add($"an evaluation table has {versions.Count} decision-list versions");
            return new ReplayReport(0, 0, problems);
        }

        var coding = FeatureCoding.Of(CompetitionData.LoadDataset(inputs.Training, inputs.TrainingSchema));
        using var catalog = new ModelCatalog(data.Schema, holdout.Label, new ModelLimits(settings.MaxModelBytes), coding);
        foreach (var model in inputs.Models)
            catalog.AddOnnx(model, ModelRole.Predictor, null,
                ModelCatalog.ContentId(model) == stored[0].BaseModelId ? ModelTrust.Trusted : ModelTrust.Untrusted);
        var list = PointerDecisionList.Create(stored[0].BaseModelId, holdout, catalog);
        Compare(0, list, stored[0], versions[0], holdout, settings, problems);
        var schema = PublicDataCache.SchemaOnly(competition);
        for (var n = 1; n < versions.Count; n++)
        {
            if (versions[n].SubmissionId is not { } submissionId || !inputs.Fixes.TryGetValue(submissionId, out var fix))
            {
                problems.Add($"version {n} names no submission with a fix");
                return new ReplayReport(n - 1, versions.Count - 1, problems);
            }
            var group = catalog.AddGroup(SubgroupExpression.Parse(fix.Expression).Bind(schema), data);
            var members = catalog.Members(group, data);
            var fixId = catalog.AddOnnx(fix.Model, ModelRole.Predictor);
            var predictions = catalog.Predictor(fixId).Predict(data, members.ToIndices());
            list = list.ApplyUpdate(group, members, fixId, predictions, submissionId.ToString(), holdout, settings.Metric,
                settings.CertificateThreshold, settings.LossCap, catalog).List;
            Compare(n, list, stored[n], versions[n], holdout, settings, problems);
        }
        return new ReplayReport(versions.Count - 1, versions.Count - 1, problems);
    }

    private static void Compare(int n, PointerDecisionList rebuilt, PointerDecisionList stored, DecisionListVersion row, Holdout holdout,
        CompetitionSettings settings, List<string> problems)
    {
        if (stored.Current.Number != n) problems.Add($"version {n}'s list says it is version {stored.Current.Number}");
        if (stored.Versions.Count != n + 1) problems.Add($"version {n}'s list publishes {stored.Versions.Count} versions");
        if (rebuilt.AcceptedCount != stored.AcceptedCount) problems.Add($"version {n}: {stored.AcceptedCount} nodes stored, {rebuilt.AcceptedCount} rebuilt");
        for (var v = 0; v <= Math.Min(n, stored.Versions.Count - 1); v++)
            if (!rebuilt.HoldoutPredictions(v).AsSpan().SequenceEqual(stored.HoldoutPredictions(v)))
                problems.Add($"version {n}'s list: the holdout predictions of version {v} differ from the replay");
        var loss = CompetitionData.FeedbackLoss(rebuilt, holdout, settings);
        if (Math.Abs(loss - row.FeedbackLoss) > 1e-9) problems.Add($"version {n}: FeedbackLoss {row.FeedbackLoss} stored, {loss} replayed");
    }
}
