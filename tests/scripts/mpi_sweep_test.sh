#!/bin/sh
# An MPI sweep (3 ranks, oversubscribed on loopback) writes byte-identical cells to a local
# sweep, splits the cells across the ranks, and resumes like a local one. Run by ctest when
# fleetsim is built with FLEETSIM_MPI.  usage: mpi_sweep_test.sh FLEETSIM MPIEXEC SWEEP.yaml
set -eu
fleetsim=$1 mpiexec=$2 sweep=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
as_root=""
[ "$(id -u)" -eq 0 ] && as_root="--allow-run-as-root"
fail() { echo "mpi_sweep_test: FAILED: $*" >&2; exit 1; }

"$fleetsim" sweep "$sweep" -j 2 --out "$tmp/local" >/dev/null 2>&1 || fail "local sweep"
# shellcheck disable=SC2086
"$mpiexec" $as_root --oversubscribe -n 3 "$fleetsim" sweep "$sweep" -j 1 --out "$tmp/mpi" \
  >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; fail "mpirun sweep exited non-zero"; }
grep -q "12 cells: 12 run, 0 already complete, 0 left; .* with 3 ranks x 1 threads" "$tmp/out" ||
  { cat "$tmp/out"; fail "summary line"; }
for rank in 0 1 2; do
  [ "$(grep -c "rank $rank/3: [0-9]*/4 " "$tmp/err")" -eq 4 ] || { cat "$tmp/err"; fail "rank $rank did not run 4 cells"; }
done
diff -r "$tmp/local" "$tmp/mpi" || fail "MPI cells differ from the local sweep's"
[ "$(find "$tmp/mpi" -name summary.json | wc -l)" -eq 12 ] || fail "expected 12 cells"

# shellcheck disable=SC2086
"$mpiexec" $as_root --oversubscribe -n 3 "$fleetsim" sweep "$sweep" --out "$tmp/mpi" \
  >"$tmp/out2" 2>/dev/null || fail "resumed mpirun sweep exited non-zero"
grep -q "12 cells: 0 run, 12 already complete, 0 left" "$tmp/out2" || { cat "$tmp/out2"; fail "resume"; }
echo "mpi_sweep_test: 12 cells on 3 ranks, byte-identical to the local sweep; resume ran none"
