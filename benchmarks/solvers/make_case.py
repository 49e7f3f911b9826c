#!/usr/bin/python3
"""Write the package-like stack of the preconditioner study (benchmarks/solvers/) as a photherm case, sized by cell count.

Usage: make_case.py CELLS [--mode steady|transient] [--steps N] [-o case.yaml | --cell-size UM]

A 50 mm x 50 mm 2.5D package, bottom (z = 0) to top: organic substrate (k 30, 30, 0.5 W/m/K), C4 bump layer under the
interposer in underfill, silicon interposer (148) in mold, microbump layer (1.5) under the dies, a 2 um BEOL
(3, 3, 1.2) and the silicon dies (148) in underfill, TIM (4), a bond layer (0.4 W/m/K) and the copper lid (400).
The bond layer is as thick as a lateral cell is wide / 1000, so its cells are 1000 times thinner than wide and the
conductivity ratio across its faces (0.4 to 400 W/m/K) is 1000.
Cold plate on top (2e4 W/m^2/K), weak board convection at the bottom (300 W/m^2/K), adiabatic sides.
Four block sources (an ASIC and three chiplets, 520 W in all).
The lateral cell size h is chosen so that nx * ny * nz is about CELLS (nz is fixed, 20 cells);
the block edges add a few grid lines, so the real count is a little larger (photherm check prints it).
All conductivities are constant, so a steady solve is one linear solve.
"""
import argparse
import math
import os
import sys

NZ = 20           # cells in z, the sum of the `cells:` below
FOOT = 50e-3      # footprint side, m
EXTRA_LINES = 16  # about how many block-edge lines the geometry adds per direction


def lateral_cell(cells):
    """Lateral cell size (m) that gives about `cells` cells."""
    n = math.sqrt(cells / NZ)  # cells per direction
    n = max(n - EXTRA_LINES, 8)
    return FOOT / n


def case_text(h, mode="steady", steps=10, label=None):
    """The case file for lateral cells of h metres (see the module docstring)."""
    bond = h / 1000
    um = 1e6
    # transient: the ASIC alternates between 400 W and 200 W every millisecond, so that the 1 ms steps have work to do
    asic_power = "400 W" if mode == "steady" else "{pattern: square, period: 2 ms, duty: 0.5, high: 400 W, low: 200 W}"
    label = label or f"--cell-size {h * um:.6g}"
    text = f"""# Package-like stack for the photherm preconditioner and scaling benchmarks, written by
# benchmarks/solvers/make_case.py {label}.
# Lateral cells {h * um:.4g} um; the bond layer is {bond * um:.4g} um thick (cells 1000 times thinner than wide),
# conductivities from 0.4 to 400 W/m/K (ratio 1000 across the bond layer's faces).
version: 1
name: bench-package
description: 50 mm x 50 mm 2.5D package, lateral cells {h * um:.4g} um, bond layer {bond * um:.4g} um
materials:
  organic_substrate: {{k: [30 W/m/K, 30 W/m/K, 0.5 W/m/K], rho: 1900 kg/m^3, cp: 1000 J/kg/K}}
  underfill: {{k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 900 J/kg/K}}
  c4_bump_layer: {{k: 3 W/m/K, rho: 3800 kg/m^3, cp: 1000 J/kg/K}}
  mold: {{k: 0.8 W/m/K, rho: 2000 kg/m^3, cp: 900 J/kg/K}}
  silicon: {{k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
  microbump_layer: {{k: 1.5 W/m/K, rho: 2500 kg/m^3, cp: 1000 J/kg/K}}
  beol: {{k: [3 W/m/K, 3 W/m/K, 1.2 W/m/K], rho: 2900 kg/m^3, cp: 750 J/kg/K}}
  tim: {{k: 4 W/m/K, rho: 2500 kg/m^3, cp: 1600 J/kg/K}}
  bond: {{k: 0.4 W/m/K, rho: 2000 kg/m^3, cp: 1000 J/kg/K}}
  copper: {{k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}}
footprint: {{x: [0, 50 mm], y: [0, 50 mm]}}
grid: {{max_cell_xy: {h * um:.6g} um}}
stack:
  - {{name: substrate, thickness: 1.2 mm, material: organic_substrate, cells: 4}}
  - name: c4
    thickness: 100 um
    material: underfill
    cells: 1
    blocks: [{{name: c4_field, material: c4_bump_layer, x: [8 mm, 42 mm], y: [8 mm, 42 mm]}}]
  - name: interposer
    thickness: 100 um
    material: mold
    cells: 2
    blocks: [{{name: interposer_si, material: silicon, x: [8 mm, 42 mm], y: [8 mm, 42 mm]}}]
  - name: ubump
    thickness: 20 um
    material: underfill
    cells: 1
    blocks:
      - {{name: asic_bumps, material: microbump_layer, x: [12 mm, 30 mm], y: [12 mm, 38 mm]}}
      - {{name: hbm_bumps, material: microbump_layer, x: [32 mm, 40 mm], y: [12 mm, 38 mm]}}
  - name: beol
    thickness: 2 um
    material: underfill
    cells: 1
    blocks:
      - {{name: asic_beol, material: beol, x: [12 mm, 30 mm], y: [12 mm, 38 mm]}}
      - {{name: hbm_beol, material: beol, x: [32 mm, 40 mm], y: [12 mm, 38 mm]}}
  - name: dies
    thickness: 750 um
    material: underfill
    cells: 4
    blocks:
      - {{name: asic, material: silicon, x: [12 mm, 30 mm], y: [12 mm, 38 mm]}}
      - {{name: hbm0, material: silicon, x: [32 mm, 40 mm], y: [12 mm, 20 mm]}}
      - {{name: hbm1, material: silicon, x: [32 mm, 40 mm], y: [21 mm, 29 mm]}}
      - {{name: hbm2, material: silicon, x: [32 mm, 40 mm], y: [30 mm, 38 mm]}}
  - {{name: tim, thickness: 50 um, material: tim, cells: 1}}
  - {{name: bond, thickness: {bond * um:.6g} um, material: bond, cells: 1}}
  - {{name: lid, thickness: 2 mm, material: copper, cells: 5}}
boundaries:
  top: {{type: convection, h: 2e4 W/m^2/K, ambient: 35 C}}
  bottom: {{type: convection, h: 300 W/m^2/K, ambient: 45 C}}
sources:
  - {{name: asic, block: asic, power: {asic_power}}}
  - {{name: hbm0, block: hbm0, power: 40 W}}
  - {{name: hbm1, block: hbm1, power: 40 W}}
  - {{name: hbm2, block: hbm2, power: 40 W}}
"""
    if mode == "steady":
        text += "time: {mode: steady}\n"
    else:
        text += f"time: {{end: {steps} ms, dt: 1 ms, dt_max: 1 ms, initial: steady}}\n"
        text += f"output: {{series_every: 1 ms, fields_every: {steps} ms}}\n"
    return text


def make(cells, path, mode="steady", steps=10, photherm=None):
    """Write the case with about `cells` cells to `path`, adjusting the lateral cell size with `photherm check` (the
    block edges add grid lines, so the count is not a simple function of the cell size); return check's mesh numbers."""
    import bench  # benchmarks/bench.py

    h = lateral_cell(cells)
    best = None
    for _ in range(8):
        with open(path, "w") as f:
            f.write(case_text(h, mode, steps, label=f"{cells:g}" + (f" --mode {mode}" if mode != "steady" else "")))
        info = bench.check(path)
        info["cell_size_m"] = h
        err = abs(math.log(info["cells"] / cells))
        if best is None or err < best[0]:
            best = (err, h, info)
        if err < 0.05:
            break
        h *= math.sqrt(info["cells"] / cells) ** 0.9
    err, h, info = best
    with open(path, "w") as f:
        f.write(case_text(h, mode, steps, label=f"{cells:g}" + (f" --mode {mode}" if mode != "steady" else "")))
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cells", type=float, help="target number of cells, e.g. 1e6")
    ap.add_argument("--cell-size", type=float, help="lateral cell size in um (no calibration)")
    ap.add_argument("--mode", choices=("steady", "transient"), default="steady")
    ap.add_argument("--steps", type=int, default=10, help="transient: steps of 1 ms")
    ap.add_argument("-o", "--output", help="write here, calibrating the cell size with photherm check so that the count "
                    "is within 5 %% of CELLS (needs bin/photherm); without it, the first guess goes to stdout")
    a = ap.parse_args()
    if a.output and not a.cell_size:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        info = make(a.cells, a.output, a.mode, a.steps)
        print(f"{a.output}: nx {info['nx']} ny {info['ny']} nz {info['nz']} = {info['cells']} cells, lateral cells "
              f"{info['cell_size_m'] * 1e6:.4g} um", file=sys.stderr)
        return
    h = a.cell_size * 1e-6 if a.cell_size else lateral_cell(a.cells)
    text = case_text(h, a.mode, a.steps)
    if a.output:
        open(a.output, "w").write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
