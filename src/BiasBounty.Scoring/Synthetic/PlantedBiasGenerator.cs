using BiasBounty.Scoring.Data;

namespace BiasBounty.Scoring.Synthetic;

/// <summary>A group where the synthetic base model underperforms, and the rule that fixes it.</summary>
public sealed record PlantedGroup(string Expression, string Description, LinearRule Fix);

/// <summary>A synthetic classification competition: data, the base model, and the planted groups with their fixes.</summary>
public sealed record SyntheticTabular(Dataset Data, LinearRule BaseModel, IReadOnlyList<PlantedGroup> Planted);

/// <summary>
/// Seeded generators of data with planted bias, for tests and demos: tabular data where a known linear model
/// underperforms on known groups (and a known fix exists), and a speech-recognition evaluation table where word
/// error rate is higher for planted accent × noise combinations — the "modality matters" and "last mile" cases.
/// </summary>
public static class PlantedBiasGenerator
{
    public static readonly string[] Regions = ["East", "North", "South", "West"];
    public static readonly string[] Educations = ["College", "Graduate", "HighSchool"];
    public static readonly string[] Sexes = ["Female", "Male"];

    /// <summary>
    /// Tabular data: features <c>age</c> (18–90), <c>income</c> (thousands), <c>debt</c>, <c>tenure</c> (years),
    /// <c>education</c>, <c>region</c>, <c>sex</c>, <c>RAC1P</c> (codes 1–5), and label <c>approved</c> (yes/no).
    /// Outside the planted groups the label follows the base rule (income − debt) with <paramref name="labelNoise"/>
    /// flips; inside them it follows a different rule (debt matters less, tenure more), so the base rule errs there
    /// about half the time and the group's own rule fixes it. With <paramref name="plantedEffect"/> = false nothing
    /// is planted and labels are pure noise against the base rule: no group or fix should verify.
    /// </summary>
    public static SyntheticTabular Tabular(int rows, int seed, double labelNoise = 0.1, bool plantedEffect = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        var random = new Random(seed);
        var age = new float[rows];
        var income = new float[rows];
        var debt = new float[rows];
        var tenure = new float[rows];
        var race = new float[rows];
        var education = new string?[rows];
        var region = new string?[rows];
        var sex = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            age[i] = 18 + random.Next(73);
            income[i] = MathF.Round((float)(20 + 80 * random.NextDouble()), 1);
            debt[i] = MathF.Round((float)(60 * random.NextDouble()), 1);
            tenure[i] = random.Next(31);
            race[i] = 1 + random.Next(5);
            education[i] = Educations[random.Next(Educations.Length)];
            region[i] = Regions[random.Next(Regions.Length)];
            sex[i] = Sexes[random.Next(2)];
        }
        // Feature order: age, income, debt, tenure, education, region, sex, RAC1P (the float-tensor order).
        var baseRule = new LinearRule([0, 1, -1, 0, 0, 0, 0, 0], -30);
        var olderSouth = new LinearRule([0, 1, -0.2f, 2, 0, 0, 0, 0], -60);
        var youngRace2 = new LinearRule([0, 0.2f, -1, 0, 0, 0, 0, 0], 15);
        var planted = plantedEffect
            ? new[]
            {
                new PlantedGroup("region == \"South\" and age >= 60", "older applicants in the South: tenure, not debt, drives repayment", olderSouth),
                new PlantedGroup("RAC1P == 2 and age < 30", "young applicants of race code 2: income is under-reported", youngRace2),
            }
            : [];

        var columns = new Column[]
        {
            NumericColumn.FromValues("age", age),
            NumericColumn.FromValues("income", income),
            NumericColumn.FromValues("debt", debt),
            NumericColumn.FromValues("tenure", tenure),
            CategoricalColumn.FromValues("education", education),
            CategoricalColumn.FromValues("region", region),
            CategoricalColumn.FromValues("sex", sex),
            NumericColumn.FromValues("RAC1P", race),
        };
        var featureSchema = new DatasetSchema(columns.Select(c => new ColumnSpec(c.Name, c.Kind)).ToArray());
        var features = new Dataset(featureSchema, columns);
        var all = Enumerable.Range(0, rows).ToArray();
        var truth = baseRule.Predict(features, all);
        if (plantedEffect)
        {
            var south = ((CategoricalColumn)columns[5]).CodeOf("South");
            var regionCodes = ((CategoricalColumn)columns[5]).Codes;
            var olderSouthTruth = olderSouth.Predict(features, all);
            var youngRace2Truth = youngRace2.Predict(features, all);
            for (var i = 0; i < rows; i++)
            {
                if (regionCodes[i] == south && age[i] >= 60) truth[i] = olderSouthTruth[i];
                else if (race[i] == 2 && age[i] < 30) truth[i] = youngRace2Truth[i];
            }
        }
        var label = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            // Without a planted effect the label is a coin flip, so the base rule has no structure to exploit.
            var y = plantedEffect ? (random.NextDouble() < labelNoise ? 1 - truth[i] : truth[i]) : (random.NextDouble() < 0.5 ? 1f : 0f);
            label[i] = y == 1f ? "yes" : "no";
        }
        var schema = new DatasetSchema(
            [.. featureSchema.Columns, new ColumnSpec("approved", ColumnKind.Categorical, ColumnRole.Label)],
            LabelColumn: "approved", PositiveClass: "yes");
        return new SyntheticTabular(new Dataset(schema, [.. columns, CategoricalColumn.FromValues("approved", label)]), baseRule, planted);
    }

    public static readonly string[] Accents = ["Indian", "Nigerian", "Scottish", "SouthernUS", "StandardUS", "Vietnamese"];
    public static readonly string[] NoiseConditions = ["cafe", "car", "quiet", "street"];
    public static readonly string[] Handsets = ["farfield", "headset", "phone"];

    /// <summary>The accent × noise combinations where the planted recogniser is worse.</summary>
    public static readonly (string Accent, string Noise, double ExtraWer)[] PlantedSpeechGaps =
        [("Scottish", "car", 0.12), ("Nigerian", "street", 0.10)];

    /// <summary>
    /// A speech-recognition evaluation table: one row per utterance with <c>accent</c>, <c>dialect_region</c>,
    /// <c>noise</c>, <c>handset</c>, <c>speaker_id</c> (hidden; the cluster column), <c>word_errors</c> and <c>reference_words</c> (the loss
    /// columns). Base word error rate ≈ 8 %, higher for noise and far-field handsets, and higher still for the
    /// <see cref="PlantedSpeechGaps"/>. No label: the competition's metric is the loss column (findings only).
    /// </summary>
    public static Dataset Speech(int utterances, int seed, bool plantedEffect = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(utterances);
        var random = new Random(seed);
        var speakers = Math.Max(1, utterances / 20);
        var speakerAccent = Enumerable.Range(0, speakers).Select(_ => Accents[random.Next(Accents.Length)]).ToArray();
        var accent = new string?[utterances];
        var region = new string?[utterances];
        var noise = new string?[utterances];
        var handset = new string?[utterances];
        var speaker = new string?[utterances];
        var errors = new float[utterances];
        var words = new float[utterances];
        for (var i = 0; i < utterances; i++)
        {
            var s = random.Next(speakers);
            speaker[i] = $"spk{s:D5}";
            accent[i] = speakerAccent[s];
            region[i] = accent[i] switch
            {
                "Indian" or "Vietnamese" => "Asia",
                "Nigerian" => "Africa",
                "Scottish" => "Europe",
                _ => "NorthAmerica",
            };
            noise[i] = NoiseConditions[random.Next(NoiseConditions.Length)];
            handset[i] = Handsets[random.Next(Handsets.Length)];
            words[i] = 5 + random.Next(26);
            var wer = 0.08 + (noise[i] == "quiet" ? 0 : 0.02) + (handset[i] == "farfield" ? 0.02 : 0);
            if (plantedEffect)
                foreach (var (a, n, extra) in PlantedSpeechGaps)
                    if (accent[i] == a && noise[i] == n) wer += extra;
            errors[i] = Binomial(random, (int)words[i], wer);
        }
        var columns = new Column[]
        {
            CategoricalColumn.FromValues("accent", accent),
            CategoricalColumn.FromValues("dialect_region", region),
            CategoricalColumn.FromValues("noise", noise),
            CategoricalColumn.FromValues("handset", handset),
            CategoricalColumn.FromValues("speaker_id", speaker),
            NumericColumn.FromValues("word_errors", errors),
            NumericColumn.FromValues("reference_words", words),
        };
        var schema = new DatasetSchema(
            [
                new ColumnSpec("accent", ColumnKind.Categorical), new ColumnSpec("dialect_region", ColumnKind.Categorical),
                new ColumnSpec("noise", ColumnKind.Categorical), new ColumnSpec("handset", ColumnKind.Categorical),
                new ColumnSpec("speaker_id", ColumnKind.Categorical, ColumnRole.Hidden),
                new ColumnSpec("word_errors", ColumnKind.Numeric, ColumnRole.Loss), new ColumnSpec("reference_words", ColumnKind.Numeric, ColumnRole.Loss),
            ],
            LossErrorsColumn: "word_errors", LossSizeColumn: "reference_words", ClusterColumn: "speaker_id");
        return new Dataset(schema, columns);
    }

    private static float Binomial(Random random, int trials, double p)
    {
        var count = 0;
        for (var t = 0; t < trials; t++)
            if (random.NextDouble() < p) count++;
        return count;
    }
}
