#!/usr/bin/env bash
# Runs every test of the solution; exits non-zero on any failure.
# Usage: deploy/test.sh            (from anywhere; works as root and as an ordinary user)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "deploy/test.sh: the .NET SDK is not on PATH; install .NET SDK 10.0.401 (see global.json)" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "== restore and build (Release, warnings are errors)"
dotnet build BiasBounty.sln -c Release -nologo -v minimal

echo "== tests"
dotnet test BiasBounty.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$results"

echo "== the README's run command, as a smoke test"
bash deploy/run.sh --no-build >"$results/run.log"
tail -n 5 "$results/run.log"
echo "all tests passed"
