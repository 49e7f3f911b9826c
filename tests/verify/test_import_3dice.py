#!/usr/bin/python3
"""photherm import 3dice: round trip of 3D-ICE 4's shipped example stacks (tests/import/3dice, from
github.com/esl-epfl/3d-ice).

Each representable stack is imported and run; the script reads the .stk and the floorplans itself (regular expressions,
3D-ICE's units um, W/(um K), J/(um^3 K)) and checks against the result file: the layers bottom to top (3D-ICE lists
them from the top) with their thicknesses and materials, every floorplan element's block (area and position) in its
die's source layer, and the total power at every slot against the sum of the elements' power values. The
micro-channel stacks must be refused with the reason and nothing written."""
import os
import re
import sys

import h5py
import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, decode, materials_of, photherm, quantity, workdir  # noqa: E402

DATA = os.path.join(ROOT, "tests", "import", "3dice")
STACKS = ["transient_nonuniform/transient_nonuniform_vtk.stk", "transient_nonuniform/example_transient_nonuniform.stk",
          "client_server/example_transient_test_server.stk"]
REFUSED = ["mc4rm/example_steady.stk", "mc4rm/transient_mc4rm.stk"]


def strip(text):
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))


def parse_stack(path):
    text = strip(open(path).read())
    mats = {m[0]: (float(m[1]) * 1e6, float(m[2]) * 1e18) for m in
            re.findall(r"material\s+(\w+)\s*:\s*thermal conductivity\s+([\d.eE+-]+)\s*;\s*volumetric heat capacity\s+([\d.eE+-]+)", text)}
    layers = {m[0]: (float(m[1]) * 1e-6, m[2]) for m in re.findall(r"layer\s+(\w+)\s*:\s*height\s+([\d.eE+-]+)\s*;\s*material\s+(\w+)", text)}
    dies = {}
    for name, body in re.findall(r"die\s+(\w+)\s*:(.*?)(?=\bdie\s+\w+\s*:|\bstack\s*:)", text, flags=re.S):
        dies[name] = [(kind, float(h) * 1e-6, m) for kind, h, m in re.findall(r"(layer|source)\s+([\d.eE+-]+)\s+(\w+)\s*;", body)]
    stack_text = text[text.index("stack:") if "stack:" in text else text.index("stack :"):text.index("solver")]
    stack = re.findall(r"(layer|die)\s+(\w+)\s+(\w+)(?:\s+floorplan\s+\"([^\"]+)\")?", stack_text)
    slot = re.search(r"slot\s+([\d.eE+-]+)", text)
    return mats, layers, dies, stack, float(slot.group(1)) if slot else None


def parse_floorplan(path):
    text = strip(open(path).read())
    out = []
    for name, x, y, w, h, rest in re.findall(r"(\w+)\s*:\s*position\s+([\d.]+)\s*,\s*([\d.]+)\s*;\s*dimension\s+([\d.]+)\s*,\s*([\d.]+)\s*;([^:]*?)(?=\w+\s*:|$)",
                                             text, flags=re.S):
        p = re.search(r"power values\s+([^;]+);", rest)
        out.append((name, float(x) * 1e-6, float(y) * 1e-6, float(w) * 1e-6, float(h) * 1e-6, [float(v) for v in p.group(1).split(",")] if p else []))
    return out


def check_stack(tap, rel, work):
    stk = os.path.join(DATA, rel)
    name = os.path.splitext(os.path.basename(rel))[0]
    case = os.path.join(work, name + ".yaml")
    p = photherm(["import", "3dice", stk, "-o", case, "-malloc_debug", "-malloc_dump"], work)
    if not tap.check(f"{name}: imports", p.returncode == 0 and os.path.exists(case), p.stderr.strip()[-800:]):
        return
    tap.check(f"{name}: the import frees everything (-malloc_dump)", "bytes" not in p.stderr and "unfreed" not in p.stderr, p.stderr.strip()[-400:])
    out = os.path.join(work, name + ".h5")
    p = photherm(["run", case, "-o", out, "-quiet"], work, timeout=600)
    if not tap.check(f"{name}: runs", p.returncode == 0, p.stderr.strip()[-800:]):
        return
    mats, layers, dies, stack, slot = parse_stack(stk)
    want = []  # (thickness, material) bottom to top
    elements = []  # (die element, floorplan, source layer index bottom-up)
    for kind, elem, typ, flp in reversed(stack):
        if kind == "layer":
            want.append(layers[typ])
        else:
            for lk, h, m in reversed(dies[typ]):
                if lk == "source":
                    elements.append((elem, os.path.join(os.path.dirname(stk), flp), len(want)))
                want.append((h, m))
    with h5py.File(out, "r") as f:
        z = f["mesh/z"][()]
        x, y = f["mesh/x"][()], f["mesh/y"][()]
        table = f["mesh/layers"][()]
        blocks = {decode(b["name"]): b for b in f["mesh/blocks"][()]}
        props = materials_of(f)
        doc = yaml.safe_load(decode(f["case/yaml"][()]))
        t = f["series/time"][()]
        power = f["series/sources/power"][()]
    got = [(z[L["k1"]] - z[L["k0"]], l["material"]) for L, l in zip(table, doc["stack"])]
    bad = [i for i, ((tw, mw), (tg, mg)) in enumerate(zip(want, got))
           if abs(tw - tg) > 1e-12 * max(tw, 1e-6) or abs(props[mg][0][2] - mats[mw][0]) > 1e-9 * mats[mw][0]
           or abs(props[mg][1] * props[mg][2] - mats[mw][1]) > 1e-9 * mats[mw][1]]
    tap.check(f"{name}: {len(want)} layers bottom to top with the .stk's heights, conductivities and heat capacities", len(want) == len(got) and not bad,
              f"layers {len(got)} (want {len(want)}), wrong: {bad}")
    worst, count, totals = 0.0, 0, None
    for elem, flp, li in elements:
        for ename, ex, ey, ew, eh, values in parse_floorplan(flp):
            b = blocks.get(f"{elem}.{ename}")
            if b is None:
                tap.fail(f"{name}: block {elem}.{ename}", "missing")
                return
            count += 1
            worst = max(worst, abs(x[b["i0"]] - ex), abs(y[b["j0"]] - ey), abs(x[b["i1"]] - ex - ew), abs(y[b["j1"]] - ey - eh))
            if b["k0"] != table[li]["k0"]:
                worst = 1.0
            v = np.array(values)
            totals = v if totals is None else totals + v
    tap.check(f"{name}: {count} floorplan elements at their position and size in their die's source layer", worst < 1e-12, f"largest edge difference {worst:.2g} m")
    # total power at each slot: the samples at k x slot hold slot k
    err = 0.0
    for k, total in enumerate(totals):
        i = int(np.argmin(np.abs(t - k * slot)))
        err = max(err, abs(power[i].sum() - total) / total)
    tap.check(f"{name}: total power at each of the {len(totals)} slots equals the sum of the floorplans' power values", err < 1e-12,
              f"relative difference {err:.2g}")


def main():
    tap = Tap(__file__)
    work = workdir("import-3dice")
    for rel in STACKS:
        tap.guard(rel, check_stack, tap, rel, work)
    for rel in REFUSED:
        case = os.path.join(work, "refused.yaml")
        p = photherm(["import", "3dice", os.path.join(DATA, rel), "-o", case], work)
        tap.check(f"{rel} (micro-channels): refused, exit 2, with the reason, nothing written",
                  p.returncode == 2 and "not representable yet" in p.stderr and not os.path.exists(case), p.stderr.strip()[-600:])
    tap.finish()


if __name__ == "__main__":
    main()
