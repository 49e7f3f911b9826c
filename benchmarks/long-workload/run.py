#!/usr/bin/python3
"""Long workloads: the reduced model (time.method: reduced) against the full model on the same case and workload.

Usage: benchmarks/long-workload/run.py [--quick] [--case cases/cpo-2p5d.yaml] [--cell 1mm] [--end 60] [--full-end 0.2]
                                       [--series 1ms] [--ranks 1 2]
  --quick: 2 s of workload, 50 ms of full model, 1 rank (a check that the benchmark runs)

The case's own trace (cases/traces/training.csv, repeated: 20 ms training steps of compute, all-reduce and optimizer
phases) drives `--end` seconds of workload at `--series` resolution with the reduced model; the full model runs the
first `--full-end` seconds of the same workload (it costs too much for the whole: its time per simulated second is
measured there and extrapolated, as the table says). Both write fields every 10 s only. Reported: the reduced model's
build time, basis size and estimated error, the whole run's wall time and peak memory, the full model's wall time per
simulated second (the reduced run without -log_view and -memory_view, which cost it 8 s: bench.py), the speed-up per
simulated second, and the largest difference of the ring, laser and source
temperatures over the window where both ran, against the full model solved tightly (-ts_rtol 1e-6 -ts_atol 1e-5, a
third run over the same window) and, for scale, the full model's own difference at its default tolerances. Writes benchmarks/results/long-workload/<date>-<host>.json and .md.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402

ROOT = bench.ROOT


def summary(path):
    import h5py

    with h5py.File(path, "r") as f:
        return {k: float(v) for k, v in f["summary"].attrs.items() if not k.endswith((".units", ".definition"))}


TIGHT = ["-ts_rtol", "1e-6", "-ts_atol", "1e-5"]  # the reference of the error: the full model solved tightly


def window_error(full, red, end):
    """Largest |reduced - full| of the ring, laser and source temperatures at the samples of [0, end] both have."""
    worst = {}
    for group, name in (("rings", "temperature"), ("lasers", "temperature"), ("sources", "t_mean"), ("sources", "t_max")):
        try:
            tf, _, vf = bench.series(full, group, name)
            tr, _, vr = bench.series(red, group, name)
        except KeyError:
            continue
        idx = np.searchsorted(tr, tf)
        ok = (idx < len(tr)) & (tf <= end + 1e-12)
        ok[ok] &= np.abs(tr[idx[ok]] - tf[ok]) <= 1e-9
        worst[f"{group}/{name}"] = float(np.max(np.abs(vr[idx[ok]] - vf[ok]))) if ok.any() else None
    return worst


def table(res):
    lines = ["| ranks | cells | workload | reduced: build s, basis, estimate K | reduced: whole run s (per simulated s) | peak memory | "
             "full: s per simulated s (measured over) | speed-up per simulated s | largest difference to the tight full model, ring / laser / source mean / source max K | "
             "the same for the full model at its default tolerances |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["runs"]:
        if "error" in r:
            lines.append(f"| {r['ranks']} | | | failed: {r['error'][:80]} | | | | | | |")
            continue
        e, d = r["window_error"], r.get("full_error", {})
        fmt = lambda k: f"{e[k]:.3f}" if e.get(k) is not None else "-"
        fmd = lambda k: f"{d[k]:.3f}" if d.get(k) is not None else "-"
        lines.append(f"| {r['ranks']} | {r['cells']:.0f} | {res['end']:g} s at {res['series']} | {r['build_s']:.1f}, {r['basis']:.0f}, "
                     f"{r['estimate_K']:.3f} | {r['reduced_wall_s']:.1f} ({r['reduced_wall_s'] / res['end']:.3f}) | "
                     f"{bench.fmt_bytes(r['reduced_rss'])} | {r['full_per_s']:.1f} (first {res['full_end']:g} s, extrapolated) | "
                     f"{r['full_per_s'] / (r['reduced_wall_s'] / res['end']):.0f}x | {fmt('rings/temperature')} / {fmt('lasers/temperature')} / "
                     f"{fmt('sources/t_mean')} / {fmt('sources/t_max')} | {fmd('rings/temperature')} / {fmd('lasers/temperature')} / "
                     f"{fmd('sources/t_mean')} / {fmd('sources/t_max')} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--case", default=os.path.join(ROOT, "cases", "cpo-2p5d.yaml"))
    ap.add_argument("--cell", default=None, help="the case's `cell` parameter (default: as the case says)")
    ap.add_argument("--end", type=float, default=60.0)
    ap.add_argument("--full-end", type=float, default=0.2)
    ap.add_argument("--series", default="1ms")
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    a = ap.parse_args(argv)
    if a.quick:
        a.end, a.full_end, a.ranks = 2.0, 0.05, [1]
    res = bench.header("long-workload", "quick" if a.quick else "full")
    res.update(case=os.path.relpath(a.case, ROOT), end=a.end, full_end=a.full_end, series=a.series, runs=[])
    common = [f"output.series_every={a.series}", "output.fields_every=10s", "optics.metrics_from=0"] + ([f"cell={a.cell}"] if a.cell else [])
    for n in a.ranks:
        # timed as a user runs it: no -log_view or -memory_view, mpirun's default binding, on idle cores
        red = bench.run(a.case, params=common + ["time.method=reduced", f"time.end={a.end}s"], ranks=n, tag=f"reduced-np{n}", timeout=7200,
                        instrument=False, bind=None)
        full = bench.run(a.case, params=common + [f"time.end={a.full_end}s"], ranks=n, tag=f"full-np{n}", wait=False, timeout=7200)
        tight = bench.run(a.case, opts=TIGHT, params=common + [f"time.end={a.full_end}s"], ranks=n, tag=f"tight-np{n}", wait=False, timeout=7200)
        rec = {"ranks": n}
        if "error" in red or "error" in full or "error" in tight:
            rec["error"] = red.get("error") or full.get("error") or tight.get("error")
            res["runs"].append(rec)
            continue
        sr, sf = summary(red["output"]), summary(full["output"])
        rec.update(cells=sr["cells"], build_s=sr["reduced_build_time"], basis=sr["reduced_basis"], estimate_K=sr["reduced_error_estimate"],
                   reduced_wall_s=red["process_wall_s"], reduced_rss=red["max_rss_bytes"], full_wall_s=full["process_wall_s"],
                   full_per_s=full["process_wall_s"] / a.full_end, full_steps=sf["steps"], loadavg=[red["loadavg_before"], full["loadavg_before"]],
                   window_error=window_error(tight["output"], red["output"], a.full_end),
                   window_error_default=window_error(full["output"], red["output"], a.full_end),
                   full_error=window_error(tight["output"], full["output"], a.full_end))
        res["runs"].append(rec)
        bench.cleanup(red)
        bench.cleanup(full)
        bench.cleanup(tight)
    bench.save(res, "long-workload", table)
    return res


if __name__ == "__main__":
    main()
