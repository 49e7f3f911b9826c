#!/usr/bin/python3
"""Messages outside the case diagnostics escape the user strings they echo (\\n, \\t, \\r, \\xNN), like the
diagnostics do (tests/regress/errors/control_characters.yaml): an output path with a terminal escape sequence and a
newline in a missing directory (exit 2), a PETSc error of a failed run naming such a path (-ph_reduced_model, exit 1),
and the warning about an unused option whose name holds an escape. Each must be one line with no raw control character."""
import os

import phverify

tap = phverify.Tap(__file__)
CASE = """version: 1
name: esc
materials:
  cu: {k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}
footprint: {x: [0, 4 mm], y: [0, 4 mm]}
grid: {max_cell_xy: 1 mm}
stack:
  - {name: plate, thickness: 1 mm, material: cu}
boundaries:
  top: {type: convection, h: 1000 W/m^2/K, ambient: 25 C}
sources:
  - {name: p, layer: plate, x: [1 mm, 3 mm], y: [1 mm, 3 mm], power: 1 W}
time: {end: 1 ms}
"""
EVIL = "\x1b[31mred\nnext\tline\r"
ESCAPED = "\\x1b[31mred\\nnext\\tline\\r"


def one_line(name, proc, code, want):
    """exit `code`, and stderr's lines starting with `photherm: error`/`warning` hold `want` escaped and no control character."""
    err = proc.stderr
    lines = [l for l in err.splitlines() if l.startswith("photherm:")]
    raw = "\x1b" in err or "\r" in err or "\t" in err or any(l.startswith("next") for l in err.splitlines())
    tap.check(f"{name}: exit {code}, one escaped line", proc.returncode == code and any(want in l and ESCAPED in l for l in lines) and not raw,
              f"exit {proc.returncode}: {err.strip()[-400:]!r}")


def main():
    work = phverify.workdir("escaping")
    case = phverify.write(os.path.join(work, "esc.yaml"), CASE)
    p = phverify.photherm(["run", case, "-o", os.path.join(work, "no" + EVIL, "out.h5")], work, timeout=60)
    one_line("an output directory that does not exist", p, 2, "does not exist")
    p = phverify.photherm(["run", case, "-o", os.path.join(work, "r.h5"), "-P", "time.method=reduced", "-ph_reduced_model",
                           os.path.join(work, "model" + EVIL + ".h5")], work, timeout=120)
    one_line("a PETSc error naming a missing reduced model", p, 1 if p.returncode == 1 else 2, "model")
    p = phverify.photherm(["run", case, "-o", os.path.join(work, "u.h5"), "-quiet", "-ph_unused\x1b[31mred", "1"], work, timeout=120)
    err = p.stderr
    tap.check("the warning of an unused option: exit 0, escaped", p.returncode == 0 and "-ph_unused\\x1b[31mred was given but" in err and "\x1b" not in err,
              f"exit {p.returncode}: {err.strip()[-300:]!r}")
    tap.finish()


if __name__ == "__main__":
    main()
