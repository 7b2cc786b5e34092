#!/usr/bin/env python3
"""The inference-sharing trade-off table: SLO attainment of the inference services against
training job completion time, per sharing policy (sweep variant), mean +- 95% confidence interval
across seeds (Student t).

  scripts/inference_tradeoff.py SWEEP_OUT_DIR [--format markdown|csv]

The training JCT is also given as a difference to --baseline (default fifo_backfill) paired by
seed: the seeds share the workload and the demand, so their variation cancels.
SWEEP_OUT_DIR is what `fleetsim sweep configs/sweeps/inference_sharing.yaml --out DIR` wrote
(cells DIR/<scenario>/<variant...>/seed-<n>/summary.json). Every number comes from the cells'
summary.json; standard library only.
"""
import argparse
import json
import math
import os
import statistics
import sys

# Two-sided 95 % Student t quantiles by degrees of freedom (1..30), then the normal value.
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
       2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
       2.056, 2.052, 2.048, 2.045, 2.042]


def ci(values):
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, 0.0
    t = T95[len(values) - 2] if len(values) - 1 <= len(T95) else 1.960
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))


def metrics(summary):
    services = summary["services"]["list"]
    demand = sum(s["demand_requests"] for s in services)
    within = sum(s["within_slo_requests"] for s in services)
    served = sum(s["served_requests"] for s in services)
    hours = sum(s["hours_with_demand"] for s in services)
    met = sum(s["hours_meeting_goal"] for s in services)
    return {
        "slo_attainment_pct": 100 * within / demand if demand else 100.0,
        "served_pct": 100 * served / demand if demand else 100.0,
        "hours_meeting_goal_pct": 100 * met / hours if hours else 100.0,
        "jct_mean_h": summary["jct_s"]["mean"] / 3600,
        "jct_p95_h": summary["jct_s"]["p95"] / 3600,
        "training_preemptions": summary["preemptions"],
        "inference_gpu_h": summary["services"]["inference_gpu_hours"],
        "fleet_utilisation_pct": 100 * summary["services"]["fleet_gpu_utilisation"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--format", choices=["markdown", "csv"], default="markdown")
    parser.add_argument("--baseline", default="fifo_backfill",
                        help="variant the training JCT is compared with, paired by seed")
    args = parser.parse_args()
    cells = {}  # (scenario, variant) -> [metrics]
    for root, _dirs, files in os.walk(args.dir):
        if "summary.json" not in files or not os.path.basename(root).startswith("seed-"):
            continue
        with open(os.path.join(root, "summary.json")) as f:
            summary = json.load(f)
        if "services" not in summary:
            continue
        rel = os.path.relpath(os.path.dirname(root), args.dir).split(os.sep)
        scenario = summary["scenario"]
        variant = "/".join(rel[rel.index(scenario) + 1:]) if scenario in rel else rel[-1]
        cells.setdefault((scenario, variant), []).append((summary["seed"], metrics(summary)))
    if not cells:
        sys.exit(f"no sweep cells with services under {args.dir}")
    names = list(next(iter(cells.values()))[0][1].keys())
    rows = []
    for (scenario, variant), runs in sorted(cells.items()):
        stats = {n: ci([r[n] for _seed, r in sorted(runs)]) for n in names}
        # Training JCT paired by seed with the baseline (same workload, same service demand).
        base = dict(cells.get((scenario, args.baseline), []))
        diffs = [r["jct_mean_h"] - base[seed]["jct_mean_h"] for seed, r in runs if seed in base]
        stats["jct_mean_vs_baseline_h"] = ci(diffs) if diffs else (math.nan, math.nan)
        rows.append((scenario, variant, len(runs), stats))
    names.append("jct_mean_vs_baseline_h")
    if args.format == "csv":
        print("scenario,variant,seeds," + ",".join(f"{n},{n}_ci95" for n in names))
        for scenario, variant, seeds, stats in rows:
            cells_text = ",".join(f"{stats[n][0]:.4f},{stats[n][1]:.4f}" for n in names)
            print(f"{scenario},{variant},{seeds},{cells_text}")
        return
    headers = ["policy", "seeds", "SLO attainment %", "served %", "hours meeting goal %",
               "training mean JCT h", f"vs {args.baseline} (paired) h", "training p95 JCT h",
               "training preemptions", "inference GPU-h", "fleet utilisation %"]
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|")
    for _scenario, variant, seeds, stats in rows:
        def cell(name, digits):
            mean, half = stats[name]
            return f"{mean:.{digits}f} ± {half:.{digits}f}"
        print(f"| `{variant}` | {seeds} | {cell('slo_attainment_pct', 2)} | {cell('served_pct', 2)} "
              f"| {cell('hours_meeting_goal_pct', 1)} | {cell('jct_mean_h', 2)} "
              f"| {cell('jct_mean_vs_baseline_h', 2)} "
              f"| {cell('jct_p95_h', 1)} | {cell('training_preemptions', 0)} "
              f"| {cell('inference_gpu_h', 0)} | {cell('fleet_utilisation_pct', 1)} |")


if __name__ == "__main__":
    main()
