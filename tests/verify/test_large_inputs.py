#!/usr/bin/python3
"""Large inputs are loaded in linear time and refused before everything is read (cases/README.md section 18).
Each case is generated here and must be answered within the seconds stated (measured on 2 busy cores: about 1 s each,
the trace about 4 s). Before: 1e6 parameters took 45 s to be refused (a quadratic duplicate-key scan on the whole
document, then the node limit), 9e4 parameters 80 s to be accepted (a linear search per ${} lookup), 12000 sources in
the same place printed 7e7 overlap warnings (minutes). The sources and the trace sit at their count limits (10000
sources, 2e6 rows; cases/README.md section 18), the trace just under the 64 MiB size limit."""
import os
import subprocess
import time

import phverify

tap = phverify.Tap(__file__)
CASE = """version: 1
name: large
materials:
  cu: {{k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}}
footprint: {{x: [0, 4 mm], y: [0, 4 mm]}}
grid: {{max_cell_xy: 1 mm}}
stack:
  - {{name: plate, thickness: 1 mm, material: cu}}
boundaries:
  top: {{type: convection, h: 1e5 W/m^2/K, ambient: 25 C}}
sources:
{sources}time: {{end: 10 ms}}
{extra}"""
ONE_SOURCE = "  - {{name: p, layer: plate, x: [1 mm, 3 mm], y: [1 mm, 3 mm], power: {power}}}\n"


def answered(work, name, text, limit, want_exit, want):
    """Run photherm check on the text; it must exit with want_exit within limit seconds and print want."""
    case = phverify.write(os.path.join(work, name.replace(" ", "_") + ".yaml"), text)
    t0 = time.time()
    try:
        p = phverify.photherm(["check", case], work, timeout=limit)
        code, out = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        code, out = None, f"no answer within {limit} s"
    took = time.time() - t0
    tap.check(f"{name}: exit {want_exit} in {took:.1f} s (limit {limit} s)", code == want_exit and want in out,
              f"exit {code} after {took:.2f} s: {out.strip()[-300:]}")
    return out


def main():
    work = phverify.workdir("large")
    params = "parameters:\n" + "".join(f"  p{i}: 1\n" for i in range(10**6))
    answered(work, "1e6 parameters", CASE.format(sources=ONE_SOURCE.format(power="1 W"), extra=params), 10, 2,
             ": the document has more than 200000 nodes")
    params = "parameters:\n" + "".join(f"  p{i}: {i} mW\n" for i in range(90000))
    power = "\"${p89999}\""
    answered(work, "9e4 parameters", CASE.format(sources=ONE_SOURCE.format(power=power), extra=params), 10, 0, "total power at t = 0: 89.999 W")
    sources = "".join(f"  - {{name: s{i}, layer: plate, x: [1 mm, 3 mm], y: [1 mm, 3 mm], power: 1 mW}}\n" for i in range(10000))
    out = answered(work, "10000 sources in the same place", CASE.format(sources=sources, extra=""), 20, 0,
                   "49994980 more pairs of sources overlap (only the first 20 are listed)")
    tap.check("the overlap warnings are counted, not each printed", out.count("overlap (x") == 20, f"{out.count('overlap (x')} listed")
    with open(os.path.join(work, "big.csv"), "w") as f:  # at the row limit and just under the 64 MiB limit: 2e6 rows of 32 bytes
        f.write("time [us],p [W]\n")
        f.writelines(f"{i:07d},1.{i % 10}{'0' * 20}\n" for i in range(2000000))
    answered(work, "a 61 MiB trace of 2e6 rows", CASE.format(sources=ONE_SOURCE.format(power="{trace: big.csv, column: p}"), extra=""), 30, 0,
             "2000000 rows")
    with open(os.path.join(work, "huge.csv"), "w") as f:  # sparse: 830 MB took 55 s and 5.6 GB to check
        f.truncate(830 * 1024 * 1024)
    answered(work, "an 830 MiB trace", CASE.format(sources=ONE_SOURCE.format(power="{trace: huge.csv, column: p}"), extra=""), 5, 2,
             "larger than 64.0 MiB, the most such a file may hold")
    os.remove(os.path.join(work, "huge.csv"))
    os.remove(os.path.join(work, "big.csv"))
    tap.finish()


if __name__ == "__main__":
    main()
