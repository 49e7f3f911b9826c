#!/usr/bin/python3
"""Looking at results (README.md, Results and Scans): where render_slice.py cuts by default, plot_run.py overlaying
several runs, and the shared y-axes of plot_scan.py.

1. scripts/render_slice.py's default slice (slice_plan, read with plain Python; test_paraview.py renders with pvpython):
   - a package whose die was switched off before the last snapshot, whose hottest cell is then in a layer without
     blocks below the die (what the old default cut through): the default is the die's layer, the hottest block;
   - the 2.5D example, which has optics: the layer of the rings;
   - --layer NAME cuts through that layer; an unknown name is refused with the layers there are.
2. scripts/plot_run.py A.h5 B.h5 (the 2.5D and 3D examples, shortened) draws one figure whose every panel holds both
   runs, each in its own colour and named by its case in the legend; one run still draws every ring; --label names
   the runs, and a count that does not match is refused.
3. scripts/plot_scan.py: the panels of one metric (one per value of the other parameter) share one y-axis range, even
   when their values lie far apart.
The figures are inspected in the scripts' own process: matplotlib's savefig is wrapped to record every axes' lines,
legend and y-limits before the PNG is written."""
import csv
import importlib.util
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, must_run, workdir, write  # noqa: E402

SHORT = ["-P", "cell=4mm", "-P", "time.end=2ms", "-P", "optics.metrics_from=0", "-P", "output.series_every=0.5ms", "-P", "yield.samples=100"]

TRAP = """version: 1
name: trap
materials:
  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}
  bump: {k: 0.3 W/m/K, rho: 3000 kg/m^3, cp: 1500 J/kg/K}
  sub: {k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 1000 J/kg/K}
footprint: {x: [0, 10 mm], y: [0, 10 mm]}
grid: {max_cell_xy: 1 mm}
stack:
  - {name: substrate, thickness: 1 mm, material: sub}
  - {name: bumps, thickness: 300 um, material: bump, cells: 2}
  - name: die
    thickness: 200 um
    material: sub
    blocks:
      - {name: asic, material: si, x: [2 mm, 8 mm], y: [2 mm, 8 mm]}
boundaries:
  top: {type: convection, h: 5e4 W/m^2/K, ambient: 35 C}
sources:
  - {name: asic, block: asic, power: {pattern: steps, times: [0 s, 50 ms], values: [60 W, 0 W]}}
time: {end: 150 ms, initial: 35 C}
output: {fields_every: 150 ms, series_every: 5 ms}
"""


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "scripts", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recording():
    """Wrap Figure.savefig: each saved figure's axes as {ylim, lines: [(label, colour)], legend: [texts]}."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    saved, original = [], Figure.savefig

    def savefig(fig, path, *a, **k):
        axes = []
        for ax in fig.axes:
            if not ax.axison:
                continue
            legend = ax.get_legend()
            axes.append({"ylim": tuple(ax.get_ylim()), "lines": [(ln.get_label(), ln.get_color()) for ln in ax.get_lines()],
                         "legend": [t.get_text() for t in legend.get_texts()] if legend else []})
        saved.append({"path": str(path), "axes": axes})
        return original(fig, path, *a, **k)

    Figure.savefig = savefig
    return saved


def default_slice(tap, d):
    render = load("render_slice")
    case = write(os.path.join(d, "trap.yaml"), TRAP)
    out = os.path.join(d, "trap.h5")
    must_run(["run", case, "-o", out, "-quiet"], d)
    with h5py.File(out, "r") as f:
        T = f["fields/temperature"][-1]
        k = np.unravel_index(int(np.argmax(T)), T.shape)[0]
        hot_layer = [ly["name"].decode() for ly in f["mesh/layers"][...] if ly["k0"] <= k < ly["k1"]][0]
        z = f["mesh/z"][...]
        die = [ly for ly in f["mesh/layers"][...] if ly["name"] == b"die"][0]
        t_end = float(f["fields/time"][-1])
    plan = render.slice_plan(out, t_end)
    tap.check("a late snapshot's hottest cell lies in a layer without blocks", hot_layer in ("bumps", "substrate"), f"hottest cell in {hot_layer}")
    tap.check("the default slice is the layer of the hottest block", plan[2] == "layer die of block asic, the hottest"
              and abs(0.5 * (plan[0] + plan[1]) - 0.5 * (z[die["k0"]] + z[die["k1"]])) < 1e-12, f"{plan[2]}, z {plan[0]} .. {plan[1]}")
    plan = render.slice_plan(out, t_end, "bumps")
    tap.check("--layer cuts through the named layer", plan[2] == "layer bumps" and abs(plan[0] - 1e-3) < 1e-12 and abs(plan[1] - 1.3e-3) < 1e-12,
              f"{plan[2]}, z {plan[0]} .. {plan[1]}")
    try:
        render.slice_plan(out, t_end, "lid")
        tap.fail("an unknown layer is refused with the layers there are", "no error")
    except render.SliceError as e:
        tap.check("an unknown layer is refused with the layers there are", "substrate, bumps, die" in str(e), str(e))
    optics = os.path.join(d, "2p5d.h5")
    must_run(["run", os.path.join(ROOT, "cases", "cpo-2p5d.yaml"), "-o", optics, "-quiet"] + SHORT, d)
    plan = render.slice_plan(optics, 2e-3)
    tap.check("with optics the default slice is the rings' layer", plan[2] == "layer device, rings tx", plan[2])
    return optics


def overlay(tap, d, first):
    plot_run = load("plot_run")
    second = os.path.join(d, "3d.h5")
    must_run(["run", os.path.join(ROOT, "cases", "cpo-3d.yaml"), "-o", second, "-quiet"] + SHORT, d)
    saved = recording()
    png = os.path.join(d, "compare.png")
    code = plot_run.main([first, second, "-o", png])
    axes = saved[-1]["axes"] if saved else []
    both = [all(any(lb.startswith(case + ":") for lb, _ in ax["lines"]) for case in ("cpo-2p5d", "cpo-3d")) for ax in axes]
    colours = [{c for lb, c in ax["lines"] if lb.startswith("cpo-2p5d:")} & {c for lb, c in ax["lines"] if lb.startswith("cpo-3d:")} for ax in axes]
    tap.check("plot_run.py A.h5 B.h5: one figure, every panel holds both runs", code == 0 and os.path.exists(png) and len(axes) == 6 and all(both),
              f"exit {code}; panels {len(axes)}; both runs per panel {both}")
    tap.check("each run has its own colour, named by its case in the legend", not any(colours) and all(
        any(t.startswith("cpo-2p5d:") for t in ax["legend"]) and any(t.startswith("cpo-3d:") for t in ax["legend"]) for ax in axes),
        f"shared colours {colours}; legend of the first panel {axes[0]['legend'] if axes else None}")
    code = plot_run.main([first, second, "-o", png, "--label", "2.5D", "--label", "3D"])
    tap.check("--label names the runs", code == 0 and any(t.startswith("2.5D:") for t in saved[-1]["axes"][0]["legend"]), f"{saved[-1]['axes'][0]['legend']}")
    code = plot_run.main([first, second, "-o", png, "--label", "2.5D"])
    tap.check("a --label count that does not match the runs is refused", code == 2, f"exit {code}")
    code = plot_run.main([first, "-o", os.path.join(d, "one.png")])
    rings = [lb for lb, _ in saved[-1]["axes"][2]["lines"]]
    tap.check("one run: every ring drawn", code == 0 and len(rings) == 16, f"exit {code}; {len(rings)} ring lines")


def shared_y(tap, d):
    plot_scan = load("plot_scan")
    path = os.path.join(d, "results.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "case", "status", "error", "gap", "h_cold_plate", "peak_temperature"])
        for label, base in (("2.5D", 0), ("3D", 5)):
            for h, level in (("5e3 W/m^2/K", 140), ("2e4 W/m^2/K", 70)):
                for gap, rise in (("1 mm", 0), ("2 mm", 3), ("4 mm", 5)):
                    w.writerow([label, "x.yaml", "done", "", gap, h, level + base + rise])
    saved = recording()
    code = plot_scan.main([path, "-o", os.path.join(d, "plots"), "--metric", "peak_temperature", "--x", "gap"])
    axes = saved[-1]["axes"] if saved else []
    limits = {ax["ylim"] for ax in axes}
    tap.check("plot_scan.py: the panels of one metric share the y-axis", code == 0 and len(axes) == 2 and len(limits) == 1
              and min(lim[0] for lim in limits) <= 70 and max(lim[1] for lim in limits) >= 150, f"exit {code}; {len(axes)} panels, y-limits {limits}")


def main():
    tap = Tap(__file__)
    d = workdir("plots")
    first = tap.guard("default slice", default_slice, tap, d)
    if first:
        tap.guard("overlay", overlay, tap, d, first)
    tap.guard("shared y", shared_y, tap, d)
    tap.finish()


if __name__ == "__main__":
    main()
