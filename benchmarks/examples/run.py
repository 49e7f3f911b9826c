#!/usr/bin/python3
"""Run time of the shipped examples against another build: `bin/photherm` and `--ref BIN` run each example in turn
(interleaved, `--repeat` times each, the best time kept), so that a change of the code can be shown to cost no time.

Usage: benchmarks/examples/run.py --ref OTHER/bin/photherm [--quick] [--repeat 2] [--only cpo-2d,cpo-2p5d]
  --quick: 20 ms of workload instead of the cases' own time.end

Writes benchmarks/results/examples/<date>-<host>.json and .md: per example, both wall times and their ratio.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402

ROOT = bench.ROOT
EXAMPLES = ["cpo-2d", "cpo-2p5d", "cpo-3d"]


def timed(binary, case, params):
    with tempfile.TemporaryDirectory() as d:
        cmd = [binary, "run", case, "-quiet", "-o", os.path.join(d, "out.h5")] + [x for p in params for x in ("-P", p)]
        t0 = time.time()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=bench.ENV)
        if p.returncode != 0:
            raise RuntimeError(f"{binary} on {case}: exit {p.returncode}: {p.stderr.strip()[-300:]}")
        return time.time() - t0


def table(res):
    lines = ["| example | workload | this build s | reference s | this / reference |", "|---|---|---|---|---|"]
    for r in res["runs"]:
        lines.append(f"| {r['example']} | {r['workload']} | {r['new_s']:.2f} | {r['ref_s']:.2f} | {r['new_s'] / r['ref_s']:.3f} |")
    return f"reference: {res['ref_describe']}; this build: {res['git_describe']}\n\n" + "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--only")
    a = ap.parse_args()
    res = bench.header("examples", "quick" if a.quick else "full")
    p = subprocess.run([a.ref, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    res["ref_describe"] = p.stdout.strip().splitlines()[0] if p.stdout.strip() else a.ref
    res["runs"] = []
    params = ["time.end=20ms", "optics.metrics_from=0"] if a.quick else []
    for ex in (a.only.split(",") if a.only else EXAMPLES):
        case = os.path.join(ROOT, "cases", ex + ".yaml")
        new, ref = [], []
        for _ in range(a.repeat):
            new.append(timed(bench.PHOTHERM, case, params))
            ref.append(timed(a.ref, case, params))
        res["runs"].append({"example": ex, "workload": "20 ms" if a.quick else "the case's time.end", "new_s": min(new), "ref_s": min(ref),
                            "new_all": new, "ref_all": ref})
        bench.log(f"  {ex}: this build {min(new):.2f} s, reference {min(ref):.2f} s")
    bench.save(res, "examples", table)


if __name__ == "__main__":
    main()
