#!/bin/sh
# Runs one fuzz target for a bounded time from its seed files (the ctest `fuzz` tests).
#   run_fuzzer.sh FUZZER WORKDIR SECONDS [LIBFUZZER_FLAG...] -- SEED...
# WORKDIR/seeds is rebuilt from the SEED files on every run; WORKDIR/corpus keeps what the fuzzer
# found, so local runs build on each other (CI starts clean). A finding is saved as
# WORKDIR/crash-*, timeout-*, oom-* or leak-*; reproduce it with `FUZZER FILE`.
# Seeds are adapted so mutations reach past the first check:
#  - *.yaml: relative file references (fleet:, workload:, gpu_catalog:, path:, throughputs:) are
#    made absolute, since the target reads its input from a temp folder;
#  - *.gz: added decompressed as well, so mutations reach the rows, not only the deflate bytes.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 FUZZER WORKDIR SECONDS [FLAG...] -- SEED..." >&2; exit 2; }
fuzzer=$1 workdir=$2 seconds=$3
shift 3
flags=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags="$flags $1"; shift; done
[ $# -gt 0 ] && shift

rm -rf "$workdir/seeds"
mkdir -p "$workdir/seeds" "$workdir/corpus"
n=0
for seed in "$@"; do
  dir=$(cd "$(dirname "$seed")" && pwd)
  n=$((n + 1))
  name=$n-$(basename "$seed")  # numbered: seeds from different folders may share a name
  case "$seed" in
    *.yaml)
      sed -E "s#((fleet|workload|gpu_catalog|path|throughputs): *)([^ /{\"'][^ ,}]*)#\\1$dir/\\3#g" \
        "$seed" >"$workdir/seeds/$name"
      ;;
    *.gz)
      cp "$seed" "$workdir/seeds/$name"
      # A truncated gzip still yields its whole lines (and a non-zero status).
      gzip -dc "$seed" >"$workdir/seeds/$name.txt" 2>/dev/null || true
      ;;
    *) cp "$seed" "$workdir/seeds/$name" ;;
  esac
done

# -timeout: seconds for one input (a hang); -rss_limit_mb: memory (also the largest malloc).
# shellcheck disable=SC2086
if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -print_final_stats=1 -artifact_prefix="$workdir/" $flags "$workdir/corpus" "$workdir/seeds"; then
  exit 0
fi
echo "fuzz: finding saved in $workdir/ (crash-*, timeout-*, oom-*, leak-*); reproduce with:" >&2
echo "  ${FLEETSIM_FUZZ_FORMAT:+FLEETSIM_FUZZ_FORMAT=$FLEETSIM_FUZZ_FORMAT }$fuzzer FILE" >&2
exit 1
