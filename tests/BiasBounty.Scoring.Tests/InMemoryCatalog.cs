using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.DecisionLists;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.Tests;

/// <summary>A model catalog over in-memory predictors; group models answer 1 for members.</summary>
public sealed class InMemoryCatalog : IModelCatalog
{
    private readonly Dictionary<string, IRowPredictor> _models = new();
    private readonly Func<string, Dataset, RowSet>? _expressions;

    public InMemoryCatalog(Func<string, Dataset, RowSet>? expressions = null) => _expressions = expressions;

    public InMemoryCatalog Add(string id, IRowPredictor model)
    {
        _models[id] = model;
        return this;
    }

    public IRowPredictor Predictor(string modelId) => _models[modelId];

    public RowSet Members(GroupRef group, Dataset data)
    {
        if (group.Expression is { } expression)
            return (_expressions ?? throw new InvalidOperationException("no expression evaluator"))(expression, data);
        var predictions = _models[group.ModelId!].Predict(data, Enumerable.Range(0, data.RowCount).ToArray());
        return RowSet.FromPredicate(data.RowCount, i => predictions[i] == 1f);
    }
}

/// <summary>Predicts from a function of the row index: lets tests say exactly which rows a model gets right.</summary>
public sealed class RowFunctionModel(Func<int, float> predict) : IRowPredictor
{
    public float[] Predict(Dataset data, ReadOnlySpan<int> rows)
    {
        var result = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++) result[i] = predict(rows[i]);
        return result;
    }
}
