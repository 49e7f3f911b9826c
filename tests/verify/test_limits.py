#!/usr/bin/python3
"""The count limits of cases/README.md section 18: a case one beyond a limit is refused by `photherm check` with exit 2,
one line at the list that passes it with the number and the limit, within 10 s and nothing written; a case at the
limit is not refused for it (checked for the cheap ones: sources and trace rows), and its 5e7 pairs of overlapping
sources are 20 warnings and a count, not 5e7 lines.

Limits: layers, blocks (in layers and at the top level together), sources, optics lasers, ring groups and links
(10000 each), data rows of one CSV trace (2000000). The cases are written here (aliases keep them small)."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import TIMEOUT_SCALE, Tap, photherm, workdir, write  # noqa: E402

HEAD = """version: 1
name: limits
materials: {si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
footprint: {x: [0, 1 mm], y: [0, 1 mm]}
boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 25 C}}
time: {end: 1 ms}
"""
LAYER = "stack: [{name: die, thickness: 100 um, material: si}]\n"


def check(tap, work, name, text, want, at_limit=False, files=None, also=None):
    for fname, data in (files or {}).items():
        with open(os.path.join(work, fname), "w") as f:
            f.write(data)
    case = write(os.path.join(work, name + ".yaml"), text)
    before = set(os.listdir(work))
    t0 = time.time()
    try:
        p = photherm(["check", case], work, timeout=60 * TIMEOUT_SCALE)
    except subprocess.TimeoutExpired:
        tap.fail(name, "did not end within 60 s")
        return
    took = time.time() - t0
    errors = [line for line in p.stderr.splitlines() if line.startswith("photherm: error:")]
    if at_limit:
        tap.check(f"{name}: at the limit, not refused for it", not any(want in line for line in errors) and took < 30 * TIMEOUT_SCALE
                  and (also is None or also in p.stderr), f"exit {p.returncode} in {took:.1f} s, errors {errors[:3]}"
                  + (f", {also!r} in stderr: {also in p.stderr}" if also else ""))
        return
    tap.check(f"{name}: refused at once", p.returncode == 2 and len(errors) == 1 and want in errors[0] and took < 10 * TIMEOUT_SCALE
              and set(os.listdir(work)) == before, f"exit {p.returncode} in {took:.1f} s, errors {errors[:3]}")


def main():
    tap = Tap(__file__)
    work = workdir("limits")
    n = 10001
    layers = "stack:\n" + "".join(f"  - {{name: l{i}, thickness: 1 um, material: si}}\n" for i in range(n))
    check(tap, work, "layers", HEAD + layers, "layers.yaml:8:3: stack: 10001 layers, more than the 10000 a case may have")
    blocks = LAYER + "blocks:\n" + "".join(f"  - {{name: b{i}, material: si, x: [0, 1 mm], y: [0, 1 mm], layers: [die]}}\n" for i in range(n))
    check(tap, work, "blocks", HEAD + blocks, "blocks: 10001 blocks (in layers and at the top level), more than the 10000 a case may have")
    src = "sources:\n" + "".join(f"  - {{name: s{i}, layer: die, x: [0, 1 mm], y: [0, 1 mm], power: 1 mW}}\n" for i in range(n))
    check(tap, work, "sources", HEAD + LAYER + src, "sources: 10001 sources, more than the 10000 a case may have")
    # 0.1 mW each: 1 W in all, which the case's convection sink can carry (the loader refuses a steady state above 1000 K)
    src = "sources:\n" + "".join(f"  - {{name: s{i}, layer: die, x: [0, 1 mm], y: [0, 1 mm], power: 0.1 mW}}\n" for i in range(n - 1))
    # the 49995000 pairs of these sources overlap: 20 warnings, then one line counting the rest
    check(tap, work, "sources_at_limit", HEAD + LAYER + src, "more than the 10000", at_limit=True,
          also="photherm: warning: 49994980 more pairs of sources overlap (only the first 20 are listed)\n")
    for key, noun in (("lasers", "lasers"), ("rings", "ring groups"), ("links", "links")):
        optics = "optics:\n  " + key + ":\n" + "".join(f"    - {{name: d{i}}}\n" for i in range(n))
        check(tap, work, f"optics_{key}", HEAD + LAYER + optics, f"optics.{key}: 10001 {noun}, more than the 10000 a case may have")
    trace = "time [s],p [W]\n" + "".join(f"{i},1\n" for i in range(2000001))
    power = "sources: [{name: s, layer: die, x: [0, 1 mm], y: [0, 1 mm], power: {trace: rows.csv, column: p}}]\n"
    check(tap, work, "trace_rows", HEAD.replace("1 ms", "1 s") + LAYER + power,
          "rows.csv:2000002:1: sources[0].power.trace: more than the 2000000 rows a trace may have", files={"rows.csv": trace})
    trace = "time [s],p [W]\n" + "".join(f"{i},1\n" for i in range(2000000))
    check(tap, work, "trace_rows_at_limit", HEAD.replace("1 ms", "1 s") + LAYER + power.replace("rows.csv", "rows2.csv"),
          "more than the 2000000 rows", at_limit=True, files={"rows2.csv": trace})
    tap.finish()


if __name__ == "__main__":
    main()
