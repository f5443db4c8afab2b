using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Engine;

/// <summary>Per-row losses of one model version under one metric, with the 0/1 losses also as a bitset.</summary>
public sealed record VersionLosses(float[] Losses, RowSet? Errors);

/// <summary>
/// Caches each published version's per-row losses on the holdout (docs/scoring-rules.md), keyed by the version's
/// prediction array, so a submission only evaluates its group and its fix. With 0/1 losses the group's error
/// counts become popcounts of bitset intersections.
/// </summary>
public static class LossCache
{
    private static readonly ConditionalWeakTable<float[], ConcurrentDictionary<(Metric, float), VersionLosses>> Cache = new();

    public static VersionLosses For(float[] predictions, Holdout holdout, Metric metric, float lossCap) =>
        Cache.GetOrCreateValue(predictions).GetOrAdd((metric, lossCap), key =>
        {
            var definition = key.Item1.Definition();
            // Loss-column metrics judge the organizer's columns, so predictions carry no loss: zeros keep the shape.
            var losses = definition.ScoresPredictions ? key.Item1.Losses(holdout.Y, predictions, lossCap) : new float[predictions.Length];
            var errors = definition.IsZeroOne ? RowSet.FromPredicate(losses.Length, i => losses[i] > 0) : null;
            return new VersionLosses(losses, errors);
        });
}
