#!/usr/bin/python3
"""ParaView compatibility of OUT.xmf (README.md, "Result file layout"): pvpython opens the XDMF companion of a transient result with
ParaView's XDMF reader and must see every snapshot as a time step, the right number of cells, and for the first and
last time steps a temperature cell array equal to /fields/temperature (range and every value), plus the material
and power_density arrays; the same for float32 snapshots and for a relative path from another directory.
pvpython's OpenDataFile (the reader ParaView picks by itself for .xmf) must show the temperature too.
Finally scripts/render_slice.py renders a slice to a non-empty PNG, through a named layer (--layer) and coloured by
material with the material names (--array material), and refuses an unknown layer naming the layers there are (where
the default slice goes is checked by test_plots.py)."""
import json
import os
import shutil
import struct
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, must_run, workdir, write  # noqa: E402

CASE = """version: 1
name: paraview
materials:
  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}
  uf: {k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 1000 J/kg/K}
  cu: {k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}
footprint: {x: [0, 10 mm], y: [0, 7 mm]}
grid: {max_cell_xy: 400 um}
stack:
  - {name: substrate, thickness: 500 um, material: uf, cells: 2}
  - name: dies
    thickness: 150 um
    material: uf
    cells: 2
    blocks:
      - {name: asic, material: si, x: [1 mm, 6 mm], y: [1 mm, 6 mm]}
      - {name: pic, material: si, x: [6.8 mm, 9 mm], y: [2 mm, 4.5 mm]}
  - {name: lid, thickness: 800 um, material: cu, cells: 2}
boundaries:
  top: {type: convection, h: 2e4 W/m^2/K, ambient: 35 C}
sources:
  - {name: asic, block: asic, power: 15 W}
  - {name: laser, layer: dies, x: [7.5 mm, 8.2 mm], y: [3 mm, 3.6 mm], power: {pattern: square, period: 2 ms, duty: 0.5, high: 2 W, low: 0.2 W}}
time: {end: 4 ms, initial: 35 C}
output: {fields_every: 1 ms, series_every: 0.5 ms}
"""

PVSCRIPT = r'''
import json, sys
import numpy as np
from paraview import simple as pv
from vtkmodules.numpy_interface import dataset_adapter as dsa

xmf, out, npz = sys.argv[1], sys.argv[2], sys.argv[3]
result = {}
r = pv.XDMFReader(FileNames=[xmf])
r.UpdatePipelineInformation()
times = list(r.TimestepValues) if r.TimestepValues else []
result["reader"] = r.GetXMLName()
result["times"] = times
result["steps"] = []
arrays = {}
for label, t in (("first", times[0]), ("last", times[-1])):
    r.UpdatePipeline(t)
    info = r.GetDataInformation()
    # the reader's own output object (servermanager.Fetch of rectilinear cell data is unreliable in ParaView 5.11)
    data = dsa.WrapDataObject(r.GetClientSideObject().GetOutputDataObject(0))
    step = {"time": t, "cells": info.GetNumberOfCells(), "class": data.VTKObject.GetClassName(),
            "dimensions": list(data.VTKObject.GetDimensions()), "ranges": {}}
    for name in r.CellData.keys():
        step["ranges"][name] = list(r.CellData[name].GetRange())
        arrays[f"{label}:{name}"] = np.asarray(data.CellData[name])
    result["steps"].append(step)
np.savez(npz, **arrays)
if len(sys.argv) > 4:  # the reader ParaView chooses itself for .xmf
    d = pv.OpenDataFile(xmf)
    d.UpdatePipelineInformation()
    d.UpdatePipeline(d.TimestepValues[-1] if d.TimestepValues else 0.0)
    result["default_reader"] = d.GetXMLName()
    result["default_arrays"] = list(d.CellData.keys())
    result["default_times"] = len(d.TimestepValues) if d.TimestepValues else 0
json.dump(result, open(out, "w"))
'''


def pvpython_run(tap, name, args, cwd, timeout=120):
    p = subprocess.run(["pvpython"] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if p.returncode != 0:
        tap.fail(name, f"pvpython exited {p.returncode}: " + " | ".join(line for line in p.stdout.splitlines()
                                                                         if line.strip() and "0x" not in line)[-1500:])
    return p


def compare(tap, label, wd, h5path, res, arrays):
    with h5py.File(h5path, "r") as f:
        ft = f["fields/time"][...]
        T = f["fields/temperature"]
        nz, ny, nx = T.shape[1:]
        pd = f["fields/power_density"][...]
        mat = f["mesh/material"][...]
        tap.check(f"{label}_time_steps", len(res["times"]) == len(ft) and np.allclose(res["times"], ft, rtol=0, atol=1e-15),
                  f"ParaView {len(res['times'])} time steps {res['times']}, /fields/time has {len(ft)}")
        for step, (which, s) in zip(res["steps"], (("first", 0), ("last", len(ft) - 1))):
            snap = T[s]
            tap.check(f"{label}_{which}_cells", step["cells"] == nx * ny * nz and step["dimensions"] == [nx + 1, ny + 1, nz + 1],
                      f"{step['cells']} cells ({step['class']}, {step['dimensions']} points), nx*ny*nz = {nx * ny * nz}")
            name = "temperature [degC]"
            if name not in step["ranges"]:
                tap.fail(f"{label}_{which}_temperature_range", f"no cell array {name!r}; arrays {list(step['ranges'])}")
                continue
            lo, hi = step["ranges"][name]
            err = max(abs(lo - float(snap.min())), abs(hi - float(snap.max())))
            tap.close(f"{label}_{which}_temperature_range", err, 1e-6,
                      f"t = {step['time']:g} s: ParaView [{lo:.9g}, {hi:.9g}], h5py [{float(snap.min()):.9g}, {float(snap.max()):.9g}]; max difference [K]")
            values = arrays.get(f"{which}:{name}")
            if values is not None and values.size == snap.size:
                tap.close(f"{label}_{which}_temperature_values", float(np.abs(values - snap.ravel()).max()), 1e-6,
                          "every cell (VTK order x fastest = [z][y][x] flattened); max |ParaView - h5py| [K]")
            else:
                tap.fail(f"{label}_{which}_temperature_values", f"{None if values is None else values.size} values, want {snap.size}")
        last = res["steps"][-1]["ranges"]
        m = [k for k in last if k.startswith("material")]
        p = [k for k in last if k.startswith("power_density")]
        ok = bool(m and p)
        if ok:
            ok = last[m[0]] == [float(mat.min()), float(mat.max())] and abs(last[p[0]][1] - float(pd.max())) <= 1e-9 * float(pd.max())
            vals = arrays.get(f"last:{m[0]}")
            ok = ok and vals is not None and np.array_equal(vals, mat.ravel())
        tap.check(f"{label}_material_power_density", ok, f"arrays {sorted(last)}; material range {last.get(m[0]) if m else None} vs "
                  f"[{mat.min()}, {mat.max()}], power_density max {last[p[0]][1] if p else None:.6g} vs {pd.max():.6g} W/m^3")


def main():
    tap = Tap(__file__)
    # make deps installs pvpython (Debian package python3-paraview), so a missing pvpython is a failure, not a skip
    if shutil.which("pvpython") is None:
        tap.fail("pvpython_installed", "pvpython not found on PATH: `make deps` installs it (Debian package python3-paraview, "
                 "which the paraview package only recommends); README.md's `pvpython scripts/render_slice.py` needs it")
        tap.finish()
    wd = workdir("paraview")
    write(os.path.join(wd, "case.yaml"), CASE)
    write(os.path.join(wd, "pvcheck.py"), PVSCRIPT)
    runs = [("float64", "out.h5", []), ("float32", "out32.h5", ["-P", "output.precision=float32"])]
    for label, out, extra in runs:
        if tap.guard(f"run_{label}", must_run, ["run", "case.yaml", "-o", out, "-quiet"] + extra, wd) is None:
            continue
        xmf = os.path.join(wd, out[:-3] + ".xmf")
        js, npz = os.path.join(wd, f"{label}.json"), os.path.join(wd, f"{label}.npz")
        args = ["pvcheck.py", xmf, js, npz] + (["default"] if label == "float64" else [])
        p = pvpython_run(tap, f"pvpython_{label}", args, wd)
        if p.returncode != 0 or not os.path.exists(js):
            continue
        res = json.load(open(js))
        arrays = dict(np.load(npz))
        compare(tap, label, wd, os.path.join(wd, out), res, arrays)
        if "default_reader" in res:
            good = "temperature [degC]" in res["default_arrays"]
            tap.check("opendatafile_shows_temperature", good,
                      f"OpenDataFile chose {res['default_reader']} with {res['default_times']} time steps and arrays {res['default_arrays']}"
                      + ("" if good else " (XDMFReader, the XDMF 2 reader, reads the same file correctly)"))
            if not good:  # show the tested workaround: ParaView registers .xmf2 for the XDMF 2 reader only
                shutil.copy(xmf, xmf + "2")
                js2 = os.path.join(wd, "xmf2.json")
                p = subprocess.run(["pvpython", "pvcheck.py", xmf + "2", js2, os.path.join(wd, "xmf2.npz"), "default"], cwd=wd,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
                if p.returncode == 0 and os.path.exists(js2):
                    r2 = json.load(open(js2))
                    tap.note(f"note: the same XDMF named out.xmf2: OpenDataFile chooses {r2['default_reader']} with arrays {r2['default_arrays']}")
    # a relative path from another directory: the HDF5 reference resolves against the .xmf's directory
    if os.path.exists(os.path.join(wd, "out.xmf")):
        parent, base = os.path.split(wd)
        rel = os.path.join(base, "out.xmf")
        js, npz = os.path.join(wd, "relative.json"), os.path.join(wd, "relative.npz")
        p = pvpython_run(tap, "pvpython_relative", [os.path.join(wd, "pvcheck.py"), rel, js, npz], parent)
        if p.returncode == 0 and os.path.exists(js):
            res = json.load(open(js))
            with h5py.File(os.path.join(wd, "out.h5"), "r") as f:
                snap = f["fields/temperature"][-1]
            got = res["steps"][-1]["ranges"].get("temperature [degC]")
            err = max(abs(got[0] - float(snap.min())), abs(got[1] - float(snap.max()))) if got else np.inf
            tap.close("relative_path_from_elsewhere", err, 1e-6, f"pvpython in {parent} opening {rel}: last-step range {got}; max difference [K]")

    # scripts/render_slice.py: a PNG that shows something
    png = os.path.join(wd, "slice.png")
    if os.path.exists(os.path.join(wd, "out.xmf")):
        p = subprocess.run(["pvpython", os.path.join(ROOT, "scripts", "render_slice.py"), os.path.join(wd, "out.xmf"), "--out", png],
                           cwd=wd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180)
        msg = [line for line in p.stdout.splitlines() if line.startswith("render_slice.py")]
        size = os.path.getsize(png) if os.path.exists(png) else 0
        header = open(png, "rb").read(24) if size else b""
        good = p.returncode == 0 and size > 5000 and header[:8] == b"\x89PNG\r\n\x1a\n"
        dims = struct.unpack(">II", header[16:24]) if len(header) == 24 else None
        tap.check("render_slice_png", good, f"exit {p.returncode}, {size} bytes, PNG {dims}: {msg[-1] if msg else p.stdout[-800:]}")
        if good:
            try:
                import matplotlib.image as mpimg
                img = mpimg.imread(png)[..., :3]
                colours = len(np.unique((img.reshape(-1, 3) * 255).astype(np.uint8), axis=0))
                tap.check("render_slice_content", colours > 50, f"{colours} distinct colours in the picture")
            except Exception as e:  # noqa: BLE001
                tap.fail("render_slice_content", f"{type(e).__name__}: {e}")
        p = subprocess.run(["pvpython", os.path.join(ROOT, "scripts", "render_slice.py"), os.path.join(wd, "out.xmf"), "--time", "2ms",
                            "--z", "0.6mm", "--out", os.path.join(wd, "slice2.png")], cwd=wd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=180)
        msg = [line for line in p.stdout.splitlines() if line.startswith("render_slice.py")]
        tap.check("render_slice_options", p.returncode == 0 and os.path.exists(os.path.join(wd, "slice2.png")) and msg
                  and "t = 2 ms" in msg[-1] and "z = 0.6 mm" in msg[-1], f"--time 2ms --z 0.6mm: exit {p.returncode}: {msg[-1] if msg else p.stdout[-500:]}")
        p = subprocess.run(["pvpython", os.path.join(ROOT, "scripts", "render_slice.py"), os.path.join(wd, "out.xmf"), "--layer", "dies",
                            "--array", "material", "--out", os.path.join(wd, "materials.png")], cwd=wd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=180)
        msg = [line for line in p.stdout.splitlines() if line.startswith("render_slice.py")]
        tap.check("render_slice_layer_and_material_names", p.returncode == 0 and os.path.exists(os.path.join(wd, "materials.png")) and msg
                  and "z = 0.575 mm (layer dies)" in msg[-1] and msg[-1].endswith("materials si, uf"),
                  f"--layer dies --array material: exit {p.returncode}: {msg[-1] if msg else p.stdout[-500:]}")
        p = subprocess.run(["pvpython", os.path.join(ROOT, "scripts", "render_slice.py"), os.path.join(wd, "out.xmf"), "--layer", "bumps",
                            "--out", os.path.join(wd, "none.png")], cwd=wd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180)
        tap.check("render_slice_unknown_layer", p.returncode != 0 and "no layer 'bumps'" in p.stdout and "substrate, dies, lid" in p.stdout,
                  f"exit {p.returncode}: {p.stdout.strip()[-300:]}")
    tap.finish()


if __name__ == "__main__":
    main()
