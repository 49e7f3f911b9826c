#!/usr/bin/python3
"""3D-ICE comparison: 3D-ICE's 1.5-million-cell scaling stack (case.yaml, see its header and make_case.py), 50
backward-Euler steps of 20 ms as 3D-ICE takes them (-ts_adapt_type none), on 1 and 2 ranks: wall time and peak memory
(sum over ranks) against 3D-ICE on this machine (about 240 s and 9.7 GiB). Also the default adaptive run with its step
count, and the accuracy of both: /series/sources/t_max against a fixed-step run solved tightly
(-ksp_rtol 1e-12 -ph_ksp_floor 0), which measures what the linear-solver tolerances cost, and against a time-accurate
BDF2 run (local error 1e-4 K absolute, 1e-5 relative), which measures the time-step error as well. And the reduced
long-workload model (time.method: reduced, cases/README.md section 13: no time step at all) on the same ranks, with its
build time, basis size and estimated error, against the same references.
Quick mode runs the same stack with 100 um cells (60 000 cells) and makes no comparison with 3D-ICE.
Writes benchmarks/results/3dice-scaling/<date>-<host>.json and prints the tables.

Usage: benchmarks/3dice-scaling/run.py [--quick] [--ranks 1,2] [--kinds fixed,adaptive,reduced,reference,time-reference]
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402

CASE = os.path.join(HERE, "case.yaml")
THREEDICE = {"wall_s": 240.0, "memory_bytes": 9.7 * 2**30}  # 3D-ICE on this machine (benchmarks/README.md, section 3)
TARGET = {"speedup": 20.0, "memory_ratio": 0.1}
FIXED = ["-ts_adapt_type", "none"]
TIGHT = ["-ksp_rtol", "1e-12", "-ph_ksp_floor", "0"]
# time-accurate reference: BDF2 with local error tolerances 100 times below the defaults, linear solves to 1e-10
TIME_REF = ["-ts_type", "bdf", "-ts_atol", "1e-4", "-ts_rtol", "1e-5", "-ksp_rtol", "1e-10", "-ph_ksp_floor", "0"]


def max_diff(a, b):
    """Largest |difference| of /series/sources/t_max between two results, at the sample times both have."""
    import numpy as np

    ta, na, va = bench.series(a)
    tb, nb, vb = bench.series(b)
    assert na == nb, "different sources"
    common = [t for t in ta if np.min(np.abs(tb - t)) < 1e-12]
    ia = [int(np.argmin(np.abs(ta - t))) for t in common]
    ib = [int(np.argmin(np.abs(tb - t))) for t in common]
    d = np.abs(va[ia] - vb[ib])
    k = np.unravel_index(np.argmax(d), d.shape)
    return {"max_abs_K": float(d.max()), "at_time_s": float(common[k[0]]), "source": na[k[1]], "samples": len(common),
            "rise_max_K": float(vb.max() - 26.85)}  # 300 K ambient and initial temperature, in degC


def reduced_info(path):
    import h5py

    with h5py.File(path, "r") as f:
        return {k: float(f["summary"].attrs[k]) for k in ("reduced_build_time", "reduced_basis", "reduced_shifts", "reduced_error_estimate")}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 um cells (60 000 cells), no comparison with 3D-ICE")
    ap.add_argument("--ranks", default="1,2")
    ap.add_argument("--kinds", default="fixed,adaptive,reduced,reference,time-reference", help="the runs to make (comma-separated)")
    a = ap.parse_args(argv)
    kinds = a.kinds.split(",")
    if a.quick:
        bench.MAX_WAIT = 20
    ranks = [int(r) for r in a.ranks.split(",")]
    params = ["grid.max_cell_xy=100um"] if a.quick else []
    res = bench.header("3dice-scaling", "quick" if a.quick else "custom" if a.ranks != "1,2" else "full")
    res.update(case=os.path.relpath(CASE, bench.ROOT), params=params, mesh=bench.check(CASE, params), threedice=THREEDICE, target=TARGET,
               runs=[])
    bench.log(f"3dice-scaling: {res['mesh']['cells']} cells")
    outputs = {}
    for r in ranks:
        for kind, opts, extra in (("fixed", FIXED, []), ("adaptive", [], []), ("reduced", [], ["time.method=reduced"])):
            if kind not in kinds:
                continue
            rec = bench.run(CASE, opts, params=params + extra, ranks=r, tag=f"3dice-{kind}-{r}")
            rec["kind"] = kind
            if "error" not in rec:
                outputs[(kind, r)] = rec["output"]
                rec["its_per_step"] = sum(rec["ts_iterations"]) / max(len(rec["ts_iterations"]), 1)
                if kind == "reduced":
                    rec["reduced"] = reduced_info(rec["output"])
                bench.log(f"    {rec['steps']} steps, {rec['process_wall_s']:.3g} s, {bench.fmt_bytes(rec['max_rss_bytes'])}, "
                          f"{rec['its_per_step']:.1f} iterations per step, load {rec['loadavg_before'][0]:.2f}")
            res["runs"].append(rec)
    refs = {}
    for kind, opts in (("reference", FIXED + TIGHT), ("time-reference", TIME_REF)):
        if kind not in kinds:
            continue
        ref = bench.run(CASE, opts, params=params, ranks=1, tag=f"3dice-{kind}")
        ref["kind"] = kind
        res["runs"].append(ref)
        if "error" not in ref:
            refs[kind] = ref["output"]
    res["accuracy"] = {}
    for (kind, r), path in sorted(outputs.items()):
        for rk, rpath in refs.items():
            res["accuracy"][f"{kind} {r} rank{'s' if r > 1 else ''} vs {rk}"] = max_diff(path, rpath)
    if len(refs) == 2:
        res["accuracy"]["reference vs time-reference"] = max_diff(refs["reference"], refs["time-reference"])
    for rec in res["runs"]:
        bench.cleanup(rec)
    if not a.quick:
        res["comparison"] = {}
        for rec in res["runs"]:
            if rec["kind"] in ("fixed", "adaptive", "reduced") and "error" not in rec:
                res["comparison"][f"{rec['kind']} {rec['ranks']}"] = {
                    "speedup": THREEDICE["wall_s"] / rec["process_wall_s"],
                    "memory_ratio": rec["max_rss_bytes"] / THREEDICE["memory_bytes"],
                    "meets_target": bool(THREEDICE["wall_s"] / rec["process_wall_s"] >= TARGET["speedup"]
                                         and rec["max_rss_bytes"] / THREEDICE["memory_bytes"] <= TARGET["memory_ratio"]),
                }
    bench.save(res, "3dice-scaling", table)
    return res


def table(res):
    m = res["machine"]
    lines = [f"3D-ICE scaling stack, {res['mesh']['cells']} cells, {res['date']}, {m['cpu']}, {m['cores']} cores, "
             f"{m['memory_bytes'] / 2**30:.0f} GiB, photherm {res['git_describe']}, PETSc {res['petsc_version']}, "
             f"load average at start {res['loadavg_start'][0]:.2f}.", "",
             "| run | ranks | steps | wall (s) | peak memory (sum over ranks) | iterations/step | 3D-ICE / photherm time | "
             "photherm / 3D-ICE memory | target met | load |", "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in res["runs"]:
        name = {"fixed": "fixed 50 x 20 ms", "adaptive": "adaptive (default)", "reduced": "reduced model (time.method: reduced)", "reference": "reference: fixed, -ksp_rtol 1e-12 -ph_ksp_floor 0",
                "time-reference": "time-reference: BDF2, -ts_atol 1e-4 -ts_rtol 1e-5 -ksp_rtol 1e-10 -ph_ksp_floor 0"}[r["kind"]]
        if "error" in r:
            lines.append(f"| {name} | {r['ranks']} | {r['error'].splitlines()[0]} |")
            continue
        c = res.get("comparison", {}).get(f"{r['kind']} {r['ranks']}")
        its = sum(r["ts_iterations"]) / max(len(r["ts_iterations"]), 1)
        speed = f"{c['speedup']:.1f}x" if c else "—"
        mem = f"1/{1 / c['memory_ratio']:.1f}" if c else "—"
        met = ("yes" if c["meets_target"] else "no") if c else "—"
        lines.append(f"| {name} | {r['ranks']} | {r['steps']} | {r['process_wall_s']:.3g} | {bench.fmt_bytes(r['max_rss_bytes'])} | "
                     f"{its:.1f} | {speed} | {mem} | {met} | {r['loadavg_before'][0]:.2f} |")
        if r.get("reduced"):
            d = r["reduced"]
            lines.append(f"| (reduced model: build {d['reduced_build_time']:.3g} s, basis {d['reduced_basis']:.0f}, {d['reduced_shifts']:.0f} shifts, "
                         f"estimated error {d['reduced_error_estimate']:.2g} K) | | | | | | | | | |")
    if res.get("accuracy"):
        lines += ["", "| run vs reference | max \\|difference of t_max\\| (K) | where | largest rise in the reference (K) |", "|---|---:|---|---:|"]
        for k, d in res["accuracy"].items():
            lines.append(f"| {k} | {d['max_abs_K']:.3g} | {d['source']} at {d['at_time_s'] * 1e3:.0f} ms | {d['rise_max_K']:.3g} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
