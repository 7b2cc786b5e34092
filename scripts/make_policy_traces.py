#!/usr/bin/env python3
"""Writes the two trace files the policy comparisons replay (configs/traces/):

  philly_64gpu_priority.csv  the Philly-like jobs of configs/workloads/philly_64gpu.yaml (seed 3),
                             every 5th job (by arrival) marked priority 1, tenant "prod"
  gavel_mix.csv              the same job durations as 1-GPU jobs of three Gavel models
                             (a3c, lm, resnet18 in turn, as Gavel's generator draws models
                             uniformly), arrivals compressed for ~85 % load on gavel_108.yaml

Input: the jobs.csv of a run of that workload in which no job was preempted or slowed, so that
run_time_s is each job's duration at the reference speed:
  build/release/fleetsim run configs/scenarios/policies/heavy_tail_64.yaml \
      --policy fifo_backfill --seed 3 --out /tmp/ht
  scripts/make_policy_traces.py /tmp/ht/jobs.csv configs/traces
Deterministic: no randomness beyond the fleetsim run it reads.
"""
import csv
import sys

# Arrival compression for gavel_mix. The seed-3 fifo_backfill run of philly_64gpu kept
# 0.862 x 64 = 55.2 reference GPUs busy while jobs arrived (measured: its summary.json
# gpu_utilisation_during_arrivals). gavel_108 holds 36 K80 + 36 P100 x 3.402 + 36 V100 x 3.514
# = 285 K80-equivalents (mean speeds of the three models, gavel_catalog.yaml), so ~85 % load
# needs arrival times x 55.2 / (0.85 x 285) = 0.228 (about 88 jobs/h instead of 20).
GAVEL_RATE_SCALE = 55.2 / (0.85 * 285.0)
GAVEL_CLASSES = ["a3c", "lm", "resnet18"]


def main(jobs_csv, out_dir):
    with open(jobs_csv, newline="") as f:
        jobs = [r for r in csv.DictReader(f)]
    jobs.sort(key=lambda r: (float(r["submit_s"]), r["job_id"]))
    for r in jobs:
        if r["outcome"] != "finished" or int(r["preemptions"]) != 0:
            sys.exit(f"{jobs_csv}: job {r['job_id']} was not run once to the end")

    with open(f"{out_dir}/philly_64gpu_priority.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["job_id", "submit_time_s", "gpus", "duration_s", "tenant", "priority"])
        for i, r in enumerate(jobs):
            prod = i % 5 == 0
            w.writerow([r["job_id"], r["submit_s"], r["gpus"], r["run_time_s"],
                        "prod" if prod else r["tenant"], 1 if prod else 0])

    with open(f"{out_dir}/gavel_mix.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["job_id", "submit_time_s", "gpus", "duration_s", "job_class"])
        for i, r in enumerate(jobs):
            submit = float(r["submit_s"]) * GAVEL_RATE_SCALE
            w.writerow([r["job_id"], f"{submit:.6f}", 1, r["run_time_s"],
                        GAVEL_CLASSES[i % len(GAVEL_CLASSES)]])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
