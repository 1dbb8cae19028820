#!/bin/bash
# Paired ingest floods: the build at OLD_REV against the working tree, N pairs, each pair's order
# alternating (old first, then new first).
# This VM's speed drifts by ±25 % within minutes, so only paired runs compare two builds.
# usage: scripts/paired-ingest.sh OLD_REV [N=3] [BROKERS=mosquitto]
# Prints one JSON line per run (old/new); leaves bench/HISTORY.md as it was.
set -euo pipefail
OLD=$1; N=${2:-3}; B=${3:-mosquitto}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WT=$(mktemp -d /tmp/fleetdesk-paired-XXXXXX)
SAVED=$(mktemp)
cp "$ROOT/bench/HISTORY.md" "$SAVED"
cleanup() { cp "$SAVED" "$ROOT/bench/HISTORY.md"; git -C "$ROOT" worktree remove --force "$WT" 2>/dev/null || true; rm -f "$SAVED"; }
trap cleanup EXIT
git -C "$ROOT" worktree add -q "$WT" "$OLD"
ln -s "$ROOT/node_modules" "$WT/node_modules"
bundle() { # build the app and today's ingest bench in $1
  if [ "$1" != "$ROOT" ]; then
    cp "$ROOT/bench/ingest.bench.ts" "$1/bench/ingest.bench.ts"
    # the same bench, importing FleetService from wherever that build keeps it
    svc=$(cd "$1" && grep -rl "export class FleetService" src/main | head -1); svc=${svc%.ts}
    sed -i "s#'../src/main/app/service'#'../$svc'#" "$1/bench/ingest.bench.ts"
  fi
  (cd "$1" && node node_modules/electron-vite/bin/electron-vite.js build >/dev/null 2>&1 &&
    npx esbuild bench/ingest.bench.ts --bundle --platform=node --format=esm --packages=external --outfile=.bench-tmp/ingest.mjs --log-level=error)
}
bundle "$WT"
bundle "$ROOT"
for i in $(seq "$N"); do
  # alternate which build goes first: the VM's speed drifts within a pair too
  order="old new"; [ $((i % 2)) -eq 0 ] && order="new old"
  for side in $order; do
    d=$ROOT; [ $side = old ] && d=$WT
    (cd "$d" && BROKERS=$B MODES=flood node .bench-tmp/ingest.mjs 2>&1 | grep '^{"broker' | sed "s/^/$side /")
  done
done
