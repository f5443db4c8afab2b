using System.Diagnostics;
using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests.Models;

/// <summary>
/// Issue 10's hard bound: a participant's model runs in a model host (bbounty.dll beside the tests), which is killed
/// past the run's budget, so not even one operator can grow this process.
/// </summary>
[Collection(nameof(MemoryMeasurement))]
public class HostedOnnxModelTests
{
    private static readonly Dataset Tiny = ModelTestData.TwentyRows();
    private static readonly LabelDomain Income = LabelDomain.Of(Tiny);

    /// <summary>What this process may grow by while a host runs a bomb: the pipes, buffers and the test's own garbage.</summary>
    private const long SmallMargin = 64L * ModelLimits.BytesPerMegabyte;

    private static string Refusal(byte[] model, ModelLimits? limits = null) =>
        Assert.Throws<ModelValidationException>(() =>
        {
            using var hosted = HostedOnnxModel.Load(model, Tiny.Schema, Income, ModelRole.Predictor, limits);
            hosted.Validate(Tiny);
        }).Message;

    [Theory]
    // 65 years × 5.8·10^6 floats ≈ 1.5 GB in one Expand: under the 2 GB arena of an in-process run, which it would fill
    // before the run could be stopped; the host's arena (512 MB) refuses the allocation.
    [InlineData(5.8e6f)]
    // ≈ 400 MB in one Expand: within the host's arena, so the host grows past 256 MB and the parent kills it.
    [InlineData(1.54e6f)]
    public void Validate_RefusesASingleExpandBomb_WithTheSmokeBudgetMessage_WithoutGrowingThisProcess(float perYear)
    {
        var before = Memory.ReadAfterResettingPeak();

        var error = Refusal(OnnxBombs.SingleExpand(perYear));

        Assert.Equal(
            "the model used more than 256 MB of memory in the 16-row smoke test (tensors whose size depends on the data); the limit is 256 MB",
            error);
        Memory.AssertPeakWithin(before, SmallMargin);
    }

    [Fact]
    public async Task Predict_CountsABatchAsWrong_WhenItsHostIsKilledMidBatch_AndRunsTheNextBatchInANewHost()
    {
        // Two batches of 10 rows, each a few seconds of small additions; the first batch's host is killed from outside.
        var limits = new ModelLimits(BatchRows: 10);
        using var model = HostedOnnxModel.Load(OnnxBombs.Loop(iterations: 3_000_000), Tiny.Schema, Income, ModelRole.Predictor, limits);
        var first = model.HostProcessId;
        var predicting = Task.Run(() => model.PredictAll(Tiny));
        await Task.Delay(500);
        Assert.False(predicting.IsCompleted);

        using (var host = Process.GetProcessById(first)) host.Kill();
        var predictions = await predicting;

        Assert.All(predictions[..10], p => Assert.True(float.IsNaN(p)));
        Assert.All(predictions[10..], p => Assert.Equal(0f, p));
        Assert.NotEqual(first, model.HostProcessId);
    }

    [Fact]
    public void Predict_CountsEveryBatchAsWrong_WhenEachGrowsPastTheBatchBudget()
    {
        // ≈ 260 MB for a batch whose oldest person is 65: fine for the smoke test's 1 GB, over a 64 MB batch budget.
        var limits = new ModelLimits(MaxSmokeBytes: 1024 * ModelLimits.BytesPerMegabyte, MaxBatchBytes: 64 * ModelLimits.BytesPerMegabyte, BatchRows: 10);
        using var model = HostedOnnxModel.Load(OnnxBombs.SingleExpand(1e6f), Tiny.Schema, Income, ModelRole.Predictor, limits);
        model.Validate(Tiny);

        Assert.All(model.PredictAll(Tiny), p => Assert.True(float.IsNaN(p)));
    }

    [Fact]
    public void Validate_StopsALoopBomb_AtTheTimeLimit()
    {
        var limits = new ModelLimits(MaxInferenceTime: TimeSpan.FromMilliseconds(200));

        Assert.Equal("the model took longer than 0.2 s", Refusal(OnnxBombs.Loop(), limits));
    }

    [Fact]
    public void Load_GivesTheInProcessMessages()
    {
        Assert.Equal(
            "the model would need at least 366.2 MB for the 16-row smoke test (Expand output of [16, 3, 2,000,000] floats); the limit is 256 MB",
            Refusal(OnnxBombs.Expand()));
        Assert.Equal("the model file is empty", Refusal([]));
    }

    [Theory]
    [InlineData(OnnxInputConvention.FloatTensor)]
    [InlineData(OnnxInputConvention.PerColumn)]
    public void Predict_OnAdult_EqualsTheInProcessModel_Exactly(OnnxInputConvention convention)
    {
        var train = ModelTestData.AdultTrain;
        var test = ModelTestData.AdultTest;
        var label = LabelDomain.Of(train);
        var bytes = LogisticRegressionTrainer.Train(train, label).ToOnnx(new OnnxExportOptions(convention));
        using var inProcess = OnnxModel.Load(bytes, test.Schema, label, ModelRole.Predictor);
        using var hosted = HostedOnnxModel.Load(bytes, test.Schema, label, ModelRole.Predictor);
        hosted.Validate(train);

        var expected = inProcess.PredictAll(test);
        var actual = hosted.PredictAll(test);

        Assert.Equal(16_281, actual.Length);
        Assert.Equal(expected, actual);
        Assert.Equal(inProcess.Convention, hosted.Convention);
        Assert.Equal(inProcess.InputColumns, hosted.InputColumns);
    }

    [Fact]
    public void Load_RefusesTheModel_WhenTheHostAnswersGarbage()
    {
        var script = Path.Combine(Path.GetTempPath(), $"garbage-host-{Guid.NewGuid():N}.sh");
        File.WriteAllText(script, "#!/bin/sh\nprintf 'R\\377\\377\\377\\177garbage'\nsleep 5\n");
        if (!OperatingSystem.IsLinux()) return;
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Environment.SetEnvironmentVariable(ModelHostLauncher.EnvironmentVariable, script);
        try
        {
            Assert.Equal("ONNX Runtime could not load the model: the process loading it stopped unexpectedly", Refusal(OnnxBombs.Loop(10)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModelHostLauncher.EnvironmentVariable, null);
            File.Delete(script);
        }
    }

    [Fact]
    public void Host_AsksTheKernelToKillItFirst()
    {
        using var model = HostedOnnxModel.Load(OnnxBombs.Loop(10), Tiny.Schema, Income, ModelRole.Predictor);

        Assert.Equal("1000", File.ReadAllText($"/proc/{model.HostProcessId}/oom_score_adj").Trim());
    }

    // Reused hosts (ModelHostPool). These tests use an arena size of their own, so no other test's models share their hosts.
    private static readonly ModelLimits OwnPool = new(MaxBatchBytes: 500 * ModelLimits.BytesPerMegabyte);

    /// <summary>
    /// Empties the pool (once every host handed back has finished unloading, so no earlier test's host comes back later),
    /// runs a small model in a new host, hands the host back and waits until it waits for the next model; its process id.
    /// </summary>
    private static int PooledHost()
    {
        var settle = Stopwatch.StartNew();
        while (ModelHostPool.Admitting > 0 && settle.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(20);
        ModelHostPool.Clear();
        int pid;
        using (var warm = HostedOnnxModel.Load(OnnxBombs.Loop(10), Tiny.Schema, Income, ModelRole.Predictor, OwnPool))
        {
            warm.Validate(Tiny);
            pid = warm.HostProcessId;
        }
        AwaitWaiting(pid);
        return pid;
    }

    /// <summary>Waits until the host is back in the pool (a host handed back unloads its model on the thread pool).</summary>
    private static void AwaitWaiting(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (!ModelHostPool.IsWaiting(pid))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the host was not kept for the next model");
            Thread.Sleep(20);
        }
    }

    [Theory]
    [InlineData(OnnxInputConvention.FloatTensor)]
    [InlineData(OnnxInputConvention.PerColumn)]
    public void AHostHandedBack_ServesTheNextModel_WhosePredictionsEqualTheInProcessOnes(OnnxInputConvention convention)
    {
        var pooled = PooledHost();
        var train = ModelTestData.AdultTrain;
        var test = ModelTestData.AdultTest;
        var label = LabelDomain.Of(train);
        var bytes = LogisticRegressionTrainer.Train(train, label).ToOnnx(new OnnxExportOptions(convention));
        using var inProcess = OnnxModel.Load(bytes, test.Schema, label, ModelRole.Predictor, OwnPool);
        using var hosted = HostedOnnxModel.Load(bytes, test.Schema, label, ModelRole.Predictor, OwnPool);
        hosted.Validate(train);

        Assert.Equal(pooled, hosted.HostProcessId);
        Assert.Equal(inProcess.PredictAll(test), hosted.PredictAll(test));
        Assert.Equal(inProcess.InputColumns, hosted.InputColumns);
    }

    [Fact]
    public void AReusedHost_RefusesAMemoryBomb_AsANewHostDoes_AndIsNotReusedAfterItsKill()
    {
        var pooled = PooledHost();

        var bomb = Assert.Throws<ModelValidationException>(() =>
        {
            using var hosted = HostedOnnxModel.Load(OnnxBombs.SingleExpand(1.54e6f), Tiny.Schema, Income, ModelRole.Predictor, OwnPool);
            Assert.Equal(pooled, hosted.HostProcessId);
            hosted.Validate(Tiny);
        });

        Assert.Equal(
            "the model used more than 256 MB of memory in the 16-row smoke test (tensors whose size depends on the data); the limit is 256 MB",
            bomb.Message);
        Thread.Sleep(200);
        Assert.False(ModelHostPool.IsWaiting(pooled));
        using var next = HostedOnnxModel.Load(OnnxBombs.Loop(10), Tiny.Schema, Income, ModelRole.Predictor, OwnPool);
        Assert.NotEqual(pooled, next.HostProcessId);
    }

    [Fact]
    public void AModelRefusedAtLoad_LeavesItsHostForTheNextModel()
    {
        var pooled = PooledHost();

        var refusal = Assert.Throws<ModelValidationException>(() =>
            HostedOnnxModel.Load("not an onnx model"u8.ToArray(), Tiny.Schema, Income, ModelRole.Predictor, OwnPool));
        Assert.False(ModelHostPool.IsWaiting(pooled)); // it was taken for the refused model
        AwaitWaiting(pooled);
        using var next = HostedOnnxModel.Load(OnnxBombs.Loop(10), Tiny.Schema, Income, ModelRole.Predictor, OwnPool);
        next.Validate(Tiny);

        Assert.StartsWith("the file is not a valid ONNX model", refusal.Message);
        Assert.Equal(pooled, next.HostProcessId);
    }
}
