using System.Text;

namespace BiasBounty.Web.Tests.Organize;

/// <summary>
/// A made-up speech evaluation table with a planted gap: Scottish speakers in loud noise get about half their words
/// wrong, everyone else about one in ten. 48 speakers (16 per accent), 40 utterances each (20 quiet, 20 loud), so a
/// group of one accent in one noise has rows from many speakers in every part of any split by speaker.
/// </summary>
public static class EvaluationTableData
{
    public const string Group = "accent == \"Scottish\" and noise == \"loud\"";

    private static readonly string[] Accents = ["Scottish", "US General", "Caribbean"];

    private static readonly string[] Sentences =
    [
        "The doctor said I should drink more water every day.",
        "Please call Stella and ask her to bring these things.",
        "We walked along the river until the sun went down.",
        "My brother moved to a small town near the coast.",
        "Turn left at the second light and park behind the shop.",
        "She bought three apples and a loaf of fresh bread.",
        "The meeting starts at nine, don't be late again.",
        "Our train was cancelled because of the heavy snow.",
    ];

    /// <summary>
    /// utterance_id, speaker_id, accent, noise, reference, hypothesis: the transcript form. More speakers with fewer
    /// utterances each keep the rows but put the group's rows on more speakers, so that a random split by speaker
    /// leaves enough of them in every part (the browser walk's wizard draws a new split each run).
    /// </summary>
    public static string Transcripts(int speakers = 48, int utterances = 40)
    {
        var text = new StringBuilder("utterance_id,speaker_id,accent,noise,reference,hypothesis\n");
        foreach (var (id, speaker, accent, noise, reference, hypothesis) in Rows(speakers, utterances))
            text.Append($"u{id:0000},spk{speaker:00},{accent},{noise},\"{reference}\",\"{hypothesis}\"\n");
        return text.ToString();
    }

    /// <summary>utterance_id, speaker_id, accent, noise, errors, words: the same table with counted errors (wrong words, reference words).</summary>
    public static string Counts()
    {
        var text = new StringBuilder("utterance_id,speaker_id,accent,noise,errors,words\n");
        foreach (var (id, speaker, accent, noise, reference, hypothesis) in Rows())
        {
            var said = reference.Split(' ');
            var heard = hypothesis.Split(' ');
            text.Append($"u{id:0000},spk{speaker:00},{accent},{noise},{said.Zip(heard).Count(p => p.First != p.Second)},{said.Length}\n");
        }
        return text.ToString();
    }

    private static IEnumerable<(int Id, int Speaker, string Accent, string Noise, string Reference, string Hypothesis)> Rows(
        int speakers = 48, int utterances = 40)
    {
        var random = new Random(12);
        var id = 0;
        for (var speaker = 0; speaker < speakers; speaker++)
        {
            var accent = Accents[speaker % Accents.Length];
            var voice = random.NextDouble() * 0.06; // some speakers are harder to hear than others
            for (var utterance = 0; utterance < utterances; utterance++)
            {
                var noise = utterance % 2 == 0 ? "quiet" : "loud";
                var wrong = 0.06 + voice + (noise == "loud" ? 0.05 : 0) + (accent == "Scottish" && noise == "loud" ? 0.4 : 0);
                // Lower case without punctuation: the hypothesis differs from the reference only where a word was misheard.
                var reference = Sentences[(speaker + utterance) % Sentences.Length].ToLowerInvariant().Replace(".", "").Replace(",", "");
                var hypothesis = string.Join(' ', reference.Split(' ').Select(w => random.NextDouble() < wrong ? "uh" : w));
                yield return (++id, speaker, accent, noise, reference, hypothesis);
            }
        }
    }
}
