#!/usr/bin/python3
"""Preconditioner study: CG to rtol 1e-8 with each multigrid preconditioner on the package stack of make_case.py, from
about 1e4 to 1e7 cells (quick mode: 1e4 to 1e5), then on HotSpot's ev6 package (benchmarks/graded/) on graded meshes,
125 um die cells growing to 0.5 to 4 mm in the spreader and sink, against a uniform 500 um mesh of the same stack
(quick mode: the 2 mm grading only). Records set-up time, solve time, iterations and peak memory of one steady solve
per preconditioner and mesh; writes benchmarks/results/solvers/<date>-<host>.json and prints the tables.

Usage: benchmarks/solvers/run.py [--quick] [--sizes 1e4,1e5,...] [--only NAME,...] [--no-graded]
"""
import argparse
import importlib.util
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import make_case  # noqa: E402


def _load(path, name):
    """A module from a file (benchmarks/graded/make_case.py has the same module name as ours)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_graded = _load(os.path.join(os.path.dirname(HERE), "graded", "make_case.py"), "make_graded")  # the ev6 package

RTOL = "1e-8"
HYPRE = ["-pc_type", "hypre", "-pc_hypre_type", "boomeramg", "-pc_hypre_boomeramg_relax_type_all", "symmetric-SOR/Jacobi"]
# name, PETSc options, what it is
PRECONDITIONERS = [
    ("mg3", [], "photherm's geometric MG (default): PCMG, 3:1 in x and y, z-line Jacobi + 1 Chebyshev step, Galerkin"),
    ("mg2", ["-ph_mg_coarsen_factor", "2"], "the same with 2:1 coarsening"),
    ("gamg", ["-pc_type", "gamg"], "PETSc GAMG, defaults (smoothed aggregation, threshold 0, Chebyshev/Jacobi 2 steps)"),
    ("gamg-t0.01", ["-pc_type", "gamg", "-pc_gamg_threshold", "0.01"], "GAMG, graph threshold 0.01 (drops weak couplings)"),
    ("ml", ["-pc_type", "ml"], "Trilinos ML through PETSc, defaults"),
    ("hypre", HYPRE, "hypre BoomerAMG, symmetric-SOR/Jacobi relaxation (symmetric, as CG needs), defaults otherwise"),
    ("hypre-s0.5", HYPRE + ["-pc_hypre_boomeramg_strong_threshold", "0.5"], "BoomerAMG, strong threshold 0.5 (advised for 3D)"),
]
FULL_SIZES = [1e4, 1e5, 1e6, 1e7]
QUICK_SIZES = [1e4, 1e5]
# the ev6 meshes: name, largest cell of the graded mesh (m), uniform cell (m)
GRADED_MESHES = [("uniform 500 um", None, 500e-6), ("graded to 0.5 mm", 0.5e-3, None), ("graded to 1 mm", 1e-3, None),
                 ("graded to 2 mm", 2e-3, None), ("graded to 4 mm", 4e-3, None)]
QUICK_GRADED = ["uniform 500 um", "graded to 2 mm"]
MEMORY_MARGIN = 0.8  # skip a run whose extrapolated peak exceeds this fraction of the memory available now


def available_memory():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable"):
            return int(line.split()[1]) * 1024
    return 0


def best_of(case, opts, tag, repeat):
    """Run `repeat` times (only for short runs) and keep the fastest (set-up + solve)."""
    recs = []
    for i in range(repeat):
        rec = bench.run(case, ["-ksp_rtol", RTOL] + opts, tag=tag)
        bench.cleanup(rec)
        recs.append(rec)
        if "error" in rec or rec["wall_s"] > 20:
            break
    ok = [r for r in recs if "error" not in r]
    if not ok:
        return recs[-1]
    best = min(ok, key=lambda r: r["pc_setup_s"] + r["solve_s"])
    best["repeats"] = len(recs)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes 1e4 and 1e5 only (under a minute)")
    ap.add_argument("--sizes", help="comma-separated target cell counts")
    ap.add_argument("--only", help="comma-separated preconditioner names: " + ",".join(p[0] for p in PRECONDITIONERS))
    ap.add_argument("--repeat", type=int, default=2, help="runs per point when a run takes under 20 s (the fastest is kept)")
    ap.add_argument("--no-graded", action="store_true", help="skip the graded meshes of the ev6 package")
    a = ap.parse_args(argv)
    if a.quick:
        bench.MAX_WAIT = 20
    sizes = [float(s) for s in a.sizes.split(",")] if a.sizes else (QUICK_SIZES if a.quick else FULL_SIZES)
    pcs = [p for p in PRECONDITIONERS if not a.only or p[0] in a.only.split(",")]
    res = bench.header("solvers", "quick" if a.quick else "custom" if a.sizes or a.only else "full")
    res.update(rtol=float(RTOL), preconditioners={n: {"options": " ".join(o), "description": d} for n, o, d in pcs}, runs=[])
    os.makedirs(bench.WORK, exist_ok=True)
    last = {}  # per preconditioner: the last successful run, for extrapolation
    dropped = {}  # per preconditioner: why it is not run at larger sizes
    for size in sizes:
        case = os.path.join(bench.WORK, f"solvers-{size:g}.yaml")
        mesh = make_case.make(size, case)
        bench.log(f"solvers: {mesh['cells']} cells ({mesh['nx']} x {mesh['ny']} x {mesh['nz']}), lateral cells {mesh['cell_size_m'] * 1e6:.4g} um")
        for name, opts, _ in pcs:
            rec = {"preconditioner": name, "target_cells": size, **mesh}
            if name in dropped:
                rec["skipped"] = dropped[name]
                res["runs"].append(rec)
                continue
            if name in last:  # extrapolate linearly in cells (time: by cells x iterations ratio 1)
                prev = last[name]
                scale = mesh["cells"] / prev["cells"]
                mem = prev["max_rss_bytes"] * scale
                t = (prev["pc_setup_s"] + prev["solve_s"] + prev["model_setup_s"]) * scale
                if mem > MEMORY_MARGIN * available_memory():
                    rec["skipped"] = (f"out of memory: extrapolated peak {bench.fmt_bytes(mem)} from {prev['cells']} cells exceeds "
                                      f"{MEMORY_MARGIN:.0%} of the {bench.fmt_bytes(available_memory())} available")
                elif t > 1.5 * bench.TIMEOUT:
                    rec["skipped"] = f"too slow: extrapolated {t:.0f} s from {prev['cells']} cells exceeds the 10-minute limit"
                if "skipped" in rec:
                    bench.log(f"  {name}: skipped: {rec['skipped']}")
                    dropped[name] = rec["skipped"] + f" (at {size:g} cells)"
                    res["runs"].append(rec)
                    continue
            r = best_of(case, opts, f"solvers-{name}-{size:g}", a.repeat)
            rec.update(r)
            if "error" in r:
                dropped[name] = f"{r['error'].splitlines()[0]} (at {size:g} cells)"
            else:
                last[name] = rec
                its = rec["steady_iterations"][0] if rec["steady_iterations"] else None
                rec["iterations"] = its
                bench.log(f"    {its} iterations, set-up {rec['pc_setup_s']:.3g} s, solve {rec['solve_s']:.3g} s, "
                          f"peak {bench.fmt_bytes(rec['max_rss_bytes'])}, load {rec['loadavg_before'][0]:.2f}")
            res["runs"].append(rec)
    res["graded"] = [] if a.no_graded else graded(pcs, a)
    bench.save(res, "solvers", table)
    return res


def graded(pcs, a):
    """The ev6 package on each mesh of GRADED_MESHES with each preconditioner: one steady solve each."""
    runs = []
    for mesh_name, periphery, uniform in GRADED_MESHES:
        if a.quick and mesh_name not in QUICK_GRADED:
            continue
        case = os.path.join(bench.WORK, f"ev6-{mesh_name.replace(' ', '-')}.yaml")
        with open(case, "w") as f:
            f.write(make_graded.case_text(periphery or 2e-3, uniform))
        mesh = bench.check(case)
        bench.log(f"solvers: ev6 {mesh_name}: {mesh['cells']} cells ({mesh['nx']} x {mesh['ny']} x {mesh['nz']})")
        for name, opts, _ in pcs:
            rec = {"preconditioner": name, "mesh": mesh_name, **mesh}
            rec.update(best_of(case, opts, f"solvers-ev6-{name}", a.repeat))
            if "error" not in rec:
                rec["iterations"] = rec["steady_iterations"][0] if rec["steady_iterations"] else None
                bench.log(f"    {rec['iterations']} iterations, set-up {rec['pc_setup_s']:.3g} s, solve {rec['solve_s']:.3g} s")
            runs.append(rec)
    return runs


def table(res):
    """Markdown tables of a result: one row per size and preconditioner, then the iteration growth."""
    m = res["machine"]
    lines = [f"Preconditioner study, {res['date']}, {m['cpu']}, {m['cores']} cores, {m['memory_bytes'] / 2**30:.0f} GiB, "
             f"photherm {res['git_describe']}, PETSc {res['petsc_version']}, load average at start {res['loadavg_start'][0]:.2f}.", "",
             "| cells | preconditioner | iterations | PC set-up (s) | solve (s) | set-up + solve (s) | peak memory | bytes/cell | load |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res["runs"]:
        cells = f"{r['cells']:.3g}"
        if "skipped" in r or "error" in r:
            lines.append(f"| {cells} | {r['preconditioner']} | — | — | — | — | — | — | {r.get('skipped') or r.get('error').splitlines()[0]} |")
            continue
        lines.append(f"| {cells} | {r['preconditioner']} | {r['iterations']} | {r['pc_setup_s']:.3g} | {r['solve_s']:.3g} | "
                     f"{r['pc_setup_s'] + r['solve_s']:.3g} | {bench.fmt_bytes(r['max_rss_bytes'])} | "
                     f"{r['max_rss_bytes'] / r['cells']:.0f} | {r['loadavg_before'][0]:.2f} |")
    lines += ["", "| preconditioner | iterations by size | largest / smallest | bounded within 2x |", "|---|---|---:|---|"]
    for name in res["preconditioners"]:
        its = [(r["cells"], r["iterations"]) for r in res["runs"] if r["preconditioner"] == name and r.get("iterations")]
        if not its:
            continue
        ratio = max(i for _, i in its) / min(i for _, i in its)
        lines.append(f"| {name} | {', '.join(f'{i} ({c:.2g})' for c, i in its)} | {ratio:.2f} | {'yes' if ratio <= 2 else 'no'} |")
    if res.get("graded"):
        lines += ["", "HotSpot's ev6 package (benchmarks/graded/): graded meshes against the uniform 500 um mesh, ratios of the same run.", "",
                  "| mesh | cells | preconditioner | iterations | iterations / uniform | set-up + solve (s) | time per cell / uniform |",
                  "|---|---:|---|---:|---:|---:|---:|"]
        base = {r["preconditioner"]: r for r in res["graded"] if r["mesh"].startswith("uniform") and r.get("iterations")}
        for r in res["graded"]:
            if "error" in r or not r.get("iterations"):
                lines.append(f"| {r['mesh']} | {r['cells']:.3g} | {r['preconditioner']} | — | — | — | {r.get('error', '').splitlines()[0]} |")
                continue
            t = r["pc_setup_s"] + r["solve_s"]
            u = base.get(r["preconditioner"])
            ratio_it = f"{r['iterations'] / u['iterations']:.2f}" if u else "—"
            ratio_t = f"{t / r['cells'] / ((u['pc_setup_s'] + u['solve_s']) / u['cells']):.2f}" if u else "—"
            lines.append(f"| {r['mesh']} | {r['cells']:.3g} | {r['preconditioner']} | {r['iterations']} | {ratio_it} | {t:.3g} | {ratio_t} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
