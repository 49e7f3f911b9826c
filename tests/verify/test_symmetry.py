#!/usr/bin/python3
"""Mirror symmetry: a case symmetric in x and in y (centred die and sources, four mirrored corner blocks, a centred
bottom region) gives a mesh, a power density and a temperature field that are mirror symmetric, steady and
transient, with an odd cell count in one direction and an even one in the other (and the other way round)."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import Tap, must_run, workdir, write  # noqa: E402

TOL = 1e-10         # of the temperature rise, discretisation and mesh symmetry (solves converged tightly)
TOL_DEFAULT = 1e-6  # of the rise, at the default solver tolerances (README.md, Numerics: solves converge to 1e-6 of the rise)
AMBIENT = 30.0

# footprint 10 mm x 8 mm, centre (5 mm, 4 mm); hx, hy: half sizes of the centred hot spot, which decide whether a
# grid line falls on the centre line (an even cell count) or not (odd)
CASE = """version: 1
name: symmetry
parameters: {hx: 0.2 mm, hy: 0.3 mm}
materials:
  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}
  uf: {k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 1000 J/kg/K}
  sub: {k: "[30, 30, 0.8] W/m/K", rho: 2000 kg/m^3, cp: 900 J/kg/K}
  cu: {k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}
footprint: {x: [0, 10 mm], y: [0, 8 mm]}
grid: {max_cell_xy: 400 um}
stack:
  - {name: substrate, thickness: 600 um, material: sub, cells: 3}
  - name: dies
    thickness: 150 um
    material: uf
    cells: 2
    blocks:
      - {name: die, material: si, x: [3.5 mm, 6.5 mm], y: [2.5 mm, 5.5 mm]}
  - {name: lid, thickness: 1 mm, material: cu, cells: 2}
blocks:
  - {name: p1, material: cu, x: [0.5 mm, 1.3 mm], y: [0.5 mm, 1.1 mm], layers: [substrate, dies]}
  - {name: p2, material: cu, x: [8.7 mm, 9.5 mm], y: [0.5 mm, 1.1 mm], layers: [substrate, dies]}
  - {name: p3, material: cu, x: [0.5 mm, 1.3 mm], y: [6.9 mm, 7.5 mm], layers: [substrate, dies]}
  - {name: p4, material: cu, x: [8.7 mm, 9.5 mm], y: [6.9 mm, 7.5 mm], layers: [substrate, dies]}
boundaries:
  top: {type: convection, h: 1e4 W/m^2/K, ambient: 30 C}
  bottom: {type: convection, h: 500 W/m^2/K, ambient: 40 C, region: {x: [2 mm, 8 mm], y: [1 mm, 7 mm]}}
sources:
  - {name: die, block: die, power: 10 W}
  - {name: hot, layer: dies, x: ["5 mm - ${hx}", "5 mm + ${hx}"], y: ["4 mm - ${hy}", "4 mm + ${hy}"],
     power: {pattern: square, period: 2 ms, duty: 0.5, high: 4 W, low: 0 W}}
time: {mode: steady, end: 4 ms}
"""

VARIANTS = [("xodd_yeven", ["-P", "hx=0.2 mm", "-P", "hy=0.3 mm"], (1, 0)),
            ("xeven_yodd", ["-P", "hx=0.4 mm", "-P", "hy=0.2 mm"], (0, 1))]
RUNS = [("steady", [], TOL),
        ("transient_default", ["-P", "time.mode=transient", "-P", "time.initial=35 C"], TOL_DEFAULT),
        ("transient", ["-P", "time.mode=transient", "-P", "time.initial=35 C", "-ksp_rtol", "1e-12", "-ph_ksp_floor", "0"], TOL)]


def mirror_errors(a):
    """max |a - mirror_x(a)| and max |a - mirror_y(a)| of a [..., ny, nx] array."""
    return float(np.abs(a - a[..., ::-1]).max()), float(np.abs(a - a[..., ::-1, :]).max())


def main():
    tap = Tap(__file__)
    wd = workdir("symmetry")
    write(os.path.join(wd, "case.yaml"), CASE)
    for vname, vargs, parity in VARIANTS:
        for rname, rargs, tol in RUNS:
            name = f"{vname}_{rname}"
            out = f"{name}.h5"
            if tap.guard(f"run_{name}", must_run, ["run", "case.yaml", "-o", out, "-quiet"] + vargs + rargs, wd) is None:
                continue
            with h5py.File(os.path.join(wd, out), "r") as f:
                x, y = f["mesh/x"][...], f["mesh/y"][...]
                nx, ny = len(x) - 1, len(y) - 1
                if rname == "steady":
                    tap.check(f"{vname}_cell_counts", (nx % 2, ny % 2) == parity, f"nx = {nx}, ny = {ny}")
                    ex = float(np.abs(x + x[::-1] - x[-1] - x[0]).max())
                    ey = float(np.abs(y + y[::-1] - y[-1] - y[0]).max())
                    tap.close(f"{vname}_grid_lines", max(ex, ey), 1e-15, "max |x_i + x_(n-i) - (x_0 + x_n)| [m]:")
                    mat = f["mesh/material"][...]
                    tap.check(f"{vname}_materials", np.array_equal(mat, mat[..., ::-1]) and np.array_equal(mat, mat[..., ::-1, :]),
                              "material map mirror symmetric in x and y (exact)")
                    pd = f["fields/power_density"][...]
                    px, py = mirror_errors(pd)
                    tap.close(f"{vname}_power_density", max(px, py) / np.abs(pd).max(), 1e-14, "mirror error / max density")
                T = f["fields/temperature"][...]
                rise = float(np.abs(T - AMBIENT).max())
                ex, ey = mirror_errors(T)
                steps = int(f["summary"].attrs["steps"])
                tap.close(f"{name}_field", max(ex, ey) / rise, tol,
                          f"{T.shape[0]} snapshot(s), {steps} steps, rise {rise:.2f} K; mirror error x {ex / rise:.2g}, y {ey / rise:.2g}; max / rise")
                # series of the mirrored corner blocks: the same temperature in all four
                bt = f["series/blocks/t_mean"][...]
                names = [n.decode() for n in f["series/blocks/t_mean"].attrs["names"]]
                corners = bt[:, [names.index(p) for p in ("p1", "p2", "p3", "p4")]]
                spread = float((corners.max(axis=1) - corners.min(axis=1)).max()) / rise
                tap.close(f"{name}_corner_blocks", spread, tol, "spread of the mean temperatures of p1..p4 / rise")
    tap.finish()


if __name__ == "__main__":
    main()
