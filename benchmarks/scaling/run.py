#!/usr/bin/python3
"""Scaling benchmark: the package stack of benchmarks/solvers/make_case.py at growing sizes (about 1e5 to 1e7 cells;
quick mode 1e4 and 1e5) on 1 and 2 ranks, with photherm's defaults. Each run is one transient of 10 fixed 1 ms
backward-Euler steps that starts from the steady state (so one run gives the steady solve and the steps). Records set-up
time, steady solve time and iterations, per-step time, peak memory (sum over ranks) and bytes per cell, cells per second,
and the bandwidth of the fine-grid MatMult against a STREAM triad (benchmarks/stream.c) measured in the same run. On 2 ranks each size runs twice: with photherm's
default parallel Galerkin product (-matptap_via allatonce, set by src/thermal_mg.c) and with PETSc's own default
(-matptap_via scalable), because the set-up of the first is the slower.
Writes benchmarks/results/scaling/<date>-<host>.json and prints the tables.

Usage: benchmarks/scaling/run.py [--quick] [--sizes 1e5,...] [--ranks 1,2]
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(BENCH, "solvers"))
import bench  # noqa: E402
import make_case  # noqa: E402

FULL_SIZES = [1e5, 3e5, 1e6, 3e6, 1e7]
QUICK_SIZES = [1e4, 1e5]
STEPS = 10
STREAM = os.path.join(bench.ROOT, "build", "bench", "stream")


def stream(ranks, mib=256):
    """Best STREAM triad rate (bytes/s) over all ranks together."""
    if not os.path.exists(STREAM) or os.path.getmtime(STREAM) < os.path.getmtime(os.path.join(BENCH, "stream.c")):
        os.makedirs(os.path.dirname(STREAM), exist_ok=True)
        subprocess.run(["mpicc", "-O2", "-o", STREAM, os.path.join(BENCH, "stream.c")], check=True)
    out = subprocess.run(["mpirun", "-n", str(ranks), "--bind-to", "none", STREAM, str(mib)], capture_output=True, text=True, env=bench.ENV,
                         check=True).stdout
    m = re.search(r"rate_GBps (\S+)", out)
    return float(m.group(1)) * 1e9


def derive(rec, mesh):
    """Per-step times, rates and the MatMult bandwidth of one run."""
    rows, nnz = bench.matrix_size(mesh["nx"], mesh["ny"], mesh["nz"])
    rec["rows"], rec["nnz"] = rows, nnz
    rec["matmult_bytes"] = bench.matmult_bytes(rows, nnz)
    its = rec["steady_iterations"][0]
    rec["iterations"] = its
    if rec["fine_matmult_s"] > 0:
        rec["matmult_bandwidth_Bps"] = its * rec["matmult_bytes"] / rec["fine_matmult_s"]
    steps = rec.get("steps") or STEPS
    rec["step_s"] = rec["ts_total_s"] / steps
    rec["step_no_pc_setup_s"] = (rec["ts_total_s"] - rec["ts_pc_setup_s"]) / steps
    rec["ts_iterations_mean"] = sum(rec["ts_iterations"]) / max(len(rec["ts_iterations"]), 1)
    rec["bytes_per_cell"] = rec["max_rss_bytes"] / rec["cells"]
    rec["steady_cells_per_s"] = rec["cells"] / (rec["pc_setup_s"] + rec["solve_s"])
    rec["step_cells_per_s"] = rec["cells"] / rec["step_no_pc_setup_s"]
    return rec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes 1e4 and 1e5 only")
    ap.add_argument("--sizes", help="comma-separated target cell counts")
    ap.add_argument("--ranks", default="1,2")
    ap.add_argument("--no-variant", action="store_true", help="skip the 2-rank runs with -matptap_via scalable")
    a = ap.parse_args(argv)
    if a.quick:
        bench.MAX_WAIT = 20
    sizes = [float(s) for s in a.sizes.split(",")] if a.sizes else (QUICK_SIZES if a.quick else FULL_SIZES)
    ranks = [int(r) for r in a.ranks.split(",")]
    res = bench.header("scaling", "quick" if a.quick else "custom" if a.sizes or a.ranks != "1,2" or a.no_variant else "full")
    res.update(steps=STEPS, runs=[], stream={})
    for r in ranks:
        res["stream"][str(r)] = [stream(r, 64 if a.quick else 256)]
        bench.log(f"scaling: STREAM triad on {r} rank(s): {res['stream'][str(r)][0] / 1e9:.1f} GB/s")
    for size in sizes:
        case = os.path.join(bench.WORK, f"scaling-{size:g}.yaml")
        mesh = make_case.make(size, case, mode="transient", steps=STEPS)
        bench.log(f"scaling: {mesh['cells']} cells ({mesh['nx']} x {mesh['ny']} x {mesh['nz']})")
        for r, variant in [(r, None) for r in ranks] + ([(2, "scalable")] if 2 in ranks and not a.no_variant else []):
            opts = ["-ts_adapt_type", "none"] + (["-matptap_via", variant] if variant else [])
            rec = bench.run(case, opts, ranks=r, tag=f"scaling-{size:g}-{r}{'-' + variant if variant else ''}")
            bench.cleanup(rec)
            rec.update(target_cells=size, variant=variant, **mesh)
            if "error" not in rec:
                derive(rec, mesh)
                bench.log(f"    steady {rec['iterations']} its {rec['pc_setup_s'] + rec['solve_s']:.3g} s, step {rec['step_s']:.3g} s, "
                          f"{bench.fmt_bytes(rec['max_rss_bytes'])} ({rec['bytes_per_cell']:.0f} B/cell), MatMult "
                          f"{rec.get('matmult_bandwidth_Bps', 0) / 1e9:.1f} GB/s, load {rec['loadavg_before'][0]:.2f}")
            res["runs"].append(rec)
    for r in ranks:  # STREAM again at the end: the spread says how steady the machine was
        res["stream"][str(r)].append(stream(r, 64 if a.quick else 256))
    fit(res)
    bench.save(res, "scaling", table)
    return res


def fit(res):
    """Least-squares memory = a + b * cells per rank count: b is the memory per cell, a the fixed cost."""
    res["memory_fit"] = {}
    for r in {x["ranks"] for x in res["runs"]}:
        pts = [(x["cells"], x["max_rss_bytes"]) for x in res["runs"] if x["ranks"] == r and "error" not in x and not x.get("variant")]
        if len(pts) < 2:
            continue
        n = len(pts)
        mx = sum(c for c, _ in pts) / n
        my = sum(m for _, m in pts) / n
        b = sum((c - mx) * (m - my) for c, m in pts) / sum((c - mx) ** 2 for c, _ in pts)
        a = my - b * mx
        worst = max(abs(m - (a + b * c)) / m for c, m in pts)
        res["memory_fit"][str(r)] = {"fixed_bytes": a, "bytes_per_cell": b, "worst_relative_residual": worst}


def table(res):
    m = res["machine"]
    st = {r: max(v) for r, v in res["stream"].items()}
    lines = [f"Scaling, {res['date']}, {m['cpu']}, {m['cores']} cores, {m['memory_bytes'] / 2**30:.0f} GiB, photherm {res['git_describe']}, "
             f"PETSc {res['petsc_version']}, load average at start {res['loadavg_start'][0]:.2f}.",
             "STREAM triad (best of the runs before and after): " + ", ".join(f"{r} rank(s) {v / 1e9:.1f} GB/s" for r, v in sorted(st.items())) + ".",
             "", "| cells | ranks | model set-up (s) | PC set-up (s) | steady solve (s) | steady its | step (s) | its/step | "
             "peak memory | bytes/cell | steady cells/s | step cells/s | MatMult GB/s | of STREAM | load |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res["runs"]:
        rk = f"{r['ranks']}" + (f" ({r['variant']})" if r.get("variant") else "")
        if "error" in r:
            lines.append(f"| {r['cells']:.3g} | {rk} | {r['error'].splitlines()[0]} |")
            continue
        bw = r.get("matmult_bandwidth_Bps", 0)
        lines.append(f"| {r['cells']:.3g} | {rk} | {r['model_setup_s']:.3g} | {r['pc_setup_s']:.3g} | {r['solve_s']:.3g} | "
                     f"{r['iterations']} | {r['step_no_pc_setup_s']:.3g} | {r['ts_iterations_mean']:.1f} | {bench.fmt_bytes(r['max_rss_bytes'])} | "
                     f"{r['bytes_per_cell']:.0f} | {r['steady_cells_per_s']:.3g} | {r['step_cells_per_s']:.3g} | {bw / 1e9:.1f} | "
                     f"{bw / st[str(r['ranks'])]:.0%} | {r['loadavg_before'][0]:.2f} |")
    lines += ["", "| cells | speed-up on 2 ranks: PC set-up | steady solve | step | whole run | memory 2 ranks / 1 rank | "
              "PC set-up speed-up with scalable | memory with scalable / 1 rank |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in sorted({r["cells"] for r in res["runs"]}):
        one = [r for r in res["runs"] if r["cells"] == c and r["ranks"] == 1 and "error" not in r and not r.get("variant")]
        two = [r for r in res["runs"] if r["cells"] == c and r["ranks"] == 2 and "error" not in r and not r.get("variant")]
        var = [r for r in res["runs"] if r["cells"] == c and r.get("variant") == "scalable" and "error" not in r]
        if one and two:
            o, t = one[0], two[0]
            v = (f"{o['pc_setup_s'] / var[0]['pc_setup_s']:.2f} | {var[0]['max_rss_bytes'] / o['max_rss_bytes']:.2f}") if var else "— | —"
            lines.append(f"| {c:.3g} | {o['pc_setup_s'] / t['pc_setup_s']:.2f} | {o['solve_s'] / t['solve_s']:.2f} | "
                         f"{o['step_no_pc_setup_s'] / t['step_no_pc_setup_s']:.2f} | {o['process_wall_s'] / t['process_wall_s']:.2f} | "
                         f"{t['max_rss_bytes'] / o['max_rss_bytes']:.2f} | {v} |")
    if res.get("memory_fit"):
        lines += [""] + [f"Memory fit on {r} rank(s): {f['fixed_bytes'] / 2**20:.0f} MiB + {f['bytes_per_cell']:.0f} bytes per cell "
                         f"(largest deviation {f['worst_relative_residual']:.1%})." for r, f in sorted(res["memory_fit"].items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
