#!/usr/bin/python3
"""photherm import 3dice: round trip of 3D-ICE 4's shipped example stacks (tests/import/3dice, from
github.com/esl-epfl/3d-ice).

Each representable stack is imported and run; the script reads the .stk and the floorplans itself (regular expressions,
3D-ICE's units um, W/(um K), J/(um^3 K)) and checks against the result file: the layers bottom to top (3D-ICE lists
them from the top) with their thicknesses and materials, every floorplan element's block (area and position) in its
die's source layer, and the total power at every slot against the sum of the elements' power values.

Micro-channel stacks (cases/README.md sections 9.6 and 19.2): 3D-ICE's transient_mc4rm example imports without
editing; the cavity's keys read back from the written case equal the .stk's (read here by regular expressions), and
its first 40 ms at 3D-ICE's fixed steps equal those of benchmarks/microchannel/transient_mc4rm.yaml (the same stack
written by hand, 0.09 K from 3D-ICE itself, benchmarks/README.md section 11) to 1e-6 K. The same stack switched to
`microchannel 2rm` imports as a porous layer (h / porosity, h_side 0) and equals transient_mc2rm.yaml (0.5 K from
3D-ICE's 2RM) to 1e-6 K; switched to `pinfin`, its h is 3D-ICE's correlation of the Darcy velocity (computed here)
over the porosity and its flow the Darcy velocity times the cavity's cross-section, and the run balances energy to
1e-6. example_steady.stk imports and runs. A cavity whose edge walls photherm cannot place, and a misspelt model, are
refused with the reason at file:line:col, exit 2, nothing written."""
import os
import re
import shutil
import sys

import h5py
import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, decode, materials_of, photherm, quantity, workdir  # noqa: E402

DATA = os.path.join(ROOT, "tests", "import", "3dice")
STACKS = ["transient_nonuniform/transient_nonuniform_vtk.stk", "transient_nonuniform/example_transient_nonuniform.stk",
          "client_server/example_transient_test_server.stk"]
BENCH = os.path.join(ROOT, "benchmarks", "microchannel")
with open(os.path.join(BENCH, "mc2rm_cavity.stk")) as _f:
    ICE_2RM = _f.read()  # the cavity section of benchmarks/microchannel/run_2rm.sh's stack
ICE_PINFIN = """pinfin :
   height 100 ;
   pin diameter 50 ;
   pin pitch 100 ;
   pin distribution inline ;
   pin material SILICON ;
   darcy velocity 1.1066e+06 ;
   coolant volumetric heat capacity 4.172e-12 ;
   coolant incoming temperature 300.0 ;

"""


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


def cavity_stack(model):
    """transient_mc4rm.stk with its cavity section replaced (model: None keeps the 4rm one), and its directory."""
    src = os.path.join(DATA, "mc4rm", "transient_mc4rm.stk")
    text = open(src).read()
    if model is not None:
        text = re.sub(r"microchannel 4rm :.*?(?=dimensions)", model, text, flags=re.S)
    return text


def layers_of(case):
    doc = yaml.safe_load(open(case).read())
    return doc, {l["name"]: l for l in doc["stack"]}


def import_edited(work, name, text):
    """Writes the stack `text` as NAME.stk in the work directory and imports it as NAME.yaml: the case's path and the
    import's process."""
    stk = os.path.join(work, name + ".stk")
    with open(stk, "w") as f:
        f.write(text)
    case = os.path.join(work, name + ".yaml")
    return case, photherm(["import", "3dice", stk, "-o", case], work)


def run_balanced(tap, work, name, case, runs, balance, detail):
    """The first 40 ms of `case` run (the check `runs`) and balance energy at every sample to 1e-6 (the check
    `balance`, its detail `detail` and the largest error)."""
    out = os.path.join(work, name + ".h5")
    p = photherm(["run", case, "-o", out, "-quiet", "-P", "time.end=40ms"], work, timeout=600)
    if tap.check(runs, p.returncode == 0, p.stderr.strip()[-600:]):
        with h5py.File(out, "r") as f:
            err = float(np.max(np.abs(f["series/energy_error"][()])))
        tap.check(balance, err < 1e-6, f"{detail}{err:.2g}")


def run_pair(tap, work, label, case, reference):
    """The first 40 ms of the imported case and of the hand-written one at 3D-ICE's fixed steps: sources and outlets."""
    fixed = ["-quiet", "-ts_adapt_type", "none", "-P", "time.end=40ms"]
    res = []
    for n, c in ((label, case), (label + "_ref", reference)):
        out = os.path.join(work, n + ".h5")
        p = photherm(["run", c, "-o", out] + fixed, work, timeout=600)
        if not tap.check(f"{n}: runs", p.returncode == 0, p.stderr.strip()[-600:]):
            return None
        with h5py.File(out, "r") as f:
            names = [decode(x) for x in f["series/sources/t_max"].attrs["names"]]
            res.append((names, f["series/sources/t_max"][()], f["series/coolant/outlet_temperature"][()], float(np.max(np.abs(f["series/energy_error"][()])))))
    (na, ta, oa, ea), (nb, tb, ob, _) = res
    idx = [nb.index(n) for n in na]
    d = max(np.max(np.abs(ta - tb[:, idx])), np.max(np.abs(oa - ob)))
    tap.check(f"{label}: equals the hand-written case at 3D-ICE's steps (every source's largest, both outlets)", d < 1e-6, f"largest difference {d:.2g} K (tolerance 1e-6 K)")
    return ea


def check_cavities(tap, work):
    stkdir = os.path.join(DATA, "mc4rm")
    for flp in ("core.flp", "mem.flp"):  # the edited stacks are written in the work directory, beside copies of the floorplans
        shutil.copy(os.path.join(stkdir, flp), work)
    h = {k: float(v) * 1e12 for k, v in re.findall(r"(side|top|bottom)\s+([\d.eE+-]+)", re.search(r"microchannel 4rm.*?coolant heat transfer coefficient(.*?);", strip(open(os.path.join(stkdir, "transient_mc4rm.stk")).read()), re.S).group(1))}
    # 4rm: the shipped example, unedited
    case = os.path.join(work, "mc4rm.yaml")
    p = photherm(["import", "3dice", os.path.join(stkdir, "transient_mc4rm.stk"), "-o", case, "-malloc_debug", "-malloc_dump"], work)
    if tap.check("transient_mc4rm.stk (4rm): imports without editing", p.returncode == 0 and os.path.exists(case), p.stderr.strip()[-600:]):
        tap.check("transient_mc4rm.stk: the import frees everything", "unfreed" not in p.stderr and "bytes" not in p.stderr, p.stderr.strip()[-300:])
        doc, L = layers_of(case)
        ok = all(L[n]["type"] == "microchannel" and abs(quantity(L[n]["channel_width"]) - 100e-6) < 1e-12 and abs(quantity(L[n]["pitch"]) - 200e-6) < 1e-12
                 and abs(quantity(L[n]["h_side"]) - h["side"]) < 1e-6 and abs(quantity(L[n]["h_top"]) - h["top"]) < 1e-6
                 and abs(quantity(L[n]["h_bottom"]) - h["bottom"]) < 1e-6 and L[n]["direction"] == "+y" and abs(quantity(L[n]["thickness"]) - 100e-6) < 1e-12
                 for n in ("TOP_CHANNEL", "BOTTOM_CHANNEL"))
        cool = doc["materials"][L["TOP_CHANNEL"]["coolant"]]
        vhc = quantity(cool["rho"]) * quantity(cool["cp"])
        tap.check("transient_mc4rm.stk: both cavities as 4rm layers with the .stk's channel, pitch, h, height, and the coolant's 4.172e-12 J/(um^3 K)",
                  ok and abs(vhc - 4.172e6) < 1e-6 * 4.172e6, f"h {h}, coolant rho cp {vhc:.6g} J/m^3/K")
        run_pair(tap, work, "mc4rm", case, os.path.join(BENCH, "transient_mc4rm.yaml"))
    # 2rm
    case, p = import_edited(work, "mc2rm", cavity_stack(ICE_2RM))
    if tap.check("2rm stack: imports", p.returncode == 0, p.stderr.strip()[-600:]):
        doc, L = layers_of(case)
        c = L["TOP_CHANNEL"]
        ok = (c["model"] == "2rm" and abs(quantity(c["h_top"]) - 5.7132e4 / 0.5) < 1e-6 and abs(quantity(c["h_bottom"]) - 4.7132e4 / 0.5) < 1e-6
              and quantity(c["h_side"]) == 0 and abs(quantity(c["cell"]) - 200e-6) < 1e-12)
        tap.check("2rm stack: porous layers, h top and bottom over the porosity 0.5, h_side 0, porous cells of two 100 um cells", ok, str(c))
        run_pair(tap, work, "mc2rm", case, os.path.join(BENCH, "transient_mc2rm.yaml"))
    # pinfin
    case, p = import_edited(work, "pf", cavity_stack(ICE_PINFIN))
    if tap.check("pinfin stack: imports", p.returncode == 0, p.stderr.strip()[-600:]):
        doc, L = layers_of(case)
        c = L["TOP_CHANNEL"]
        v = 1.1066  # m/s
        heff = 1.0 / (2.527e-5 / (v + 1.35) ** 0.64 + 1.533e-6)  # 3D-ICE's inline pin-fin correlation, W/m^2/K over the footprint
        phi = 1 - np.pi * 50.0**2 / (4 * 100.0**2)
        ok = (c["model"] == "pinfin" and abs(quantity(c["h_top"]) - heff / phi) < 1e-6 * heff and quantity(c["h_side"]) == 0
              and abs(quantity(c["flow"]) - v * 10e-3 * 100e-6) < 1e-12 * v)
        tap.check("pinfin stack: h = 3D-ICE's correlation / porosity, flow = Darcy velocity x cross-section", ok,
                  f"h_top {c['h_top']} (want {heff / phi:.6g} W/m^2/K), flow {c['flow']} (want {v * 10e-3 * 100e-6:.6g} m^3/s)")
        run_balanced(tap, work, "pf", case, "pinfin stack: runs", "pinfin stack: energy balance (the coolant's heat out included)",
                     "largest /series/energy_error ")
    # example_steady.stk
    case = os.path.join(work, "example_steady.yaml")
    p = photherm(["import", "3dice", os.path.join(stkdir, "example_steady.stk"), "-o", case], work)
    if tap.check("example_steady.stk (4rm, steady): imports", p.returncode == 0, p.stderr.strip()[-600:]):
        out = os.path.join(work, "example_steady.h5")
        p = photherm(["run", case, "-o", out, "-quiet"], work, timeout=600)
        if tap.check("example_steady.stk: runs", p.returncode == 0, p.stderr.strip()[-600:]):
            with h5py.File(out, "r") as f:
                err = abs(float(f["summary"].attrs["energy_balance_error"]))
            tap.check("example_steady.stk: energy balance", err < 1e-6, f"{err:.2g}")
    # no heat sink: the coolant alone takes the heat (the 3D-ICE regression stack of the CFD set-up has none)
    text = re.sub(r"top heat sink :.*?(?=microchannel)", "", cavity_stack(None), flags=re.S)
    case, p = import_edited(work, "nosink", text)
    if tap.check("a stack with channels and no heat sink imports", p.returncode == 0 and "heat sink" not in open(case).read().split("boundaries:")[1].split("sources:")[0].replace("#", ""),
                 p.stderr.strip()[-300:]):
        run_balanced(tap, work, "nosink", case, "the stack without a heat sink runs",
                     "the stack without a heat sink: energy balance (the coolant the only way out)", "")
    # refusals
    for what, old, new, word in (("edge walls photherm cannot place", "first wall length  50", "first wall length  150", "cannot represent"),
                                 ("a misspelt model", "microchannel 4rm", "microchannel 3rm", "expected 4rm or 2rm")):
        text = cavity_stack(None)
        assert old in text, old
        case, p = import_edited(work, "bad", text.replace(old, new))
        tap.check(f"refused: {what} (exit 2, bad.stk:LINE:COL, nothing written)", p.returncode == 2 and word in p.stderr
                  and re.search(r"bad\.stk:\d+:\d+", p.stderr) is not None and not os.path.exists(case), p.stderr.strip()[-400:])


def main():
    tap = Tap(__file__)
    work = workdir("import-3dice")
    for rel in STACKS:
        tap.guard(rel, check_stack, tap, rel, work)
    tap.guard("micro-channel stacks", check_cavities, tap, work)
    tap.finish()


if __name__ == "__main__":
    main()
