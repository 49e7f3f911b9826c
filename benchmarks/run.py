#!/usr/bin/python3
"""Run photherm's performance benchmarks (benchmarks/README.md) and record their results.

Usage: benchmarks/run.py [--quick] [--only solvers,scaling,3dice-scaling,optics,long-workload,coolant,fullpath]
  (none)   full mode: the sizes of the README tables, up to 1e7 cells; 30 to 60 minutes on 2 cores
  --quick  small sizes (up to 1e5 cells), a minute or two: checks that every benchmark runs
`make bench` runs the full mode, `make bench quick=1` the quick one.
Each benchmark writes benchmarks/results/<name>/<date>-<host>[-quick].json (git describe, PETSc version, machine, load
averages, and per run: ranks, cells, times, iterations, memory) and a .md file with its tables next to it.
"""
import argparse
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402

BENCHMARKS = {
    "solvers": os.path.join(HERE, "solvers", "run.py"),
    "scaling": os.path.join(HERE, "scaling", "run.py"),
    "3dice-scaling": os.path.join(HERE, "3dice-scaling", "run.py"),
    "optics": os.path.join(HERE, "optics", "run.py"),
    "long-workload": os.path.join(HERE, "long-workload", "run.py"),
    "coolant": os.path.join(HERE, "coolant", "run.py"),
    "fullpath": os.path.join(HERE, "fullpath", "run.py"),
}


def load(name, path):
    spec = importlib.util.spec_from_file_location(f"bench_{name.replace('-', '_')}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (a minute or two)")
    ap.add_argument("--only", help="comma-separated subset of: " + ", ".join(BENCHMARKS))
    a = ap.parse_args()
    if not os.access(bench.PHOTHERM, os.X_OK):
        sys.exit(f"benchmarks: {os.path.relpath(bench.PHOTHERM)} is missing: run make first")
    names = a.only.split(",") if a.only else list(BENCHMARKS)
    for n in names:
        if n not in BENCHMARKS:
            sys.exit(f"benchmarks: unknown benchmark {n!r} (known: {', '.join(BENCHMARKS)})")
    t0 = time.time()
    failed = []
    for n in names:
        bench.log(f"=== {n} ({'quick' if a.quick else 'full'}), load average {bench.loadavg()[0]:.2f}")
        t = time.time()
        res = load(n, BENCHMARKS[n]).main(["--quick"] if a.quick else [])
        bad = [r for r in res.get("runs", []) if "error" in r]
        if bad:
            failed.append(f"{n}: {len(bad)} run(s) failed")
        bench.log(f"=== {n}: {time.time() - t:.0f} s")
    bench.log(f"benchmarks: done in {time.time() - t0:.0f} s" + (f"; {'; '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
