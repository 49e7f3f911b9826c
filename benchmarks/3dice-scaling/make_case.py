#!/usr/bin/python3
"""Rebuild 3D-ICE's scaling stack (stack-20um.stk with core.flp and mem.flp) as a photherm case.

Usage: make_case.py DIR > case.yaml   (DIR: 3D-ICE's scaling example, holding its core.flp and mem.flp)
Only the floorplans are read; the stack itself is written out below from the .stk file.
"""
import os
import re
import sys

if len(sys.argv) != 2:
    sys.exit("usage: make_case.py DIR > case.yaml   (DIR: 3D-ICE's scaling example, holding its core.flp and mem.flp)")
anchor = sys.argv[1]


def floorplan(path):
    text = open(path).read()
    blocks = []
    for m in re.finditer(r"(\w+)\s*:\s*position\s+([\d.]+)\s*,\s*([\d.]+)\s*;\s*dimension\s+([\d.]+)\s*,\s*([\d.]+)\s*;\s*power values\s+([^;]+);", text):
        name, x, y, w, h, values = m.groups()
        blocks.append((name, float(x), float(y), float(w), float(h), [float(v) for v in values.split(",")]))
    return blocks


print("""# 3D-ICE's scaling case (esl-epfl/3d-ice, stack-20um.stk with core.flp and mem.flp), rebuilt as a photherm case by
# benchmarks/3dice-scaling/make_case.py. A 10 mm x 10 mm two-die stack, six layers of one cell each, bottom to top:
# 10 um BEOL (the connection to the PCB), the core die (50 um silicon, 2 um silicon source layer, 10 um BEOL) and the
# memory die (50 um silicon, 2 um silicon source layer); convection 1e5 W/m^2/K to 300 K on top, everything else
# adiabatic; 20 um lateral cells (500 x 500 x 6 = 1.5 million cells); the floorplan powers change every 0.2 s;
# 50 backward-Euler steps of 20 ms from 300 K. 3D-ICE units: k 1.30e-4 W/(um K) = 130 W/m/K, 1.628e-12 J/(um^3 K) =
# 1.628e6 J/m^3/K (rho * cp is given here as rho 1000 kg/m^3 times cp).
# Run: bin/photherm run benchmarks/3dice-scaling/case.yaml -ts_adapt_type none   (fixed 20 ms steps, as 3D-ICE)
version: 1
name: 3dice-scaling
description: 3D-ICE scaling stack, 500 x 500 x 6 cells, 50 backward-Euler steps of 20 ms
materials:
  silicon: {k: 130 W/m/K, rho: 1000 kg/m^3, cp: 1628 J/kg/K}
  beol: {k: 2.25 W/m/K, rho: 1000 kg/m^3, cp: 2175 J/kg/K}
footprint: {x: [0, 10 mm], y: [0, 10 mm]}
grid: {max_cell_xy: 20 um}
stack:
  - {name: pcb_beol, thickness: 10 um, material: beol, cells: 1}
  - {name: core_silicon, thickness: 50 um, material: silicon, cells: 1}
  - {name: core_source, thickness: 2 um, material: silicon, cells: 1}
  - {name: core_beol, thickness: 10 um, material: beol, cells: 1}
  - {name: mem_silicon, thickness: 50 um, material: silicon, cells: 1}
  - {name: mem_source, thickness: 2 um, material: silicon, cells: 1}
boundaries:
  top: {type: convection, h: 1e5 W/m^2/K, ambient: 300 K}
time: {end: 1 s, dt: 20 ms, dt_max: 20 ms, initial: 300 K}
output: {series_every: 20 ms, fields_every: 200 ms}
sources:""")
for layer, fname in (("core_source", "core.flp"), ("mem_source", "mem.flp")):
    for name, x, y, w, h, values in floorplan(os.path.join(anchor, fname)):
        times = ", ".join(f"{0.2 * i:g} s" for i in range(len(values)))
        vals = ", ".join(f"{v:g} W" for v in values)
        print(f"  - {{name: {layer.split('_')[0]}_{name.lower()}, layer: {layer}, x: [{x:g} um, {x + w:g} um], y: [{y:g} um, {y + h:g} um],")
        print(f"     power: {{pattern: steps, times: [{times}], values: [{vals}]}}}}")
