#!/usr/bin/env python3
"""Plots of fleetsim results, run by `fleetsim plot DIR`: per scenario, the JCT and queueing-delay
CDFs per variant (all seeds pooled), GPU utilisation over time (lowest seed of each variant), a
bar chart of the compare table (OUT/compare.csv, written by `fleetsim plot` before it runs this)
and, on multi-site or capped fleets, each site's IT power against its cap and its GPU use over time (lowest
seed of each variant), each as PNG and SVG in OUT.

usage: plot_results.py DIR OUT
"""
import csv
import os
import re
import sys

SEED_FOLDER = re.compile(r"^seed-(\d+)$")


def fail(message):
    print(f"plot_results.py: error: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
except ImportError:
    fail("matplotlib is missing: apt-get install python3-matplotlib (or pass --python)")

# Same bytes for the same inputs: no date in the SVG, fixed ids.
plt.rcParams["svg.hashsalt"] = "fleetsim"


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def find_cells(root):
    """(scenario, variant, seed, folder) of every results folder under root, as compare finds."""
    import json

    cells = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(s for s in subfolders if not s.startswith(".") and s != "plots")
        if "summary.json" not in files:
            continue
        with open(os.path.join(folder, "summary.json")) as f:
            summary = json.load(f)
        scenario, policy, seed = summary["scenario"], summary["policy"], summary["seed"]
        variant = policy
        # As compare does: the nearest ancestor named after the scenario, even above root.
        parts = os.path.abspath(folder).split(os.sep)
        if SEED_FOLDER.match(parts[-1]) and scenario in parts[:-1]:
            at = len(parts) - 2 - parts[:-1][::-1].index(scenario)
            variant = "/".join(parts[at + 1 : -1]) or policy
        cells.append((scenario, variant, seed, folder))
    return sorted(cells)


def save(fig, out, name):
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), dpi=110, metadata={"Date": None}
                    if ext == "svg" else None)
    plt.close(fig)


def cdf_plot(cells, column, title, xlabel, out, name):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for variant in sorted({v for v, _ in cells}):
        values = []
        for v, folder in cells:
            if v != variant:
                continue
            for row in read_csv(os.path.join(folder, "jobs.csv")):
                if row[column] != "":
                    values.append(float(row[column]) / 3600)
        values.sort()
        if values:
            n = len(values)
            ax.step(values, [(i + 1) / n for i in range(n)], where="post", label=variant)
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fraction of jobs")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    save(fig, out, name)


def utilisation_plot(cells_with_seed, scenario, out, name):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    first_seed = lowest_seed(cells_with_seed)
    for variant in sorted(first_seed):
        seed, folder = first_seed[variant]
        rows = read_csv(os.path.join(folder, "timeseries.csv"))
        ax.plot([float(r["time_s"]) / 86400 for r in rows],
                [100 * float(r["gpu_utilisation"]) for r in rows],
                label=f"{variant} (seed {seed})", linewidth=1)
    ax.set_xlabel("simulated time (days)")
    ax.set_ylabel("GPUs allocated (%)")
    ax.set_title(f"{scenario}: GPU utilisation over time")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    save(fig, out, name)


def lowest_seed(cells_with_seed):
    """variant -> (seed, folder) of its lowest seed."""
    first = {}
    for variant, seed, folder in cells_with_seed:
        if variant not in first or seed < first[variant][0]:
            first[variant] = (seed, folder)
    return first


def cap_mw(row):
    """A sites.csv row's IT cap in MW, or None for an uncapped site (an empty cell)."""
    text = row["it_cap_mw"]
    return float(text) if text not in ("", "inf") else None


def site_plot(variant, seed, folder, scenario, out, name):
    """Per site: IT power against its cap, and GPUs allocated of those online, over time."""
    rows = read_csv(os.path.join(folder, "sites.csv"))
    sites = list(dict.fromkeys(r["site"] for r in rows))  # file order = fleet order
    fig, axes = plt.subplots(len(sites), 2, figsize=(11, 1.9 * len(sites) + 0.8), sharex=True,
                             squeeze=False)
    for (power_ax, use_ax), site in zip(axes, sites):
        mine = [r for r in rows if r["site"] == site]
        days = [float(r["time_s"]) / 86400 for r in mine]
        # Steps: a sample holds until the next one; a line would cut below a cap drop.
        power_ax.step(days, [float(r["it_power_mw"]) for r in mine], where="post", linewidth=1,
                      label="IT draw")
        caps = [cap_mw(r) for r in mine]
        if any(c is not None for c in caps):
            power_ax.step(days, [float("nan") if c is None else c for c in caps], where="post",
                          linestyle="--", color="tab:red", linewidth=1, label="IT cap")
        power_ax.set_ylabel(f"{site}\nMW", fontsize="small")
        use_ax.step(days, [100 * float(r["allocated_gpus"]) / float(r["online_gpus"])
                           if float(r["online_gpus"]) > 0 else 0 for r in mine], where="post",
                    linewidth=1)
        use_ax.set_ylim(0, 105)
        for ax in (power_ax, use_ax):
            ax.grid(True, alpha=0.3)
    axes[0][0].set_title("IT power and cap (MW)", fontsize="medium")
    axes[0][0].legend(fontsize="x-small", loc="upper left")
    axes[0][1].set_title("GPUs allocated of those online (%)", fontsize="medium")
    for ax in axes[-1]:
        ax.set_xlabel("simulated time (days)")
    fig.suptitle(f"{scenario}, {variant} (seed {seed}): per site")
    fig.tight_layout()
    save(fig, out, name)


def compare_bars(rows, scenario, out, name):
    metrics = ["jct_mean_h", "jct_p95_h", "queue_delay_mean_h"]
    rows = [r for r in rows if r["scenario"] == scenario and r["metric"] in metrics]
    variants = list(dict.fromkeys(r["variant"] for r in rows))  # compare's order
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 4.5))
    for ax, metric in zip(axes, metrics):
        means, errors = [], []
        for v in variants:
            r = next(r for r in rows if r["variant"] == v and r["metric"] == metric)
            means.append(float(r["mean"]))
            errors.append(float(r["ci95_high"]) - float(r["mean"]) if r["ci95_high"] else 0)
        ax.bar(range(len(variants)), means, yerr=errors, capsize=4, color="tab:blue", alpha=0.8)
        ax.set_xticks(range(len(variants)), variants, rotation=30, ha="right", fontsize="small")
        ax.set_title(metric)
        ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle(f"{scenario}: mean and 95% CI across seeds")
    fig.tight_layout()
    save(fig, out, name)


def main():
    if len(sys.argv) != 3:
        fail("usage: plot_results.py DIR OUT")
    root, out = sys.argv[1], sys.argv[2]
    cells = find_cells(root)
    if not cells:
        fail(f"{root}: no results found")
    compare = read_csv(os.path.join(out, "compare.csv"))
    os.makedirs(out, exist_ok=True)
    for scenario in sorted({c[0] for c in cells}):
        mine = [(v, seed, folder) for s, v, seed, folder in cells if s == scenario]
        pairs = [(v, folder) for v, _, folder in mine]
        cdf_plot(pairs, "jct_s", f"{scenario}: job completion time", "JCT (hours)", out,
                 f"{scenario}_jct_cdf")
        cdf_plot(pairs, "queue_delay_s", f"{scenario}: queueing delay", "queueing delay (hours)",
                 out, f"{scenario}_queue_delay_cdf")
        utilisation_plot(mine, scenario, out, f"{scenario}_utilisation")
        compare_bars(compare, scenario, out, f"{scenario}_compare")
        # Per-site power and use, for each variant, when the fleet has several sites or a cap
        # (a file name per variant: its path with "/" and "+" made safe).
        for variant, (seed, folder) in sorted(lowest_seed(mine).items()):
            if not os.path.exists(os.path.join(folder, "sites.csv")):
                continue
            rows = read_csv(os.path.join(folder, "sites.csv"))
            capped = any(cap_mw(r) is not None for r in rows)
            if capped or len({r["site"] for r in rows}) > 1:
                safe = re.sub(r"[^A-Za-z0-9_.-]", "_", variant)
                site_plot(variant, seed, folder, scenario, out, f"{scenario}_{safe}_sites")
    print(f"plot_results.py: {len(cells)} runs plotted into {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
