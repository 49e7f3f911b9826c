#!/usr/bin/python3
"""Cost of the optics in a run: with about 1000 rings on a case of about 10^6 cells, the optics of one
sample (device-temperature reductions, locking, heater and laser heat spread back into the mesh) must cost under 5%
of a thermal time step; and the yield Monte Carlo must take well under a second for 10^5 draws of 8-line links over a
few thousand samples.

Usage: benchmarks/optics/run.py [--quick] [--cells 1e6] [--links 64] [--steps 10] [--ranks 1]
  --quick: 10^5 cells (a check that the benchmark runs, not the measurement of benchmarks/README.md)

The case is generated here (benchmarks/results/optics/case.yaml): a 40 x 40 mm package with an ASIC and a PIC whose
device layer holds `links` links of 8 modulator and 8 drop rings each (16 * links rings, every heater fed back), an
external laser per link. It runs `steps` fixed steps with a series sample (hence an optics evaluation) at every step,
under -log_view; the PhOptics event is compared with TSStep. A second run of a small case with 4000 samples and
yield.samples = 1e5 times the PhYield event. Prints a table and writes benchmarks/results/optics/optics-np<ranks>.json (and the -log_view files log-np<ranks>.txt, yield-log-np<ranks>.txt).
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "bin", "photherm")
OUT = os.path.join(ROOT, "benchmarks", "results", "optics")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def case_text(links, cell_um, end, dt, samples, lock):
    """A package with `links` links of 16 rings in a PIC device layer: ring rows of 8 in a grid of blocks."""
    cols = int(math.ceil(math.sqrt(links)))
    rows = []
    groups, link_lines, lasers = [], [], []
    for n in range(links):
        cx, cy = 24.0 + 14.0 * (n % cols) / cols, 6.0 + 28.0 * (n // cols) / cols  # mm: spread over the PIC
        for side, dx in (("tx", 0.0), ("rx", 0.2)):
            rows.append(f"      - {{name: {side}{n}, material: silicon_device, x: [{cx + dx:.3f} mm, {cx + dx + 0.1:.3f} mm], "
                        f"y: [{cy:.3f} mm, {cy + 0.8:.3f} mm]}}")
            groups.append(f"    - {{name: {side}{n}, block: {side}{n}, count: 8, wavelength: 1307.5 nm, spacing: 1.12 nm, q: 5000, die: pic,"
                          f" heater: {{efficiency: 0.28 nm/mW, max_power: 20 mW, feedback: true}}}}")
        lasers.append(f"    - {{name: els{n}, type: external, temperature: 35 C, wavelength: 1310 nm, lines: 8, spacing: 1.12 nm}}")
        link_lines.append(f"    - {{name: link{n}, laser: els{n}, tx: tx{n}, rx: rx{n}, lock: {lock}}}")
    return f"""version: 1
name: optics-bench
include: [{ROOT}/meshes/materials.yaml]
footprint: {{x: [0, 40 mm], y: [0, 40 mm]}}
grid: {{max_cell_xy: {cell_um} um, max_ratio: 2}}
stack:
  - {{name: substrate, thickness: 1 mm, material: organic_substrate, cells: 2}}
  - {{name: interposer, thickness: 100 um, material: silicon_interposer, cells: 1}}
  - name: dies
    thickness: 500 um
    material: mold_compound
    cells: 2
    blocks:
      - {{name: asic, material: silicon, x: [2 mm, 22 mm], y: [5 mm, 35 mm]}}
      - {{name: pic, material: silicon, x: [23 mm, 39 mm], y: [5 mm, 35 mm]}}
  - name: device
    thickness: 5 um
    material: mold_compound
    cells: 1
    blocks:
      - {{name: pic_device, material: silicon_device, x: [23 mm, 39 mm], y: [5 mm, 35 mm]}}
{chr(10).join(rows)}
  - {{name: tim, thickness: 50 um, material: tim_polymer, cells: 1}}
  - {{name: lid, thickness: 1 mm, material: copper_lid, cells: 1}}
boundaries:
  top: {{type: convection, h: 2e4 W/m^2/K, ambient: 35 C}}
  bottom: {{type: convection, h: 300 W/m^2/K, ambient: 45 C}}
sources:
  - {{name: asic, block: asic, power: {{pattern: square, period: 4 ms, duty: 0.5, high: 600 W, low: 200 W}}}}
time: {{end: {end}, dt: {dt}, dt_max: {dt}, initial: 50 C}}
output: {{fields_every: {end}, series_every: {dt}}}
optics:
  lasers:
{chr(10).join(lasers)}
  rings:
{chr(10).join(groups)}
  links:
{chr(10).join(link_lines)}
yield: {{samples: {samples}, seed: 1}}
"""


def events(path):
    """{event: (count, max time s)} from an ASCII -log_view."""
    out = {}
    for line in open(path):
        m = re.match(r"^(\S+)\s+(\d+)\s+\S+\s+(\S+)\s+\S+", line)
        if m and m.group(1) in ("PhOptics", "PhYield", "TSStep", "SNESSolve", "KSPSolve", "PhOutputWrite"):
            try:
                out[m.group(1)] = (int(m.group(2)), float(m.group(3)))
            except ValueError:
                pass
    return out


def run(case, log, ranks, extra=()):
    cmd = [BIN, "run", case, "-o", os.path.join(OUT, "out.h5"), "-quiet", "-log_view", f":{log}", "-ts_adapt_type", "none"] + list(extra)
    if ranks > 1:
        cmd = ["mpirun", "-n", str(ranks)] + cmd
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"photherm failed ({p.returncode}): {p.stderr[-2000:]}")
    return p


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^5 cells")
    ap.add_argument("--cells", type=float, default=1e6)
    ap.add_argument("--links", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--ranks", type=int, default=1)
    args = ap.parse_args(argv)
    global OUT
    if args.quick:  # a check that it runs: its files go to the scratch directory, not over the recorded ones
        args.cells = 1e5
        OUT = os.path.join(ROOT, "benchmarks", "results", "tmp", "optics")
    os.makedirs(OUT, exist_ok=True)
    # lateral cell from the target count: 40 mm square, 8 cell layers
    cell_um = int(round(40e3 / math.sqrt(args.cells / 8)))
    case = os.path.join(OUT, "case.yaml")
    with open(case, "w") as f:
        f.write(case_text(args.links, cell_um, f"{args.steps} ms", "1 ms", 10, "rotate"))
    chk = subprocess.run([BIN, "check", case], env=ENV, capture_output=True, text=True)
    cells = int(re.search(r"= (\d+) cells", chk.stdout).group(1))
    log = os.path.join(OUT, f"log-np{args.ranks}.txt")
    run(case, log, args.ranks)
    ev = events(log)
    nopt, topt = ev["PhOptics"]
    nstep, tstep = ev["TSStep"]
    per_opt, per_step = topt / nopt, tstep / nstep
    # the yield: a small mesh, 4000 samples, 1e5 draws
    ycase = os.path.join(OUT, "yield.yaml")
    with open(ycase, "w") as f:
        f.write(case_text(1, 1000, "400 ms", "0.1 ms", 100000, "wrap"))
    ylog = os.path.join(OUT, f"yield-log-np{args.ranks}.txt")
    run(ycase, ylog, args.ranks)
    yev = events(ylog)
    result = {"cells": cells, "rings": 16 * args.links, "links": args.links, "ranks": args.ranks, "steps": nstep, "optics_evaluations": nopt,
              "optics_per_sample_s": per_opt, "thermal_step_s": per_step, "ratio": per_opt / per_step,
              "yield_draws": 100000, "yield_samples": 4001, "yield_s": yev["PhYield"][1]}
    if not args.quick:  # the recorded measurement
        with open(os.path.join(OUT, f"optics-np{args.ranks}.json"), "w") as f:
            json.dump(result, f, indent=1)
    print(f"cells {cells}, rings {16 * args.links} in {args.links} links (rotate locking, heater feedback), {args.ranks} rank(s)")
    print(f"  thermal step        {per_step * 1e3:9.2f} ms  ({nstep} steps)")
    print(f"  optics per sample   {per_opt * 1e3:9.3f} ms  ({nopt} samples: reductions, locking, heat spread)")
    print(f"  optics / step       {100 * per_opt / per_step:9.2f} %   (requirement: < 5 %)")
    print(f"  yield Monte Carlo   {yev['PhYield'][1]:9.3f} s   (1e5 draws, one 8-line link under wrap, 4001 samples)")
    for f in ("out.h5", "out.xmf"):
        if os.path.exists(os.path.join(OUT, f)):
            os.remove(os.path.join(OUT, f))
    return {"runs": [result]}


if __name__ == "__main__":
    main()
