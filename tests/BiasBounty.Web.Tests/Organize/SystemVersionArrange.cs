using System.Globalization;
using System.Text;
using BiasBounty.Scoring.Data;
using BiasBounty.Web.Competitions;
using BiasBounty.Web.Tests.Infrastructure;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>Evaluations of a "retrained recogniser" derived from a speech-demo copy's own items.</summary>
public static class SystemVersionArrange
{
    /// <summary>
    /// All the competition's items (public part and holdout), in reverse order, as a retrained recogniser's evaluation:
    /// the loss columns, with <paramref name="errors"/> applied to each item's word errors (given the row's noise).
    /// </summary>
    public static async Task<(byte[] Csv, List<string> Dropped)> EvaluationAsync(PlatformFactory platform, Competition competition, Func<string, float, float> errors, int dropFromHoldout = 0)
    {
        await using var scope = platform.Scope();
        var parts = await SystemVersions.PartsAsync(platform.NewDb(scope), competition, CancellationToken.None);
        string[] columns = ["utterance_id", "accent", "speaker_gender", "speaking_rate", "noise", "word_errors", "reference_words"];
        var lines = new List<string>();
        var dropped = new List<string>();
        for (var p = 0; p < parts.Count; p++)
        {
            var part = parts[p];
            for (var row = 0; row < part.RowCount; row++)
            {
                var id = part["utterance_id"].FormatValue(row)!;
                if (p == parts.Count - 1 && row < dropFromHoldout)
                {
                    dropped.Add(id);
                    continue;
                }
                var noise = part["noise"].FormatValue(row)!;
                var wordErrors = errors(noise, ((NumericColumn)part["word_errors"]).Values[row]);
                lines.Add(string.Join(',', columns.Select(c => c == "word_errors"
                    ? wordErrors.ToString(CultureInfo.InvariantCulture) : part[c].FormatValue(row))));
            }
        }
        lines.Reverse(); // matched by id, not by position
        return (Encoding.UTF8.GetBytes(string.Join('\n', [string.Join(',', columns), .. lines]) + "\n"), dropped);
    }

    /// <summary>The retrain of the tests: half the word errors (rounded down) on loud noise, the rest unchanged.</summary>
    public static float HalveLoudNoise(string noise, float errors) => noise == "loud-5dB" ? MathF.Floor(errors / 2) : errors;
}
