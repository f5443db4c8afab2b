using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Models;

/// <summary>Runs alone, so the process's peak memory measures the bombs and nothing else.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>The memory bounds of issue 10: resource bombs are refused with a message that says what and why.</summary>
[Collection(nameof(MemoryMeasurement))]
public class OnnxMemoryBoundTests
{
    private static readonly Dataset Tiny = ModelTestData.TwentyRows();
    private static readonly LabelDomain Income = LabelDomain.Of(Tiny);

    /// <summary>What the bombs would take unbounded is gigabytes; the growth allowed for everything else in the process.</summary>
    private const long Slack = 1024L * ModelLimits.BytesPerMegabyte;

    private static string Refusal(byte[] model, ModelLimits? limits = null) =>
        Assert.Throws<ModelValidationException>(() =>
        {
            using var loaded = OnnxModel.Load(model, Tiny.Schema, Income, ModelRole.Predictor, limits);
            loaded.Validate(Tiny);
        }).Message;

    [Fact]
    public void Load_RefusesTheIssuesExpandBomb_NamingTheTensorAndTheLimit()
    {
        var bomb = OnnxBombs.Expand();

        Assert.Equal(
            "the model would need at least 366.2 MB for the 16-row smoke test (Expand output of [16, 3, 2,000,000] floats); the limit is 256 MB",
            Refusal(bomb));
        Assert.InRange(bomb.Length, 1, 400);
    }

    [Theory]
    [InlineData("ConstantOfShape", "the model would need at least 3.7 GB for the 16-row smoke test (ConstantOfShape output of [1,000,000,000] floats); the limit is 256 MB")]
    [InlineData("Tile", "the model would need at least 610.4 MB for the 16-row smoke test (Tile output of [16, 10,000,000] floats); the limit is 256 MB")]
    public void Load_RefusesBombsWhoseSizeIsInTheFile(string kind, string expected)
    {
        var bomb = kind == "Tile" ? OnnxBombs.Tile() : OnnxBombs.ConstantOfShape();

        Assert.Equal(expected, Refusal(bomb));
    }

    [Fact]
    public void Load_AppliesAConfiguredSmokeBudget()
    {
        // 16 × 3 × 100,000 floats = 18.3 MB: under the default, over a 16 MB budget.
        Assert.Equal(
            "the model would need at least 18.3 MB for the 16-row smoke test (Expand output of [16, 3, 100,000] floats); the limit is 16 MB",
            Refusal(OnnxBombs.Expand(width: 100_000), new ModelLimits(MaxSmokeBytes: 16 * ModelLimits.BytesPerMegabyte)));
    }

    [Fact]
    public void Load_RefusesAModelThatNeedsMoreThanTheBatchBudgetForOneRow()
    {
        var limits = new ModelLimits(MaxSmokeBytes: 1L << 40, MaxBatchBytes: 8 * ModelLimits.BytesPerMegabyte);

        Assert.Equal(
            "the model would need at least 11.4 MB for a single row (Expand output of [1, 3, 1,000,000] floats); the limit is 8 MB per batch",
            Refusal(OnnxBombs.Expand(width: 1_000_000), limits));
    }

    [Fact]
    public void Predict_RunsSmallerBatches_WhenATensorGrowsWithTheRows()
    {
        // [N, 1, 100,000] floats: 400,000 bytes a row, so 512 MB holds 1,342 rows rather than 16,384.
        using var model = OnnxModel.Load(OnnxBombs.WidePerRow(100_000), Tiny.Schema, Income, ModelRole.Predictor);
        model.Validate(Tiny);

        Assert.Equal(1_342, model.BatchRows);
        Assert.All(model.PredictAll(Tiny), p => Assert.Equal(0f, p));
    }

    [Fact]
    public void Validate_RefusesADataDependentBomb_AtTheArenaCap_WithoutGrowingTheProcess()
    {
        // 65 years × 10^7 floats = 2.4 GB, sized by the data: only the arena's cap can stop it.
        var before = Memory.Read();

        var error = Refusal(OnnxBombs.DataDependent());

        Assert.Equal(
            "the model ran out of memory in the smoke test: its tensors, whose size depends on the data, passed the 2 GB that ONNX Runtime may use in this process",
            error);
        Memory.AssertPeakWithin(before, Slack);
    }

    [Fact]
    public void Validate_RefusesADataDependentBombUnderTheArenaCap_ByItsGrowthAtRunTime()
    {
        // 65 years × 4·10^6 floats ≈ 1 GB: under the process's 2 GB arena, so only the run-time watch sees it.
        var before = Memory.Read();

        var error = Refusal(OnnxBombs.DataDependent(perYear: 4e6f));

        Assert.Equal(
            "the model used more than 256 MB of memory in the 16-row smoke test (tensors whose size depends on the data); the limit is 256 MB",
            error);
        Memory.AssertPeakWithin(before, Slack + Slack);
    }

    [Fact]
    public async Task Validate_PassesAnHonestModel_WhileABombGrowsTheProcessBesideIt()
    {
        // Slow enough (a loop of small additions) that the bombs' growth overlaps its runs.
        var honest = OnnxBombs.Loop(iterations: 300_000);
        var bombs = 0;
        var honestErrors = new System.Collections.Concurrent.ConcurrentBag<string>();

        // The bomb's growth is the process's, so the honest smoke tests beside it see it too; each is tried again alone.
        var honestRuns = Task.Run(() =>
        {
            for (var i = 0; i < 5; i++)
            {
                try
                {
                    using var model = OnnxModel.Load(honest, Tiny.Schema, Income, ModelRole.Predictor);
                    model.Validate(Tiny);
                }
                catch (ModelValidationException e)
                {
                    honestErrors.Add(e.Message);
                }
            }
        });
        var bombRuns = Task.Run(() =>
        {
            while (!honestRuns.IsCompleted || bombs < 2)
            {
                Refusal(OnnxBombs.DataDependent(perYear: 4e6f));
                Interlocked.Increment(ref bombs);
            }
        });
        await Task.WhenAll(honestRuns, bombRuns);

        Assert.InRange(bombs, 2, int.MaxValue);
        Assert.Empty(honestErrors);
    }

    [Fact]
    public void Predict_CountsABatchAsWrong_WhenItGrowsPastTheBatchBudget_AndRunsTheNextBatchAfresh()
    {
        // ≈ 260 MB for a batch whose oldest person is 65: fine for the smoke test's 1 GB, over a 64 MB batch budget.
        var limits = new ModelLimits(MaxSmokeBytes: 1024 * ModelLimits.BytesPerMegabyte, MaxBatchBytes: 64 * ModelLimits.BytesPerMegabyte, BatchRows: 10);
        using var model = OnnxModel.Load(OnnxBombs.DataDependent(perYear: 1e6f), Tiny.Schema, Income, ModelRole.Predictor, limits);
        model.Validate(Tiny);

        // Batches of 10 rows: ages 20–47 (188 MB) and 50–77 (308 MB), both over the budget.
        var predictions = model.PredictAll(Tiny);

        Assert.All(predictions, p => Assert.True(float.IsNaN(p)));
    }

    [Fact]
    public void Validate_RefusesFourBombsAtOnce_WithoutGrowingTheProcess()
    {
        var before = Memory.Read();
        byte[][] bombs = [OnnxBombs.Expand(), OnnxBombs.ConstantOfShape(), OnnxBombs.Tile(), OnnxBombs.DataDependent()];

        var errors = new string[bombs.Length];
        Parallel.For(0, bombs.Length, new ParallelOptions { MaxDegreeOfParallelism = bombs.Length }, i => errors[i] = Refusal(bombs[i]));

        Assert.StartsWith("the model would need at least", errors[0]);
        Assert.StartsWith("the model would need at least", errors[1]);
        Assert.StartsWith("the model would need at least", errors[2]);
        Assert.StartsWith("the model ran out of memory", errors[3]);
        Memory.AssertPeakWithin(before, Slack);
    }

    [Fact]
    public void Validate_StopsALoopBomb_AtTheTimeLimit()
    {
        var limits = new ModelLimits(MaxInferenceTime: TimeSpan.FromMilliseconds(200));

        Assert.Equal("the model took longer than 0.2 s", Refusal(OnnxBombs.Loop(), limits));
    }

    [Fact]
    public void Environment_CapsTheSharedArena()
    {
        Assert.True(OnnxRuntimeEnvironment.UsesCappedArena);
        Assert.Equal(OnnxRuntimeEnvironment.DefaultMaxArenaBytes, OnnxRuntimeEnvironment.MaxArenaBytes);
    }
}
