#!/usr/bin/python3
"""Mesh files (mesh: {file}) and earlier results (time.initial: {file}) are validated by `photherm check`, and `run`
refuses them the same way before computing anything (exit 2, the case file's position of the key, the reason): they
used to pass check and fail in run (exit 1, sometimes an MPI_Abort banner) or pass both. Each bad file is made here
with h5py from a good one written by `photherm mesh`: a material id out of range, block names with '/', empty and
duplicate, /mesh/layers not a table, with a gap, with an overlap and with a duplicate name; an initial field of another
mesh (other cell counts, other grid lines with the same counts), without the snapshot asked for, and a file without a
mesh. A steady case whose only sink is a 1 nm square (it failed in the linear solver) is refused at its boundaries."""
import os
import shutil

import h5py
import numpy as np

import phverify

tap = phverify.Tap(__file__)
MATERIALS = """materials:
  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}
  cu: {k: 390 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}
"""
STACK = """version: 1
name: pkg
""" + MATERIALS + """footprint: {x: [0, 4 mm], y: [0, 4 mm]}
grid: {max_cell_xy: 1 mm}
stack:
  - name: die
    thickness: 100 um
    material: si
    blocks:
      - {name: hot, material: cu, x: [1 mm, 2 mm], y: [1 mm, 2 mm]}
      - {name: hot2, material: cu, x: [2 mm, 3 mm], y: [1 mm, 2 mm]}
  - {name: lid, thickness: 1 mm, material: cu}
boundaries:
  top: {type: convection, h: 2e4 W/m^2/K, ambient: 35 C}
sources:
  - {name: s, block: hot2, power: 1 W}
time: {end: 2 ms}
"""
USE_MESH = """version: 1
name: use
""" + MATERIALS + """mesh: {file: MESH}
boundaries:
  top: {type: convection, h: 2e4 W/m^2/K, ambient: 35 C}
sources:
  - {name: s, block: hot2, power: 1 W}
time: {mode: steady}
"""


def refused(work, name, text, want):
    """check and run both exit 2 with `want` in their one error line; run writes nothing."""
    case = phverify.write(os.path.join(work, name + ".yaml"), text)
    out = os.path.join(work, name + ".out.h5")
    c = phverify.photherm(["check", case], work, timeout=60)
    r = phverify.photherm(["run", case, "-o", out], work, timeout=60)
    written = [f for f in os.listdir(work) if f.startswith(name + ".out")]
    tap.check(f"{name}: check and run refuse it (exit 2, at the key, {want!r})",
              c.returncode == 2 and r.returncode == 2 and want in c.stderr and c.stderr == r.stderr and not written
              and ".yaml:" in c.stderr and c.stderr.count("error:") == 1,
              f"check exit {c.returncode}, run exit {r.returncode}, written {written}: {c.stderr.strip()[-400:]} | {r.stderr.strip()[-200:]}")


def table(f, path, rows):
    """Replace a table of name and int fields by `rows` (a structured array)."""
    attrs = dict(f[path].attrs)
    del f[path]
    d = f.create_dataset(path, data=rows)
    for k, v in attrs.items():
        d.attrs[k] = v


def renamed(names):
    def edit(f):
        b = f["mesh/blocks"][...]
        rows = np.zeros(len(b), dtype=[("name", "S8")] + [(k, "<i4") for k in ("i0", "i1", "j0", "j1", "k0", "k1")])
        for k in ("i0", "i1", "j0", "j1", "k0", "k1"):
            rows[k] = b[k]
        rows["name"] = names
        table(f, "mesh/blocks", rows)
    return edit


def layers(edit_rows):
    def edit(f):
        rows = f["mesh/layers"][...]
        edit_rows(rows)
        f["mesh/layers"][...] = rows
    return edit


def bad_id(f):
    m = f["mesh/material"][...]
    m[1, 2, 3] = 7
    f["mesh/material"][...] = m


def not_a_table(f):
    del f["mesh/layers"]
    f.create_dataset("mesh/layers", data=np.zeros((2, 3)))


def gap(rows):
    rows["k0"][1] = rows["k1"][0] + 1


def overlap(rows):
    rows["k0"][1] = 0


def same_name(rows):
    rows["name"][1] = rows["name"][0]


def main():
    work = phverify.workdir("inputfiles")
    stack = phverify.write(os.path.join(work, "pkg.yaml"), STACK)
    good = os.path.join(work, "pkg.h5")
    phverify.must_run(["mesh", stack, "-o", good], work)
    c = phverify.photherm(["check", phverify.write(os.path.join(work, "use.yaml"), USE_MESH.replace("MESH", good))], work)
    tap.check("the mesh file written by photherm mesh is accepted", c.returncode == 0 and "error" not in c.stderr, c.stderr.strip()[-300:])
    cases = [
        ("mesh_material_id", bad_id, "cell (3, 2, 1) of /mesh/material has the material id 7, not an index of its 2 names"),
        ("mesh_block_slash", renamed([b"a/b", b"hot2"]), "block 0 has the name \"a/b\", not a valid name"),
        ("mesh_block_empty", renamed([b"", b"hot2"]), "block 0 has the name \"\", not a valid name"),
        ("mesh_block_twice", renamed([b"hot2", b"hot2"]), "block \"hot2\" is defined more than once"),
        ("mesh_layers_not_a_table", not_a_table, "/mesh/layers must be a table of name and k0, k1"),
        ("mesh_layers_gap", layers(gap), "layer \"lid\" starts at cell 2, not at 1 where the layer below it ends"),
        ("mesh_layers_overlap", layers(overlap), "layer \"lid\" starts at cell 0, not at 1 where the layer below it ends"),
        ("mesh_layer_twice", layers(same_name), "layer \"die\" is defined more than once"),
    ]
    for name, edit, want in cases:
        bad = os.path.join(work, name + ".h5")
        shutil.copy(good, bad)
        with h5py.File(bad, "r+") as f:
            edit(f)
        refused(work, name, USE_MESH.replace("MESH", bad), want)
    # an earlier result as the initial field
    result = os.path.join(work, "warm.h5")
    phverify.must_run(["run", stack, "-o", result, "-quiet"], work)
    cont = STACK.replace("time: {end: 2 ms}", "time: {end: 2 ms, initial: {file: " + result + "}}")
    c = phverify.photherm(["check", phverify.write(os.path.join(work, "cont.yaml"), cont)], work)
    tap.check("a result of the same mesh is accepted as the initial field", c.returncode == 0, c.stderr.strip()[-300:])
    refused(work, "initial_other_counts", cont.replace("max_cell_xy: 1 mm", "max_cell_xy: 0.5 mm"),
            "has a mesh of 4 x 4 x 4 cells, this case 8 x 8 x 4: continue only on the same mesh")
    refused(work, "initial_other_lines", cont.replace("thickness: 1 mm", "thickness: 1.2 mm"),
            "has other grid lines than this case (z line 4 at 1.1 mm, here 1.3 mm): continue only on the same mesh")
    refused(work, "initial_no_snapshot", cont.replace("{file: " + result + "}", "{file: " + result + ", time: 0.37 ms}"),
            "has no snapshot at t = 0.00037 s (snapshots from 0 s to 0.002 s)")
    refused(work, "initial_without_mesh", cont.replace(result, good), "has no temperature snapshots")
    # a 1 nm square as the only sink of a steady case
    sink = STACK.replace("ambient: 35 C}", "ambient: 35 C, region: {x: [1 mm, 1.000001 mm], y: [1 mm, 1.000001 mm]}}").replace(
        "time: {end: 2 ms}", "time: {mode: steady}")
    refused(work, "sink_one_nanometre", sink, "boundaries: the convection sinks conduct 2e-14 W/K in all (h times area), so the 1 W of heat at t = 0 "
            "would raise them by at least 5e+13 K, above the 1000 K of a thermal runaway")
    tap.finish()


if __name__ == "__main__":
    main()
