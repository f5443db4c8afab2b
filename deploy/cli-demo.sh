#!/usr/bin/env bash
# Runs the scoring engine end to end on the bundled demo data (UCI Adult): trains a baseline model on the public
# training part, then scores a finding with a fix against the hidden part, as an organizer would offline.
# Usage: deploy/cli-demo.sh [--no-build]   (also: deploy/run.sh --cli [--no-build])
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [[ "${1:-}" != "--no-build" ]]; then
  dotnet build src/BiasBounty.Cli -c Release -nologo -v quiet
fi
bbounty=(dotnet "$root/src/BiasBounty.Cli/bin/Release/net10.0/bbounty.dll")
work="$root/artifacts/demo"
mkdir -p "$work"
data="$root/deploy/demo-data"

echo "== the public training data"
"${bbounty[@]}" inspect "$data/adult.data.gz"
echo
echo "== a participant checks two groups on the public data"
women='sex == "Female" and marital-status in ("Married-civ-spouse", "Married-AF-spouse")'
married='marital-status == "Married-civ-spouse"'
"${bbounty[@]}" check-group --data "$data/adult.data.gz" "$women"
"${bbounty[@]}" check-group --data "$data/adult.data.gz" "$married"
echo
echo "== the organizer trains the baseline model (version 0); participants train fixes on their groups"
"${bbounty[@]}" train-baseline --data "$data/adult.data.gz" --out "$work/baseline.onnx"
"${bbounty[@]}" train-baseline --data "$data/adult.data.gz" --group "$women" --out "$work/fix-women.onnx"
"${bbounty[@]}" train-baseline --data "$data/adult.data.gz" --group "$married" --kind trees --out "$work/fix-married.onnx"
echo
echo "== submission 1, scored against the hidden holdout (adult.test): a real finding; its fix is not good enough"
"${bbounty[@]}" score --holdout "$data/adult.test.gz" --model "$work/baseline.onnx" --group "$women" --fix "$work/fix-women.onnx"
echo
echo "== submission 2: a finding whose fix is accepted (the model becomes version 1)"
"${bbounty[@]}" score --holdout "$data/adult.test.gz" --model "$work/baseline.onnx" --group "$married" --fix "$work/fix-married.onnx"
