#!/usr/bin/env bash
# Regenerates speech-eval.csv.gz: a speech-recognition evaluation table made by real software, offline.
#
#   espeak-ng voices (several accents, variants, pitches and speeds) read the sentences in sentences.txt,
#   sox mixes in synthetic noise at fixed signal-to-noise ratios, and pocketsphinx (acoustic model
#   pocketsphinx-en-us, a bigram language model built here from sentences.txt) transcribes them.
#
# Usage: deploy/demo-data/speech/make-speech-eval.sh [--small] [--seed N] [--out FILE.csv.gz]
#   --small   one speaker per accent, 8 utterances each (a calibration run, written to /tmp unless --out)
# Environment: JOBS (parallel decoders, default 2), KEEP_TMP=1 keeps the work folder.
# Nothing is downloaded. The same seed and the same tool versions give the same table.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seed=12
small=0
out="$here/speech-eval.csv.gz"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --small) small=1; out="/tmp/speech-eval-small.csv.gz"; shift ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n 2,12p "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
jobs="${JOBS:-2}"

model=/usr/share/pocketsphinx/model/en-us
missing=()
for tool in espeak-ng sox pocketsphinx_batch python3 gzip; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
for f in "$model/en-us/mdef" "$model/cmudict-en-us.dict"; do
  [[ -e "$f" ]] || missing+=("$f")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "make-speech-eval: missing: ${missing[*]}" >&2
  echo "On Debian/Ubuntu: sudo apt-get install espeak-ng sox pocketsphinx pocketsphinx-en-us python3" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/speech-eval.XXXXXX")"
if [[ "${KEEP_TMP:-0}" != 1 ]]; then trap 'rm -rf "$work"' EXIT; else echo "work folder: $work"; fi
export LC_ALL=C.UTF-8
start=$(date +%s)

cp "$here/sentences.txt" "$work/sentences.txt"
cp "$model/cmudict-en-us.dict" "$work/dict"

# ---------------------------------------------------------------------------------------------------------------
# 1. The plan (python3, seeded): speakers, which sentences each reads in which noise, the noise offsets; the bigram LM.
# ---------------------------------------------------------------------------------------------------------------
python3 - "$work" "$seed" "$small" <<'PY'
import collections, math, random, re, sys
work, seed, small = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
rng = random.Random(seed)
sentences = [l.strip() for l in open(f"{work}/sentences.txt", encoding="utf-8") if l.strip()]
words = lambda s: re.findall(r"[a-z']+", s.lower())
dictionary = {l.split()[0].split("(")[0] for l in open(f"{work}/dict", encoding="utf-8")}
unknown = sorted({w for s in sentences for w in words(s)} - dictionary)
if unknown:
    sys.exit(f"sentences.txt has words missing from cmudict-en-us.dict: {' '.join(unknown)}")

# Accents: espeak-ng voice -> readable label (espeak-ng's own names in brackets in the README).
accents = [
    ("en-us", "US General"), ("en-us-nyc", "New York"), ("en-gb-x-rp", "RP British"),
    ("en-gb-scotland", "Scottish"), ("en-gb-x-gbcwmd", "West Midlands"), ("en-029", "Caribbean"),
]
rates = [("slow", 130), ("normal", 160), ("fast", 190)]
noises = ["quiet", "cafe-20dB", "street-10dB", "loud-5dB"]
speakers_per_accent, per_noise = (1, 2) if small else (4, 12)

speakers = []
for voice, label in accents:
    males = rng.sample([f"m{i}" for i in range(1, 8)], 2)
    females = rng.sample([f"f{i}" for i in range(1, 5)], 2)
    variants = [v for pair in zip(males, females) for v in pair][:speakers_per_accent]
    band = [rates[i % 3] for i in range(speakers_per_accent)]
    rng.shuffle(band)
    for variant, (rate_name, wpm) in zip(variants, band):
        pitch = rng.randrange(35, 70, 5)
        speakers.append(dict(id=f"{voice}+{variant}/p{pitch}/s{wpm}", voice=voice, variant=variant, accent=label,
                             gender="male" if variant[0] == "m" else "female", rate=rate_name, wpm=wpm, pitch=pitch))

rows = []
for spk in speakers:
    chosen = rng.sample(range(len(sentences)), per_noise * len(noises))
    conditions = [n for n in noises for _ in range(per_noise)]
    rng.shuffle(conditions)
    for s, noise in zip(chosen, conditions):
        rows.append((spk, s, noise))
rng.shuffle(rows)  # utterance ids carry no order by speaker or condition
with open(f"{work}/plan.tsv", "w", encoding="utf-8") as plan:
    for i, (spk, s, noise) in enumerate(rows, 1):
        offset = rng.randrange(0, 100 * 16000)  # start sample in the 120 s noise bed
        print(f"u{i:04d}", spk["id"], spk["voice"], spk["variant"], spk["pitch"], spk["wpm"], spk["accent"],
              spk["gender"], spk["rate"], noise, offset, f"s{s + 1:03d}", sep="\t", file=plan)

# Bigram language model over the sentences, interpolated absolute discounting (D = 0.7) with an add-one unigram,
# written as an ARPA backoff model. Deliberately weak: it knows the vocabulary and common word pairs, not the sentences.
D = 0.7
toks = [["<s>"] + words(s) + ["</s>"] for s in sentences]
uni = collections.Counter(w for t in toks for w in t[1:])
vocab = sorted({w for t in toks for w in t})
N, V = sum(uni.values()), len(vocab) - 1
pu = lambda w: (uni[w] + 1) / (N + V)
bi = collections.Counter((a, b) for t in toks for a, b in zip(t, t[1:]))
hist, types, follow = collections.Counter(), collections.Counter(), collections.defaultdict(list)
for (a, b), c in bi.items():
    hist[a] += c; types[a] += 1; follow[a].append(b)
bp = {(a, b): (c - D) / hist[a] + D * types[a] / hist[a] * pu(b) for (a, b), c in bi.items()}
bow = {a: (1 - sum(bp[(a, b)] for b in follow[a])) / (1 - sum(pu(b) for b in follow[a])) for a in hist}
lines = ["\\data\\", f"ngram 1={len(vocab)}", f"ngram 2={len(bp)}", "", "\\1-grams:"]
for w in vocab:
    lines.append(f"{-99.0 if w == '<s>' else math.log10(pu(w)):.4f} {w} {math.log10(bow[w]) if w in bow else 0.0:.4f}")
lines += ["", "\\2-grams:"] + [f"{math.log10(p):.4f} {a} {b}" for (a, b), p in sorted(bp.items())] + ["", "\\end\\", ""]
open(f"{work}/lm.arpa", "w", encoding="utf-8").write("\n".join(lines))
print(f"plan: {len(rows)} utterances, {len(speakers)} speakers, {len(sentences)} sentences, LM {len(vocab)} words")
PY

# ---------------------------------------------------------------------------------------------------------------
# 2. Noise beds: 120 s each, 16 kHz mono, made by sox in repeatable mode (-R: the same samples on every run).
# ---------------------------------------------------------------------------------------------------------------
bed() { sox -V1 -R -n -r 16000 -c 1 -b 16 "$work/$1.wav" synth 120 "${@:2}"; }
bed cafe pinknoise gain -12 tremolo 3 60 highpass 120 lowpass 4000   # babble-like: pink noise, 3 Hz amplitude modulation
bed street brownnoise gain -12 highpass 40 tremolo 0.3 40            # traffic-like rumble: brown noise, slow swell
bed loud whitenoise gain -12 lowpass 6000                            # broadband hiss
for n in cafe street loud; do
  sox "$work/$n.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}' > "$work/$n.rms"
done

# ---------------------------------------------------------------------------------------------------------------
# 3. Synthesis and mixing, then decoding, in $jobs shards at nice 10.
# ---------------------------------------------------------------------------------------------------------------
shard() {
  local k="$1" dir="$work/shard$1"
  mkdir -p "$dir/wav"
  : > "$dir/ctl"
  awk -F'\t' -v k="$k" -v n="$jobs" '(NR - 1) % n == k' "$work/plan.tsv" |
  while IFS=$'\t' read -r utt spk voice variant pitch wpm accent gender rate noise offset sid; do
    local text
    text="$(sed -n "$((10#${sid#s}))p" "$work/sentences.txt")"
    espeak-ng -v "$voice+$variant" -p "$pitch" -s "$wpm" -w "$dir/raw.wav" "$text"
    # 16 kHz 16-bit mono, 6 dB of headroom for the noise, 0.3 s of silence either side as a recorder would capture.
    sox -V1 -R "$dir/raw.wav" -r 16000 -c 1 -b 16 "$dir/clean.wav" gain -6 pad 0.3 0.3
    if [[ "$noise" == quiet ]]; then
      sox -V1 -R "$dir/clean.wav" "$dir/wav/$utt.wav" dither -s
    else
      local bedname="${noise%%-*}" snr="${noise#*-}"; snr="${snr%dB}"
      local samples speech_rms gain
      samples="$(soxi -s "$dir/clean.wav")"
      speech_rms="$(sox "$dir/clean.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')"
      # noise gain so that 20*log10(speech RMS / noise RMS) = SNR (RMS over the whole padded utterance)
      gain="$(awk -v s="$speech_rms" -v n="$(cat "$work/$bedname.rms")" -v snr="$snr" 'BEGIN {printf "%.6f", s / n / 10 ^ (snr / 20)}')"
      sox -V1 "$work/$bedname.wav" "$dir/noise.wav" trim "${offset}s" "${samples}s"
      sox -V1 -R -m -v 1 "$dir/clean.wav" -v "$gain" "$dir/noise.wav" "$dir/wav/$utt.wav" dither -s
    fi
    echo "$utt" >> "$dir/ctl"
  done
  nice -n 10 pocketsphinx_batch -adcin yes -cepdir "$dir/wav" -cepext .wav -ctl "$dir/ctl" \
    -hmm "$model/en-us" -lm "$work/lm.arpa" -dict "$work/dict" -hyp "$dir/hyp" > "$dir/log" 2>&1 ||
    { echo "pocketsphinx_batch failed in shard $k; see the end of its log:" >&2; tail -20 "$dir/log" >&2; return 1; }
}
pids=()
for ((k = 0; k < jobs; k++)); do nice -n 10 bash -c "$(declare -f shard); work='$work' jobs='$jobs' model='$model'; set -euo pipefail; shard $k" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done

# ---------------------------------------------------------------------------------------------------------------
# 4. The table, its summary (word error rate by a plain word-level Levenshtein), and a gzip without timestamps.
# ---------------------------------------------------------------------------------------------------------------
cat "$work"/shard*/hyp > "$work/all.hyp"
python3 - "$work" "$out" <<'PY'
import collections, csv, gzip, io, re, sys
work, out = sys.argv[1], sys.argv[2]
sentences = [l.strip() for l in open(f"{work}/sentences.txt", encoding="utf-8") if l.strip()]
hyp = {}
for line in open(f"{work}/all.hyp", encoding="utf-8"):
    m = re.match(r"^(.*?)\s*\((u\d+)(?: -?\d+)*\)\s*$", line.rstrip("\n"))
    if m: hyp[m.group(2)] = m.group(1).strip()
rows = []
for line in open(f"{work}/plan.tsv", encoding="utf-8"):
    utt, spk, voice, variant, pitch, wpm, accent, gender, rate, noise, offset, sid = line.rstrip("\n").split("\t")
    if utt not in hyp: sys.exit(f"no hypothesis for {utt}")
    rows.append(dict(utterance_id=utt, speaker_id=spk, accent=accent, speaker_gender=gender, speaking_rate=rate,
                     noise=noise, sentence_id=sid, reference=sentences[int(sid[1:]) - 1], hypothesis=hyp[utt]))
buf = io.StringIO()
w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
w.writeheader(); w.writerows(rows)
with open(out, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="", compresslevel=9) as g:
    g.write(buf.getvalue().encode("utf-8"))

toks = lambda s: re.findall(r"[a-z0-9']+", s.lower())
def edits(r, h):
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[:], i
        for j in range(1, len(h) + 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (r[i - 1] != h[j - 1]))
    return d[len(h)]
for r in rows:
    r["_e"], r["_n"] = edits(toks(r["reference"]), toks(r["hypothesis"])), len(toks(r["reference"]))
def table(title, key):
    agg = collections.defaultdict(lambda: [0, 0, 0])
    for r in rows:
        a = agg[key(r)]; a[0] += r["_e"]; a[1] += r["_n"]; a[2] += 1
    print(f"\n{title:<28} {'utterances':>10} {'words':>7} {'WER %':>6}")
    for k, (e, n, c) in sorted(agg.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"{k:<28} {c:>10} {n:>7} {100 * e / n:>6.1f}")
E, N = sum(r["_e"] for r in rows), sum(r["_n"] for r in rows)
print(f"\n{len(rows)} utterances, {N} reference words, overall WER {100 * E / N:.1f} % "
      f"(lower case, punctuation removed, word-level Levenshtein); empty hypotheses: {sum(1 for r in rows if not r['hypothesis'])}")
table("accent", lambda r: r["accent"])
table("noise", lambda r: r["noise"])
table("speaking_rate", lambda r: r["speaking_rate"])
table("speaker_gender", lambda r: r["speaker_gender"])
table("accent x noise", lambda r: f"{r['accent']} / {r['noise']}")
spk = collections.defaultdict(lambda: [0, 0])
for r in rows: spk[r["speaker_id"]][0] += r["_e"]; spk[r["speaker_id"]][1] += r["_n"]
rates = sorted(100 * e / n for e, n in spk.values())
print(f"\nper-speaker WER: min {rates[0]:.1f} %, median {rates[len(rates) // 2]:.1f} %, max {rates[-1]:.1f} % over {len(rates)} speakers")
PY
echo
echo "wrote $out in $(( $(date +%s) - start )) s"
