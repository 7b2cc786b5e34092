#!/usr/bin/env python3
"""Reproduces the qualitative headline result of each queue policy's paper on the scenarios in
configs/scenarios/policies/ and prints the README's comparison table (markdown).

  scripts/policy_headlines.py [path/to/fleetsim]   (default: build/release/fleetsim)

Every number comes from the runs' summary.json / jobs.csv; nothing is hard-coded. Runs go to
results/policy_headlines/. Finish-time fairness rho = JCT / run time: on these fleets every job
runs at the reference speed and overheads are 0, so run time = the job's isolated duration.
"""
import csv
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "results", "policy_headlines")
SEEDS = [1, 2, 3, 4, 5]


def run(binary, scenario, policy, seed, placement=None, path=None):
    out = os.path.join(OUT, f"{os.path.basename(path or scenario)}-{policy}-{placement}-{seed}")
    path = path or os.path.join(ROOT, "configs", "scenarios", "policies", scenario + ".yaml")
    args = [binary, "--log-level", "error", "run", path, "--policy", policy, "--seed", str(seed),
            "--out", out]
    if placement:
        args += ["--placement", placement]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out, "jobs.csv"), newline="") as f:
        jobs = list(csv.DictReader(f))
    return summary, jobs


def pct(values, q):  # type-7 percentile, as the simulator reports
    v = sorted(values)
    h = (len(v) - 1) * q
    lo = int(h)
    return v[lo] + (h - lo) * (v[min(lo + 1, len(v) - 1)] - v[lo])


def hours(seconds):
    return seconds / 3600.0


def heavy_tail(binary):
    print("### Heavy-tailed Philly-like jobs, 64 H100 (heavy_tail_64.yaml), mean of seeds 1-5\n")
    print("| policy | mean JCT (h) | p99 JCT (h) | mean rho | p99 rho | max rho | "
          "max rho, jobs >= 1 h |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for policy in ["fifo", "fifo_backfill", "las", "gittins", "themis"]:
        rows = []
        for seed in SEEDS:
            summary, jobs = run(binary, "heavy_tail_64", policy, seed)
            rho = [float(j["jct_s"]) / max(1.0, float(j["run_time_s"])) for j in jobs]
            long_rho = [float(j["jct_s"]) / float(j["run_time_s"]) for j in jobs
                        if float(j["run_time_s"]) >= 3600]
            rows.append((hours(summary["jct_s"]["mean"]), hours(summary["jct_s"]["p99"]),
                         statistics.fmean(rho), pct(rho, 0.99), max(rho), max(long_rho)))
        m = [statistics.fmean(c) for c in zip(*rows)]
        print(f"| `{policy}` | {m[0]:.2f} | {m[1]:.1f} | {m[2]:.1f} | {m[3]:.0f} | {m[4]:.0f} | "
              f"{m[5]:.1f} |")
    print()


def priority(binary):
    print("### Production (priority 1) vs research jobs, 64 H100 (priority_64.yaml)\n")
    trace = os.path.join(ROOT, "configs", "traces", "philly_64gpu_priority.csv")
    with open(trace, newline="") as f:
        prio = {r["job_id"]: int(r["priority"]) for r in csv.DictReader(f)}
    print("| policy | mean JCT, priority 1 (h) | mean queueing, priority 1 (h) | mean JCT, "
          "priority 0 (h) | preemptions |")
    print("|---|---:|---:|---:|---:|")
    for policy in ["fifo_backfill", "priority"]:
        summary, jobs = run(binary, "priority_64", policy, 1)
        hi = [j for j in jobs if prio[j["job_id"]] == 1]
        lo = [j for j in jobs if prio[j["job_id"]] == 0]
        print(f"| `{policy}` | {hours(statistics.fmean(float(j['jct_s']) for j in hi)):.2f} | "
              f"{hours(statistics.fmean(float(j['queue_delay_s']) for j in hi)):.2f} | "
              f"{hours(statistics.fmean(float(j['jct_s']) for j in lo)):.2f} | "
              f"{summary['preemptions']} |")
    print()


def gavel(binary):
    print("### Three models on 36 V100 + 36 P100 + 36 K80 (gavel_108.yaml)\n")
    print("| policy | mean JCT (h) | p50 JCT (h) | makespan (h) | jobs on V100 / P100 / K80 |")
    print("|---|---:|---:|---:|---|")
    for policy in ["fifo_backfill", "las", "gavel_max_min", "gavel_throughput"]:
        summary, jobs = run(binary, "gavel_108", policy, 1)
        by_type = {t: sum(1 for j in jobs if j["gpu_type"] == t) for t in ["V100", "P100", "K80"]}
        print(f"| `{policy}` | {hours(summary['jct_s']['mean']):.2f} | "
              f"{hours(summary['jct_s']['p50']):.2f} | {hours(summary['makespan_s']):.1f} | "
              f"{by_type['V100']} / {by_type['P100']} / {by_type['K80']} |")
    print()


def elastic(binary):
    print("### Elastic Philly-like jobs, 64 H100 (elastic_64.yaml), mean of seeds 1-5\n")
    print("| policy | mean JCT (h) | p50 JCT (h) | p99 JCT (h) | mean queueing (h) | "
          "GPU utilisation | resizes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for policy in ["fifo_backfill", "elastic"]:
        rows = []
        for seed in SEEDS:
            summary, _ = run(binary, "elastic_64", policy, seed)
            rows.append((hours(summary["jct_s"]["mean"]), hours(summary["jct_s"]["p50"]),
                         hours(summary["jct_s"]["p99"]), hours(summary["queue_delay_s"]["mean"]),
                         summary["gpu_utilisation_during_arrivals"],
                         summary["elastic"]["resizes"]))
        m = [statistics.fmean(c) for c in zip(*rows)]
        print(f"| `{policy}` | {m[0]:.2f} | {m[1]:.2f} | {m[2]:.1f} | {m[3]:.2f} | "
              f"{100 * m[4]:.0f} % | {m[5]:.0f} |")
    print()


OPENB_GPUS = 6212  # configs/fleets/openb_1523.yaml


def unallocated_at(jobs, levels):
    """Unallocated GPUs (% of the fleet) when the drawn demand first reaches each level (x the
    fleet's GPUs). Drawn jobs never end and start on arrival or never, so the GPUs allocated at
    that moment are the demand of the jobs that started by then."""
    jobs = sorted(jobs, key=lambda j: float(j["submit_s"]))
    out, arrived, allocated = [], 0.0, 0.0
    for j in jobs:
        demand = int(j["gpus"]) * int(j.get("gpu_milli") or 1000) / 1000
        arrived += demand
        if j["first_start_s"] != "":
            allocated += demand
        while len(out) < len(levels) and arrived >= levels[len(out)] * OPENB_GPUS:
            out.append(100 * (OPENB_GPUS - allocated) / OPENB_GPUS)
    return out


def g2_first_scenario():
    """openb_gpuspec33_inflation with the catalog's G2 and G3 listed first: first_fit and
    topology take the first GPU type with room in catalog order, so this order sends
    unconstrained pods to the two models few pods ask for by name (best_fit compares the types'
    fit, so only its ties change)."""
    fleets = os.path.join(ROOT, "configs", "fleets")
    d = os.path.join(OUT, "g2_first")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(fleets, "trace_gpu_catalog.yaml")) as f:
        lines = f.read().split("\n")
    first = [l for l in lines if l.startswith("  - {name: G2,") or l.startswith("  - {name: G3,")]
    rest = [l for l in lines if l not in first]
    at = rest.index("types:") + 1
    with open(os.path.join(d, "trace_gpu_catalog.yaml"), "w") as f:
        f.write("\n".join(rest[:at] + first + rest[at:]))
    with open(os.path.join(fleets, "openb_1523.yaml")) as f:
        fleet = f.read().replace("path: ../../traces/", f"path: {ROOT}/traces/")
    with open(os.path.join(d, "openb_1523.yaml"), "w") as f:
        f.write(fleet)
    with open(os.path.join(ROOT, "configs", "scenarios", "policies",
                           "openb_gpuspec33_inflation.yaml")) as f:
        scenario = f.read()
    scenario = scenario.replace("fleet: ../../fleets/openb_1523.yaml",
                                f"fleet: {d}/openb_1523.yaml")
    scenario = scenario.replace("workload: ../../workloads/",
                                f"workload: {ROOT}/configs/workloads/")
    path = os.path.join(d, "openb_gpuspec33_inflation_g2_first.yaml")
    with open(path, "w") as f:
        f.write(scenario)
    return path


def fragmentation(binary):
    levels = [0.9, 1.0, 1.2]
    print("### GPU sharing: openb pods inflated on the openb cluster, 6,212 GPUs "
          "(openb_inflation.yaml, openb_gpuspec33_inflation.yaml), mean of seeds 1-5\n")
    print("Unallocated GPUs, % of the fleet, when the arrived demand is 90 %, 100 % and 120 % of "
          "it (no pod leaves; 0 % is the ideal from 100 % on).\n")
    print("| trace | policy / placement | at 90 % | at 100 % | at 120 % |")
    print("|---|---|---:|---:|---:|")
    g2_first = g2_first_scenario()
    cases = [("openb_inflation", None, "default")]
    cases += [("openb_gpuspec33_inflation", None, "gpuspec33")]
    cases += [("openb_gpuspec33_inflation", g2_first, "gpuspec33, G2 and G3 first in the catalog")]
    for scenario, path, label in cases:
        for policy, placement in [("fifo_backfill", "first_fit"), ("fifo_backfill", "topology"),
                                  ("fifo_backfill", "best_fit"), ("fgd", "best_fit")]:
            rows = [unallocated_at(run(binary, scenario, policy, seed, placement, path)[1], levels)
                    for seed in SEEDS]
            m = [statistics.fmean(c) for c in zip(*rows)]
            shown = "`fgd`" if policy == "fgd" else f"`{policy}` / `{placement}`"
            print(f"| {label} | {shown} | {m[0]:.1f} | {m[1]:.1f} | {m[2]:.1f} |")
    print()


def main():
    default = os.path.join(ROOT, "build", "release", "fleetsim")
    binary = sys.argv[1] if len(sys.argv) > 1 else default
    os.makedirs(OUT, exist_ok=True)
    heavy_tail(binary)
    priority(binary)
    gavel(binary)
    elastic(binary)
    fragmentation(binary)


if __name__ == "__main__":
    main()
