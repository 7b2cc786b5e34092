#!/usr/bin/env python3
"""scripts/bench_ci.py compare: ratios of medians against a baseline, exit 1 beyond the threshold,
exit 2 on a file that is not a result. Run by ctest (label unit) with the script's path."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = sys.argv.pop(1) if len(sys.argv) > 1 else "scripts/bench_ci.py"


def result(medians):
    return {"statistic": "median", "results": {n: {"median": m, "unit": "s"} for n, m in medians.items()}}


class BenchCiCompare(unittest.TestCase):
    def compare(self, current, baseline, *extra):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for name, data in (("current.json", current), ("baseline.json", baseline)):
                paths.append(os.path.join(tmp, name))
                with open(paths[-1], "w") as f:
                    f.write(data if isinstance(data, str) else json.dumps(data))
            return subprocess.run([sys.executable, SCRIPT, "compare", *paths, *extra],
                                  capture_output=True, text=True)

    def test_within_threshold_passes_and_prints_each_ratio(self):
        r = self.compare(result({"a": 1.2, "b": 0.5}), result({"a": 1.0, "b": 1.0}))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("1.200", r.stdout)  # 1.2 / 1.0
        self.assertIn("0.500", r.stdout)  # 0.5 / 1.0: faster
        self.assertIn("no regression beyond 1.25x", r.stdout)

    def test_regression_beyond_threshold_fails_and_names_it(self):
        r = self.compare(result({"a": 1.3, "b": 1.0}), result({"a": 1.0, "b": 1.0}))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("1 regression(s) beyond 1.25x: a", r.stdout)

    def test_threshold_is_configurable(self):
        r = self.compare(result({"a": 1.3}), result({"a": 1.0}), "--threshold", "1.5")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.compare(result({"a": 1.06}), result({"a": 1.0}), "--threshold", "1.05")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)

    def test_new_and_missing_benchmarks_are_listed_not_failed(self):
        r = self.compare(result({"a": 1.0, "new": 2.0}), result({"a": 1.0, "gone": 1.0}))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"new +- +2 +new")
        self.assertRegex(r.stdout, r"gone +1 +- +missing")

    def test_a_file_that_is_not_a_result_is_bad_input(self):
        r = self.compare("{\"nope\": 1}", result({"a": 1.0}))
        self.assertEqual(r.returncode, 2)
        self.assertIn("not a bench_ci result", r.stderr)


# A stand-in for build/bench/fleetsim_bench: writes a median of `slow` s for BM_Fake on its first
# call and 1 s afterwards (a noisy first measurement), counting calls in calls.txt beside it.
FAKE_BENCH = r"""#!{python}
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
calls_file = os.path.join(here, "calls.txt")
calls = int(open(calls_file).read()) if os.path.exists(calls_file) else 0
open(calls_file, "w").write(str(calls + 1))
out = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--benchmark_out="))
median = {slow} if calls == 0 else 1.0
json.dump({{"benchmarks": [{{"name": "BM_Fake_median", "run_name": "BM_Fake",
    "aggregate_name": "median", "cpu_time": median, "time_unit": "s"}}]}}, open(out, "w"))
"""
FAKE_FLEETSIM = "#!/bin/sh\nexit 0\n"  # `fleetsim run ...` that takes no time


class BenchCiRun(unittest.TestCase):
    def run_ci(self, slow, *extra):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "bench"))
            for path, text in ((os.path.join(tmp, "bench", "fleetsim_bench"),
                                FAKE_BENCH.format(python=sys.executable, slow=slow)),
                               (os.path.join(tmp, "fleetsim"), FAKE_FLEETSIM)):
                with open(path, "w") as f:
                    f.write(text)
                os.chmod(path, 0o755)
            baseline = os.path.join(tmp, "baseline.json")
            with open(baseline, "w") as f:
                json.dump(result({"BM_Fake": 1.0, "run/toy": 60.0, "run/default_fifo_backfill": 60.0,
                                  "run/default_las": 60.0}), f)
            out = os.path.join(tmp, "out.json")
            r = subprocess.run([sys.executable, SCRIPT, "run", "--build", tmp, "--out", out,
                                "--repetitions", "1", "--baseline", baseline, *extra],
                               capture_output=True, text=True)
            with open(out) as f:
                written = json.load(f)
            with open(os.path.join(tmp, "bench", "calls.txt")) as f:
                calls = int(f.read())
            return r, written, calls

    def test_writes_medians_of_benchmarks_and_scenario_runs(self):
        r, written, calls = self.run_ci(1.0)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(calls, 1)
        self.assertEqual(written["results"]["BM_Fake"]["median"], 1.0)
        self.assertEqual(sorted(written["results"]),
                         ["BM_Fake", "run/default_fifo_backfill", "run/default_las", "run/toy"])

    def test_a_noisy_first_measurement_is_retried_and_the_lower_median_kept(self):
        r, written, calls = self.run_ci(2.0)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(calls, 2)
        self.assertIn("re-measuring 1 benchmark(s) above the threshold", r.stdout)
        self.assertEqual(written["results"]["BM_Fake"]["median"], 1.0)

    def test_without_retries_the_noisy_measurement_fails(self):
        r, written, calls = self.run_ci(2.0, "--retries", "0")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(calls, 1)
        self.assertIn("1 regression(s) beyond 1.25x: BM_Fake", r.stdout)


if __name__ == "__main__":
    unittest.main()
