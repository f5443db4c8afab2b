using BiasBounty.Scoring.Data;
using BiasBounty.Scoring.Models;

namespace BiasBounty.Scoring.DecisionLists;

/// <summary>
/// Resolves the ids a decision list stores into runnable parts: model ids into predictors, groups into row sets.
/// Implementations cache: the same group on the same dataset is evaluated once.
/// </summary>
public interface IModelCatalog
{
    /// <summary>The predictor of a base or fix model.</summary>
    IRowPredictor Predictor(string modelId);

    /// <summary>The rows of <paramref name="data"/> that belong to <paramref name="group"/>, cached (protected groups).</summary>
    RowSet Members(GroupRef group, Dataset data);

    /// <summary>The same rows, computed afresh and not kept (a new submission's group).</summary>
    RowSet Evaluate(GroupRef group, Dataset data);
}
