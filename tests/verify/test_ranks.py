#!/usr/bin/python3
"""Rank independence (README.md, Running on a cluster): the same package-like transient on 1, 2 and 3 MPI ranks gives the same fields,
series and summary to 1e-8 of the temperature rise, and identical /mesh datasets; photherm mesh on 1 and 2 ranks
writes identical /mesh datasets (compared with numpy and with h5diff)."""
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import Tap, must_run, workdir, write  # noqa: E402

TOL = 1e-8  # of the temperature rise max |T - T_ambient|
AMBIENT = 35.0

TRACE = """# synthetic ASIC trace for the rank test: four levels, times in ms
time [ms],asic [W]
0,20
1.5,35
3,10
4.2,28
"""

CASE = """version: 1
name: ranks
description: package-like transient for the rank-independence test
materials:
  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}
  uf: {k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 1000 J/kg/K}
  sub: {k: "[30, 30, 0.8] W/m/K", rho: 2000 kg/m^3, cp: 900 J/kg/K}
  cu: {k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}
  tim: {k: 4 W/m/K, rho: 2500 kg/m^3, cp: 800 J/kg/K}
footprint: {x: [0, 12 mm], y: [0, 10 mm]}
grid: {max_cell_xy: 250 um}
stack:
  - {name: substrate, thickness: 800 um, material: sub, cells: 4}
  - name: dies
    thickness: 150 um
    material: uf
    cells: 3
    blocks:
      - {name: asic, material: si, x: [1.5 mm, 7.3 mm], y: [2 mm, 8.1 mm]}
      - {name: pic, material: si, x: [8.1 mm, 10.9 mm], y: [3 mm, 6.5 mm]}
  - {name: tim, thickness: 50 um, material: tim}
  - {name: lid, thickness: 1 mm, material: cu, cells: 3}
blocks:
  - {name: vias, material: cu, x: [9 mm, 9.4 mm], y: [3.5 mm, 4.2 mm], layers: [substrate, substrate]}
boundaries:
  top: {type: convection, h: 2e4 W/m^2/K, ambient: 35 C}
  bottom: {type: convection, h: 300 W/m^2/K, ambient: 45 C}
sources:
  - {name: asic, block: asic, power: {trace: trace.csv, column: asic}}
  - {name: hot, layer: dies, x: [8.5 mm, 9.6 mm], y: [3.5 mm, 5 mm], power: {pattern: square, period: 2 ms, duty: 0.3, high: 6 W, low: 1 W}}
time: {end: 5 ms, dt: 0.2 ms, initial: steady}
output: {fields_every: 1 ms, series_every: 0.5 ms}
"""


def datasets(group, prefix=""):
    out = {}
    for k, v in group.items():
        if isinstance(v, h5py.Group):
            out.update(datasets(v, f"{prefix}/{k}"))
        else:
            out[f"{prefix}/{k}"] = v[...]
    return out


def same_arrays(a, b):
    if a.dtype.names:  # compound tables (/mesh/layers, /mesh/blocks)
        return a.shape == b.shape and all(np.array_equal(a[n], b[n]) for n in a.dtype.names)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)


def main():
    tap = Tap(__file__)
    wd = workdir("ranks")
    write(os.path.join(wd, "trace.csv"), TRACE)
    write(os.path.join(wd, "case.yaml"), CASE)
    files = {}
    for n in (1, 2, 3):
        # the discretisation and its parallel assembly are checked with tightly converged solves (the default transient
        # tolerances, rtol 1e-5 and a floor of 1e-6 of the step's heat, leave differences near 1e-8 of the rise)
        p = tap.guard(f"run_{n}_ranks", must_run, ["run", "case.yaml", "-o", f"r{n}.h5", "-quiet", "-ksp_rtol", "1e-11", "-ph_ksp_floor", "0"], wd, n)
        if p is not None:
            files[n] = h5py.File(os.path.join(wd, f"r{n}.h5"), "r")
    # the solves apply the conduction operator as a stencil (ghost faces on 2 ranks); the assembled matrix gives the same
    p = tap.guard("run_2_ranks_matrix", must_run, ["run", "case.yaml", "-o", "m2.h5", "-quiet", "-ksp_rtol", "1e-11", "-ph_ksp_floor", "0",
                                                    "-ph_stencil", "false"], wd, 2)
    if p is not None and 2 in files:
        with h5py.File(os.path.join(wd, "m2.h5"), "r") as m:
            Ts, Tm = files[2]["fields/temperature"][...], m["fields/temperature"][...]
            tap.close("stencil_vs_matrix", float(np.abs(Ts - Tm).max()) / float(np.abs(Tm - AMBIENT).max()), 1e-12,
                      "2 ranks, max |T_stencil - T_matrix| / rise")
    if 1 not in files:
        tap.finish()
    ref = files[1]
    T1 = ref["fields/temperature"][...]
    rise = float(np.abs(T1 - AMBIENT).max())
    cells = T1[0].size
    tap.note(f"mesh {T1.shape[3]} x {T1.shape[2]} x {T1.shape[1]} = {cells} cells, {T1.shape[0]} snapshots, "
             f"{int(ref['summary'].attrs['steps'])} steps, rise {rise:.3f} K")
    tap.check("case_size", 20000 <= cells <= 50000 and T1.shape[0] >= 5, f"{cells} cells, {T1.shape[0]} snapshots")
    for n in (2, 3):
        if n not in files:
            continue
        f = files[n]
        tap.check(f"nranks_attribute_{n}", int(f.attrs["nranks"]) == n, f"nranks = {int(f.attrs['nranks'])}")
        Tn = f["fields/temperature"][...]
        if Tn.shape != T1.shape:
            tap.fail(f"temperature_{n}_ranks", f"shape {Tn.shape} on {n} ranks, {T1.shape} on 1")
        else:
            tap.close(f"temperature_{n}_ranks", float(np.abs(Tn - T1).max()) / rise, TOL, "max |T_n - T_1| / rise")
        tap.check(f"field_times_{n}_ranks", np.array_equal(f["fields/time"][...], ref["fields/time"][...]), "/fields/time identical")
        pd1, pdn = ref["fields/power_density"][...], f["fields/power_density"][...]
        tap.close(f"power_density_{n}_ranks", float(np.abs(pdn - pd1).max() / np.abs(pd1).max()), 1e-14, "max difference / max density")
        # series: temperatures against the rise, powers against the largest power, the time exactly
        s1, sn = datasets(ref["series"]), datasets(f["series"])
        if set(s1) != set(sn):
            tap.fail(f"series_{n}_ranks", f"datasets differ: {sorted(set(s1) ^ set(sn))}")
            continue
        worst = {}
        for name in sorted(s1):
            a, b = s1[name], sn[name]
            if a.shape != b.shape:
                worst[name] = np.inf
                continue
            units = ref["series" + name].attrs.get("units", b"")
            units = units.decode() if isinstance(units, bytes) else units
            if name == "/time":
                worst[name] = 0.0 if np.array_equal(a, b) else np.inf
            elif units == "degC":
                worst[name] = float(np.abs(a - b).max()) / rise if a.size else 0.0
            elif units == "W":
                worst[name] = float(np.abs(a - b).max() / max(np.abs(a).max(), 1e-300)) if a.size else 0.0
            else:  # energy_error: a relative number; its rank-to-rank spread is bounded by the same tolerance
                worst[name] = float(np.abs(a - b).max()) if a.size else 0.0
        name, value = max(worst.items(), key=lambda kv: kv[1])
        tap.close(f"series_{n}_ranks", value, TOL, f"{len(worst)} series datasets, worst {name}:")
        # summary metrics (but the wall time)
        bad = []
        for group in ("summary",):
            def visit(path, obj, bad=bad):
                if not isinstance(obj, h5py.Group):
                    return
                other = f.get(f"{group}/{path}") if path else f[group]
                for key, val in obj.attrs.items():
                    if "." in key or key == "wall_time" or not np.isscalar(val) or isinstance(val, bytes):
                        continue
                    unit = obj.attrs.get(key + ".units", b"")
                    unit = unit.decode() if isinstance(unit, bytes) else unit
                    # temperatures against the rise, the relative energy error absolutely, the rest relatively
                    scale = rise if unit == "degC" else (1.0 if key.startswith("energy_balance") else max(abs(val), 1e-300))
                    if other is None or key not in other.attrs or abs(other.attrs[key] - val) > TOL * scale:
                        bad.append(f"{path or '.'}/{key}: {val!r} vs {other.attrs.get(key) if other is not None else None!r}")
            visit("", ref["summary"])
            ref["summary"].visititems(visit)
        tap.check(f"summary_{n}_ranks", not bad, "all /summary metrics but wall_time agree (degC to 1e-8 of the rise, energy errors 1e-8 absolute, others 1e-8 relative)"
                  if not bad else "; ".join(bad[:5]))
        # the mesh: bit-identical datasets
        m1, mn = datasets(ref["mesh"]), datasets(f["mesh"])
        diff = sorted(k for k in m1 if k not in mn or not same_arrays(m1[k], mn[k])) + sorted(set(mn) - set(m1))
        tap.check(f"mesh_in_result_{n}_ranks", not diff, f"{len(m1)} /mesh datasets identical" if not diff else f"differ: {diff}")

    # photherm mesh on 1 and 2 ranks
    for n in (1, 2):
        tap.guard(f"mesh_command_{n}_ranks", must_run, ["mesh", "case.yaml", "-o", f"m{n}.h5"], wd, n)
    p1, p2 = os.path.join(wd, "m1.h5"), os.path.join(wd, "m2.h5")
    if os.path.exists(p1) and os.path.exists(p2):
        with h5py.File(p1, "r") as a, h5py.File(p2, "r") as b:
            da, db = datasets(a["mesh"]), datasets(b["mesh"])
            diff = sorted(k for k in da if k not in db or not same_arrays(da[k], db[k])) + sorted(set(db) - set(da))
            tap.check("mesh_file_1_vs_2_ranks", not diff and len(da) >= 6, f"{len(da)} datasets identical" if not diff else f"differ: {diff}")
            dr = datasets(ref["mesh"])
            diff = sorted(k for k in da if k not in dr or not same_arrays(da[k], dr[k]))
            tap.check("mesh_file_vs_result", not diff, "the mesh file's /mesh equals the result's /mesh" if not diff else f"differ: {diff}")
        h = subprocess.run(["h5diff", "-c", p1, p2, "/mesh", "/mesh"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        tap.check("mesh_file_h5diff", h.returncode == 0, f"h5diff exit {h.returncode}" + (f": {h.stdout.strip()[-500:]}" if h.returncode else ""))
        h = subprocess.run(["h5diff", os.path.join(wd, "r1.h5"), os.path.join(wd, "r3.h5"), "/mesh", "/mesh"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        tap.check("result_mesh_h5diff_1_vs_3", h.returncode == 0, f"h5diff exit {h.returncode}" + (f": {h.stdout.strip()[-500:]}" if h.returncode else ""))
    for f in files.values():
        f.close()
    tap.finish()


if __name__ == "__main__":
    main()
