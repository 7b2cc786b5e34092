#!/bin/sh
# Runs every trace scenario (configs/scenarios/trace_*.yaml) under fifo, fifo_backfill and las and
# prints the README's table rows: jobs, mean / p95 JCT (h), GPU utilisation over the makespan and
# while jobs arrive, wall time. Usage: scripts/trace-table.sh [FLEETSIM_BINARY] (default
# build/release/fleetsim). Results folders go to a temporary folder that is removed afterwards.
set -eu
bin="${1:-build/release/fleetsim}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "| scenario | policy | jobs | mean JCT h | p95 JCT h | utilisation (makespan / arrivals) | wall s |"
echo "|---|---|---|---|---|---|---|"
for scenario in configs/scenarios/trace_*.yaml; do
  name="$(basename "$scenario" .yaml)"
  for policy in fifo fifo_backfill las; do
    "$bin" run "$scenario" --policy "$policy" --out "$out/$name-$policy" 2>/dev/null |
      awk -v name="$name" -v policy="$policy" '
        /^  jobs / { jobs = $2 }
        /^  JCT / { mean = $2; p95 = $4 }
        /^  GPU utilisation/ { util = $3 " / " $8 " %" }
        /^  wall time/ { wall = $3 }
        END { printf "| %s | %s | %s | %s | %s | %s | %s |\n", name, policy, jobs, mean, p95, util, wall }'
  done
done
