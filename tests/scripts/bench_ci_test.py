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


if __name__ == "__main__":
    unittest.main()
