#!/usr/bin/python3
"""What a cold plate costs: the 2.5D example (cases/cpo-2p5d.yaml, 110 400 cells, the 200 ms training workload) with
its top face as the shipped convection to 35 C ("dry": CG and the multigrid) and as a cold plate of water entering at
35 C with the same h ("cold plate": the coolant's exact operator, GMRES right-preconditioned by the same multigrid),
run alternately `--repeat` times on one rank, the faster of each kept; the ratios compare runs made minutes apart.

Usage: benchmarks/coolant/run.py [--quick] [--repeat 2] [--flows 1.5,0.3]
  --quick: 20 ms of workload instead of 200 ms
  --flows: water flows in L/min, each a run of its own (over the 60 x 46 mm face at h = 2e4 W/m^2/K, 1.5 L/min has
           NTU = h A / (m cp) = 0.53 and 0.3 L/min 2.6)

Writes benchmarks/results/coolant/<date>-<host>.json and .md: wall time, steps, linear iterations per solve, peak
memory, and the ratios to the dry run.
"""
import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402

CASE = os.path.join(bench.ROOT, "cases", "cpo-2p5d.yaml")


def plate(flow):
    return f"boundaries.top={{type: cold_plate, name: plate, coolant: water, flow: {flow} L/min, inlet: 35 C, direction: +x, h: 2e4 W/m^2/K}}"


def summarise(label, recs):
    ok = [r for r in recs if "error" not in r]
    if not ok:
        return {"label": label, "error": recs[-1].get("error")}
    best = min(ok, key=lambda r: r["process_wall_s"])
    its = best["ts_iterations"]
    return {"label": label, "wall_s": best["process_wall_s"], "steps": best.get("steps"), "solves": len(its),
            "iterations_mean": statistics.mean(its) if its else 0, "iterations_max": max(its) if its else 0,
            "steady_iterations": best["steady_iterations"], "peak_memory_bytes": best.get("peak_memory_bytes"),
            "max_rss_bytes": best.get("max_rss_bytes"), "runs_s": [r["process_wall_s"] for r in ok]}


def table(res):
    rows = res["runs"]
    dry = rows[0]
    lines = ["| top face | wall s | / dry | steps | linear solves | iterations mean / max | steady iterations | peak memory MiB | / dry |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['label']} | failed: {r['error']} | | | | | | | |")
            continue
        lines.append(f"| {r['label']} | {r['wall_s']:.2f} | {r['wall_s'] / dry['wall_s']:.2f} | {r['steps']} | {r['solves']} | "
                     f"{r['iterations_mean']:.1f} / {r['iterations_max']} | {r['steady_iterations']} | "
                     f"{r['max_rss_bytes'] / 2**20:.0f} | {r['max_rss_bytes'] / dry['max_rss_bytes']:.2f} |")
    return (f"{res['git_describe']}, {res['workload']}, load average at the start {res['loadavg_start'][0]:.2f}, "
            f"at the end {res['loadavg_end'][0]:.2f}\n\n" + "\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--flows", default="1.5,0.3")
    a = ap.parse_args(argv)
    res = bench.header("coolant", "quick" if a.quick else "full")
    params = ["time.end=20ms", "optics.metrics_from=0"] if a.quick else []
    res["workload"] = "20 ms" if a.quick else "200 ms"
    variants = [("dry: convection, h 2e4 W/m^2/K, 35 C", [])] + [(f"cold plate: water {f} L/min, h 2e4 W/m^2/K, inlet 35 C", [plate(f)])
                                                                  for f in a.flows.split(",")]
    recs = {label: [] for label, _ in variants}
    for i in range(a.repeat):
        for label, extra in variants:
            r = bench.run(CASE, params=params + extra, tag=f"coolant{i}", wait=False)
            recs[label].append(r)
            bench.cleanup(r)
    res["runs"] = [summarise(label, recs[label]) for label, _ in variants]
    bench.save(res, "coolant", table)
    return res


if __name__ == "__main__":
    main()
