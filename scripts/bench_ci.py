#!/usr/bin/env python3
"""CI benchmark mode: run a subset of the Google Benchmark suite plus a fixed set of scenario runs,
write their medians as JSON, and compare with a baseline measured on the same machine as ratios
of medians (current / baseline, lower is better), failing on a regression beyond a threshold.

  bench_ci.py run --build build/release --out bench-ci.json [--baseline FILE] [--threshold 1.25]
  bench_ci.py compare CURRENT.json BASELINE.json [--threshold 1.25]

Exit codes: 0 no regression, 1 a regression beyond the threshold, 2 bad input (missing file,
a benchmark that failed). Standard library only, so it runs on any python3.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

# A subset of bench/ that covers the calendar, the engine loop, placement and the LP, in about
# 20 s on two cores; a filter for --benchmark_filter (a regex). The calendar runs at 10^4 pending
# events, inside the caches: at 10^6 it is memory-bound and another process's memory traffic
# moved it by up to 2x between identical builds on the shared development VM.
DEFAULT_FILTER = (
    "BM_EventQueue_Hold/10000$|BM_EngineLoop_EventsPerSecond/1000$|"
    "BM_Placement_topology/72/95$|BM_Placement_best_fit/72/95$|BM_GavelLp_Throughput/100$"
)
# Whole runs through the CLI (load, simulate, write results): (name, scenario, extra arguments).
SCENARIO_RUNS = [
    ("run/toy", "configs/scenarios/toy.yaml", []),
    ("run/default_fifo_backfill", "configs/scenarios/default.yaml", []),
    ("run/default_las", "configs/scenarios/default.yaml", ["--policy", "las"]),
]


def fail(message):
    print(f"bench_ci: error: {message}", file=sys.stderr)
    sys.exit(2)


def google_benchmarks(binary, bench_filter, repetitions):
    """{name: {"median": seconds per iteration, "unit": "s"}} from the suite's median aggregates."""
    if not os.access(binary, os.X_OK):
        fail(f"{binary}: no benchmark binary (build with FLEETSIM_BUILD_BENCH=ON)")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "gbench.json")
        subprocess.run([binary, f"--benchmark_filter={bench_filter}",
                        f"--benchmark_repetitions={repetitions}",
                        "--benchmark_report_aggregates_only=true",
                        f"--benchmark_out={out}", "--benchmark_out_format=json"],
                       check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            report = json.load(f)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    results = {}
    for b in report["benchmarks"]:
        if b.get("error_occurred"):
            fail(f"{b['name']}: {b.get('error_message', 'failed')}")
        if b.get("aggregate_name") == "median":
            results[b["run_name"]] = {"median": b["cpu_time"] * scale[b["time_unit"]], "unit": "s"}
    if not results:
        fail(f"no benchmark matched the filter {bench_filter!r}")
    return results


def scenario_runs(fleetsim, source_dir, repetitions, only=None):
    """{name: {"median": wall seconds of `fleetsim run`}}: the user's view of speed."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, scenario, extra in SCENARIO_RUNS:
            if only is not None and name not in only:
                continue
            times = []
            for _ in range(repetitions):
                start = time.perf_counter()
                subprocess.run([fleetsim, "run", os.path.join(source_dir, scenario), "--out",
                                os.path.join(tmp, "out")] + extra,
                               check=True, stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            results[name] = {"median": statistics.median(times), "unit": "s"}
    return results


def measure(args, only=None):
    """Medians of every benchmark, or of the names in `only` (a re-measurement)."""
    bench_filter = args.filter
    if only is not None:
        names = [n for n in only if not n.startswith("run/")]
        bench_filter = "|".join(f"^{re.escape(n)}$" for n in names) if names else None
    results = {}
    if bench_filter:
        results.update(google_benchmarks(os.path.join(args.build, "bench", "fleetsim_bench"),
                                         bench_filter, args.repetitions))
    results.update(scenario_runs(os.path.join(args.build, "fleetsim"), args.source,
                                 args.repetitions, only))
    return results


def compare(current, baseline, threshold):
    """Prints one line per benchmark; returns the names that regressed beyond threshold."""
    regressed = []
    width = max(len(n) for n in current["results"]) if current["results"] else 10
    print(f"{'benchmark':<{width}}  {'baseline':>12}  {'current':>12}  {'ratio':>7}")
    for name in sorted(set(current["results"]) | set(baseline["results"])):
        if name not in baseline["results"]:
            print(f"{name:<{width}}  {'-':>12}  {current['results'][name]['median']:>12.6g}  new")
            continue
        if name not in current["results"]:
            print(f"{name:<{width}}  {baseline['results'][name]['median']:>12.6g}  {'-':>12}  "
                  "missing")
            continue
        base = baseline["results"][name]["median"]
        now = current["results"][name]["median"]
        ratio = now / base if base > 0 else float("inf")
        verdict = "  REGRESSION" if ratio > threshold else ""
        print(f"{name:<{width}}  {base:>12.6g}  {now:>12.6g}  {ratio:>7.3f}{verdict}")
        if ratio > threshold:
            regressed.append(name)
    if regressed:
        print(f"bench_ci: {len(regressed)} regression(s) beyond {threshold:.2f}x: "
              + ", ".join(regressed))
    else:
        print(f"bench_ci: no regression beyond {threshold:.2f}x")
    return regressed


def load(path):
    try:
        with open(path) as f:
            data = json.load(f)
        data["results"]
        return data
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"{path}: not a bench_ci result ({e})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="measure, write JSON, and compare if --baseline is given")
    run.add_argument("--build", default="build/release", help="CMake build folder")
    run.add_argument("--source", default=".", help="source tree (for configs/)")
    run.add_argument("--out", default="bench-ci.json")
    run.add_argument("--filter", default=DEFAULT_FILTER, help="--benchmark_filter regex")
    run.add_argument("--repetitions", type=int, default=5)
    run.add_argument("--baseline")
    run.add_argument("--threshold", type=float, default=1.25)
    run.add_argument("--retries", type=int, default=1,
                     help="re-measure regressed benchmarks this many times and keep the lowest "
                          "median, so one noisy measurement does not fail the build")
    cmp = sub.add_parser("compare", help="compare two result files")
    cmp.add_argument("current")
    cmp.add_argument("baseline")
    cmp.add_argument("--threshold", type=float, default=1.25)
    args = parser.parse_args()
    if args.threshold <= 1:
        fail(f"--threshold must be above 1 (a ratio of medians), got {args.threshold}")

    if args.command == "compare":
        return 1 if compare(load(args.current), load(args.baseline), args.threshold) else 0

    baseline = load(args.baseline) if args.baseline else None
    results = measure(args)
    for attempt in range(args.retries if baseline else 0):
        suspects = [n for n in results if n in baseline["results"]
                    and results[n]["median"] > args.threshold * baseline["results"][n]["median"]]
        if not suspects:
            break
        print(f"bench_ci: re-measuring {len(suspects)} benchmark(s) above the threshold "
              f"(retry {attempt + 1} of {args.retries}): " + ", ".join(suspects))
        for name, again in measure(args, suspects).items():
            results[name]["median"] = min(results[name]["median"], again["median"])
    current = {"repetitions": args.repetitions, "statistic": "median", "results": results}
    with open(args.out, "w") as f:
        json.dump(current, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"bench_ci: {len(results)} medians written to {args.out}")
    if baseline:
        return 1 if compare(current, baseline, args.threshold) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
