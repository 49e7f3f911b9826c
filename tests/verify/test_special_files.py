#!/usr/bin/python3
"""Special files as inputs are refused at once (exit 2, file:line:col, the key, "not a regular file"): a FIFO as an
include (opening it used to block until a writer came: photherm hung), a FIFO as the case itself, a directory as an
include, and /dev/urandom as a trace (it never ends). Each must answer within 5 s."""
import os
import subprocess
import time

import phverify

tap = phverify.Tap(__file__)
CASE = """version: 1
name: special
include: [{include}]
footprint: {{x: [0, 10 mm], y: [0, 10 mm]}}
materials:
  cu: {{k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}}
stack:
  - {{name: plate, thickness: 1 mm, material: cu}}
boundaries:
  top: {{type: convection, h: 1000 W/m^2/K, ambient: 25 C}}
sources:
  - {{name: p, layer: plate, x: [0, 10 mm], y: [0, 10 mm], power: {power}}}
time: {{end: 10 ms}}
"""


def refused(work, name, case, what):
    t0 = time.time()
    try:
        p = phverify.photherm(["check", case], work, timeout=5)
        code, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        code, err = None, "did not answer within 5 s"
    tap.check(f"{name} is refused at once", code == 2 and "not a regular file" in err and what in err,
              f"exit {code} after {time.time() - t0:.2f} s: {err.strip()[-300:]}")


def main():
    work = phverify.workdir("special")
    fifo = os.path.join(work, "fifo.yaml")
    os.mkfifo(fifo)
    os.mkdir(os.path.join(work, "dir.yaml"))
    base = phverify.write(os.path.join(work, "base.yaml"), "{}\n")
    refused(work, "a FIFO as an include", phverify.write(os.path.join(work, "a.yaml"), CASE.format(include=fifo, power="1 W")), "include[0]")
    refused(work, "a directory as an include", phverify.write(os.path.join(work, "b.yaml"), CASE.format(include=os.path.join(work, "dir.yaml"), power="1 W")),
            "include[0]")
    refused(work, "/dev/urandom as a trace", phverify.write(os.path.join(work, "c.yaml"), CASE.format(include=base, power="{trace: /dev/urandom, column: p}")),
            "sources[0]")
    refused(work, "a FIFO as the case", fifo, "fifo.yaml")
    tap.finish()


if __name__ == "__main__":
    main()
