#!/usr/bin/python3
"""photherm import hotspot: round trip of HotSpot 7's shipped examples (tests/import/hotspot, from
github.com/uvahotspot/HotSpot tag v7.0).

Each example is imported with the options of its run.sh (its transient run: HotSpot's -o before the case's), then run
for three sampling intervals on a coarser grid (the block edges stay grid lines, so the geometry is exact). The script
reads HotSpot's files itself (floorplans, layer configuration, configuration, materials, power trace) and checks
against the result file: every power unit's block (its area and position on the die, the thickness of its layer and
its conductivity and heat capacity), the spreader and sink, the convection coefficient, and the total power at every
sample against the sum of the trace's row. Example 5 (micro-channel cooling) must be refused with the reason."""
import os
import re
import sys

import h5py
import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, decode, materials_of, photherm, workdir  # noqa: E402

DATA = os.path.join(ROOT, "tests", "import", "hotspot")
EXAMPLES = {
    "example1": "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type block -o out.ttrace",
    "example2": "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type grid -o out.ttrace",
    "example3": "-c example.config -p example.ptrace -grid_layer_file example.lcf -materials_file example.materials -model_type grid -detailed_3D on -o out.ttrace",
    "example4": "-c example.config -p ev6_3D.ptrace -grid_layer_file ev6_3D.lcf -model_type grid -detailed_3D on -o out.ttrace",
}
DEFAULTS = {"t_chip": 1.5e-4, "k_chip": 100, "p_chip": 1.75e6, "c_convec": 140.4, "r_convec": 0.1, "s_sink": 0.06, "t_sink": 6.9e-3, "k_sink": 400,
            "p_sink": 3.55e6, "s_spreader": 0.03, "t_spreader": 1e-3, "k_spreader": 400, "p_spreader": 3.55e6, "t_interface": 2e-5, "k_interface": 4,
            "p_interface": 4e6, "sampling_intvl": 3.333e-6}


def words(path):
    """Non-comment lines of a HotSpot file as lists of words."""
    out = []
    for line in open(path):
        w = line.split()
        if w and not w[0].startswith("#"):
            out.append(w)
    return out


def options(d, argv):
    opts = {}
    pairs = list(zip(argv[::2], argv[1::2]))
    for k, v in pairs:
        if k == "-c":
            for w in words(os.path.join(d, v)):
                opts[w[0][1:]] = w[1]
    for k, v in pairs:
        if k != "-c":
            opts[k[1:]] = v
    return opts


def materials(d, opts):
    if "materials_file" not in opts:
        return {}
    toks = [t for w in words(os.path.join(d, opts["materials_file"])) for t in w]
    out, i = {}, 0
    while i < len(toks):
        n = 5 if toks[i + 1] == "fluid" else 4
        out[toks[i]] = (float(toks[i + 2]), float(toks[i + 3]))
        i += n
    return out


def floorplan(path):
    units = [(w[0], *map(float, w[1:])) for w in words(path) if len(w) in (5, 7)]
    x0 = min(u[3] for u in units)
    y0 = min(u[4] for u in units)
    return [(u[0], u[1], u[2], u[3] - x0, u[4] - y0) + tuple(u[5:]) for u in units]


def snapped(chip):
    """The unit edges as the import places them (cases/README.md section 19.1): along x and along y, edges of all the
    floorplans within 1e-3 of the die (and a quarter of the narrowest unit) of the previous one form a cluster, placed on
    a floorplan's outer edge when one is in it, else at its middle. {(layer, unit): (x0, x1, y0, y1)}."""
    out = {}
    for d in (0, 1):
        units = [(li, u) for li, c in enumerate(chip) for u in c[4]]
        edges = sorted({e for _, u in units for e in (u[3 + d], u[3 + d] + u[1 + d])})
        bounds = {0.0} | {max(u[1 + d] + u[3 + d] for u in c[4]) for c in chip if c[4]}
        die = max(max(u[1] + u[3] for u in c[4]) for c in chip if c[4]), max(max(u[2] + u[4] for u in c[4]) for c in chip if c[4])
        tol = min(1e-3 * max(die), min(u[1 + d] for _, u in units) / 4)
        rep, a = {}, 0
        while a < len(edges):
            b = a + 1
            while b < len(edges) and edges[b] - edges[b - 1] < tol:
                b += 1
            on = [e for e in edges[a:b] if e in bounds]
            for e in edges[a:b]:
                rep[e] = min(on) if on else (edges[a] + edges[b - 1]) / 2
            a = b
        for li, u in units:
            out.setdefault((li, u[0]), [0.0] * 4)[2 * d:2 * d + 2] = rep[u[3 + d]], rep[u[3 + d] + u[1 + d]]
    return out


def layers(d, opts, mats):
    """[(thickness, k, cap, power, units)] of the chip layers, bottom to top, as HotSpot builds them."""
    def val(k):
        return float(opts.get(k, DEFAULTS[k]))
    if opts.get("grid_layer_file", "(null)") == "(null)":
        k, cap = val("k_chip"), val("p_chip")
        if opts.get("material_chip") in mats:
            k, cap = mats[opts["material_chip"]]
        units = floorplan(os.path.join(d, opts["f"]))
        return [(val("t_chip"), k, cap, True, units), (val("t_interface"), val("k_interface"), val("p_interface"), False, units)]
    lines = [w[0] for w in words(os.path.join(d, opts["grid_layer_file"]))]
    out, i = [], 0
    while i < len(lines):
        power = lines[i + 2] == "Y"
        if lines[i + 3] in mats:
            k, cap = mats[lines[i + 3]]
            t, f = float(lines[i + 4]), lines[i + 5]
            i += 6
        else:
            cap, k, t, f = float(lines[i + 3]), 1 / float(lines[i + 4]), float(lines[i + 5]), lines[i + 6]
            i += 7
        out.append((t, k, cap, power, floorplan(os.path.join(d, f))))
    return out


def ptrace(path):
    w = words(path)
    return w[0], np.array([[float(v) for v in r] for r in w[1:]])


def check_example(tap, name, work):
    d = os.path.join(DATA, name)
    argv = EXAMPLES[name].split()
    opts, case = options(d, argv), os.path.join(work, name + ".yaml")
    p = photherm(["import", "hotspot"] + argv + ["-o", case, "-malloc_debug", "-malloc_dump"], d)
    if not tap.check(f"{name}: imports", p.returncode == 0 and os.path.exists(case), p.stderr.strip()[-800:]):
        return
    tap.check(f"{name}: the import frees everything (-malloc_dump)", "bytes" not in p.stderr and "unfreed" not in p.stderr, p.stderr.strip()[-400:])
    mats = materials(d, opts)
    chip = layers(d, opts, mats)
    names, rows = ptrace(os.path.join(d, opts["p"]))
    intvl = float(opts.get("sampling_intvl", DEFAULTS["sampling_intvl"]))
    detailed = opts.get("detailed_3D") == "on"
    # HotSpot's own network (node at each layer's face) is the import's default without -detailed_3D and the secondary
    # path: each layer's conductivity along z then places the node (check_lumping_column holds that network to its
    # analytic answer), so the blocks keep HotSpot's conductivity along x and y
    lumped = not detailed and opts.get("model_secondary", "0") in ("0", "off") and opts.get("ph_lumping", "hotspot") == "hotspot"
    out = os.path.join(work, name + ".h5")
    p = photherm(["run", case, "-o", out, "-quiet", "-P", "grid.max_cell_xy=1mm", "-P", f"time.end={3 * intvl!r}"], work, timeout=600)
    if not tap.check(f"{name}: runs", p.returncode == 0, p.stderr.strip()[-800:]):
        return
    with h5py.File(out, "r") as f:
        x, y, z = (f[f"mesh/{a}"][()] for a in "xyz")
        blocks = {decode(b["name"]): b for b in f["mesh/blocks"][()]}
        props = materials_of(f)
        doc = yaml.safe_load(decode(f["case/yaml"][()]))
        mat_of = {b["name"]: b["material"] for l in doc["stack"] for b in (l.get("blocks") or [])}
        t = f["series/time"][()]
        power = f["series/sources/power"][()]
    side = x[-1] - x[0]
    W = max(u[1] + u[3] for u in chip[0][4])
    H = max(u[2] + u[4] for u in chip[0][4])
    ox, oy = (side - W) / 2, (side - H) / 2
    if detailed:  # the case states HotSpot's -detailed_3D difference: half its sink cells' share of r_convec under the die
        r = float(opts.get("r_convec", DEFAULTS["r_convec"])) * float(opts.get("s_sink", DEFAULTS["s_sink"])) ** 2 / (W * H) / 2
        m = re.search(r"/ 2 = ([0-9.e+-]+) K/W over the die", open(case).read())
        tap.check(f"{name}: the case states HotSpot's -detailed_3D difference, r_convec s_sink^2 / die area / 2 = {r:.3g} K/W under the die",
                  m is not None and abs(float(m.group(1)) - r) <= 1e-3 * r, m.group(0) if m else "no such comment in the case")
    worst = {"area": 0.0, "position": 0.0, "snapped": 0.0, "thickness": 0.0, "k": 0.0, "cap": 0.0}
    snap = snapped(chip)
    count = 0
    for li, (thick, k, cap, is_power, units) in enumerate(chip):
        for u in units:
            has_props = len(u) == 7 and detailed
            if not (is_power or has_props):
                continue
            bname = u[0] if u[0] in blocks else f"L{li}_{u[0]}"
            b = blocks.get(bname)
            if b is None:
                tap.fail(f"{name}: block of {u[0]} (layer {li})", "missing from /mesh/blocks")
                return
            count += 1
            bx0, bx1, by0, by1 = x[b["i0"]], x[b["i1"]], y[b["j0"]], y[b["j1"]]
            sx0, sx1, sy0, sy1 = snap[(li, u[0])]
            worst["area"] = max(worst["area"], abs((bx1 - bx0) * (by1 - by0) - u[1] * u[2]) / (u[1] * u[2]))
            worst["position"] = max(worst["position"], abs(bx0 - ox - u[3]), abs(by0 - oy - u[4]))
            worst["snapped"] = max(worst["snapped"], abs(bx0 - ox - sx0), abs(bx1 - ox - sx1), abs(by0 - oy - sy0), abs(by1 - oy - sy1))
            worst["thickness"] = max(worst["thickness"], abs(z[b["k1"]] - z[b["k0"]] - thick) / thick)
            kk, ccap = (1 / u[6], u[5]) if has_props else (k, cap)
            m = props[mat_of[bname]]
            worst["k"] = max(worst["k"], abs(m[0][0 if lumped else 2] - kk) / kk)
            worst["cap"] = max(worst["cap"], abs(m[1] * m[2] - ccap) / ccap)
    # the edges are the floorplan's merged within 1e-3 of the die: HotSpot's micron rounding gaps closed (0.5 um on ev6)
    tap.check(f"{name}: {count} unit blocks: edges as in the source files with gaps under 1e-3 of the die closed, layer thickness, k and rho cp as in them",
              worst["snapped"] < 1e-12 and worst["position"] <= 0.5e-3 * max(W, H) and worst["area"] < 2e-3 and worst["thickness"] < 1e-9 and worst["k"] < 1e-9
              and worst["cap"] < 1e-9,
              ", ".join(f"{k} {v:.2g}" for k, v in worst.items()))
    # total power at every sample: the sample at k x intvl holds row k
    want = rows.sum(axis=1)
    got = power.sum(axis=1)
    n = min(len(got), len(want), 3)
    err = max(abs(got[i] - want[i]) / want[i] for i in range(n))
    tap.check(f"{name}: total power at the {n} samples equals the sum of the trace's rows", err < 1e-9,
              f"relative difference {err:.2g}; got {got[:n]}, trace {want[:n]}; times {t[:n]}")
    # export: HotSpot's .ttrace layout (the trace's unit names in its order, K, the samples after t = 0) and the block CSV
    if name in ("example1", "example4"):
        tt, bc = os.path.join(work, name + ".ttrace"), os.path.join(work, name + ".blocks.csv")
        p = photherm(["summary", out, "--ttrace", tt, "--blocks-csv", bc], work)
        if tap.check(f"{name}: summary --ttrace and --blocks-csv write", p.returncode == 0, p.stderr.strip()[-400:]):
            with h5py.File(out, "r") as f:
                src = f["series/sources/t_mean"][()]
                blk = f["series/blocks/t_mean"][()]
                bnames = [decode(n) for n in f["series/blocks/t_mean"].attrs["names"]]
            lines = open(tt).read().splitlines()
            head = lines[0].split("\t")
            vals = np.array([[float(v) for v in r.split("\t")] for r in lines[1:]])
            later = t > 0
            err = np.abs(vals - (src[later] + 273.15)).max() if vals.shape == src[later].shape else np.inf
            tap.check(f"{name}: .ttrace has the trace's units in its order and the sources' mean temperatures in K after t = 0",
                      head == names and err <= 0.005 + 1e-9, f"{len(head)} columns (trace {len(names)}), {vals.shape[0]} rows, largest difference {err:.3g} K (printed to 0.01 K)")
            rows = [r for r in open(bc).read().splitlines() if not r.startswith("#")]
            cols = [c.rsplit(" [", 1)[0] for c in rows[0].split(",")[1:]]
            data = np.array([[float(v) for v in r.split(",")] for r in rows[1:]])
            err = np.abs(data[:, 1:] - blk).max() if data[:, 1:].shape == blk.shape else np.inf
            tap.check(f"{name}: blocks CSV has every block's mean temperature at every sample", cols == bnames and err < 1e-8 and np.allclose(data[:, 0], t),
                      f"{len(cols)} blocks, largest difference {err:.3g} K")
    # the convection coefficient 1 / (r_convec s_sink^2); with HotSpot's network the sink's node is at its face, so the
    # sink's resistance beyond the node's half cell (t / (2 kz) of the case) joins it: 1 / h = r_convec s_sink^2 + R_sink - a
    from phverify import quantity
    s_sink = float(opts.get("s_sink", DEFAULTS["s_sink"]))
    h = 1 / (float(opts.get("r_convec", DEFAULTS["r_convec"])) * s_sink ** 2)
    if lumped:
        k_sink = mats[opts["material_sink"]][0] if opts.get("material_sink") in mats else float(opts.get("k_sink", DEFAULTS["k_sink"]))
        t_sink = float(opts.get("t_sink", DEFAULTS["t_sink"]))
        sink = [l for l in doc["stack"] if l["name"] == "sink"][0]
        half = t_sink / (2 * quantity(doc["materials"][sink["material"]]["k"][2]))
        h = 1 / (1 / h + t_sink / k_sink - half)
    h_case = quantity(doc["boundaries"]["top"]["h"])
    tap.check(f"{name}: top convection 1 / (r_convec s_sink^2{' + the sink beyond its node' if lumped else ''})", abs(h_case - h) / h < 1e-9,
              f"{h_case} against {h}")


def check_secondary(tap, work):
    """-model_secondary 1 on example 2: PCB, solder, substrate, C4 and metal below the die with HotSpot's fixed materials
    (temperature.h: resistivities 0.333, 0.06, 0.5, 0.8, 0.0025 m K/W; 1.32e6, 2.1e6, 1.6e6, 1.65e6, 3.55e6 J/m^3/K, the
    PCB's plus 0.333 c_convec_sec spread over it), the config's sizes, and convection 1 / (r_convec_sec s_pcb^2) below."""
    d = os.path.join(DATA, "example2")
    argv = EXAMPLES["example2"].replace(" -o out.ttrace", "").split() + ["-model_secondary", "1"]
    opts, case = options(d, argv), os.path.join(work, "secondary.yaml")
    p = photherm(["import", "hotspot"] + argv + ["-o", case], d)
    if not tap.check("secondary path: imports", p.returncode == 0, p.stderr.strip()[-600:]):
        return
    from phverify import quantity
    doc = yaml.safe_load(open(case))
    layers = [l["name"] for l in doc["stack"]]
    want = [("pcb", "t_pcb", "s_pcb", 0.333, 1.32e6), ("solder", "t_solder", "s_solder", 0.06, 2.1e6), ("substrate", "t_sub", "s_sub", 0.5, 1.6e6),
            ("c4", "t_c4", None, 0.8, 1.65e6), ("metal", "t_metal", None, 0.0025, 3.55e6)]
    side = quantity(doc["footprint"]["x"][1])
    worst = 0.0
    for i, (name, tkey, skey, res, cap) in enumerate(want):
        l = doc["stack"][i]
        m = doc["materials"][name]
        t = float(opts[tkey])
        if name == "pcb":
            cap += 0.333 * float(opts["c_convec_sec"]) / (float(opts["s_pcb"]) ** 2 * t)
        worst = max(worst, abs(quantity(l["thickness"]) - t) / t, abs(quantity(m["k"]) - 1 / res) * res, abs(quantity(m["rho"]) * quantity(m["cp"]) - cap) / cap)
        if skey:
            size = float(opts[skey])
            if size < side:
                b = l["blocks"][0]
                worst = max(worst, abs(quantity(b["x"][1]) - quantity(b["x"][0]) - size) / size)
            else:
                worst = max(worst, abs(side - size) / size)
    h = 1 / (float(opts["r_convec_sec"]) * float(opts["s_pcb"]) ** 2)
    hb = quantity(doc["boundaries"]["bottom"]["h"])
    tap.check("secondary path: pcb, solder, substrate, c4, metal below the die with HotSpot's materials, the config's sizes, bottom convection",
              layers[:6] == ["pcb", "solder", "substrate", "c4", "metal", "die"] and worst < 1e-9 and abs(hb - h) / h < 1e-9,
              f"layers {layers}, largest relative difference {worst:.2g}, bottom h {hb} against {h}")


def check_lumping_column(tap, work):
    """-ph_lumping hotspot on a one-unit die with the spreader and sink the size of the die: no heat flows sideways, so
    HotSpot's network is a column of nodes, each at its layer's face with the layer's whole resistance t / k towards
    the sink, and the sink's node 1 / h = r_convec s_sink^2 (per area) above the ambient. Every layer's block is then at
    ambient + q (sum of t / k from that layer up + r_convec s_sink^2), q = P / die area. Two packages: aluminium, whose
    halves add up to HotSpot's links with no resistor layer, and HotSpot's default copper, whose 1 mm spreader holds less
    than the interface beyond the die's share and needs one (cases/README.md section 19.1)."""
    side, power, amb = 0.01, 10.0, 318.15
    with open(os.path.join(work, "one.flp"), "w") as f:
        f.write(f"core {side} {side} 0 0\n")
    with open(os.path.join(work, "one.ptrace"), "w") as f:
        f.write(f"core\n{power}\n{power}\n")
    for label, k_spreader, layers_want in (("an aluminium spreader and sink (example 2's materials)", 237.0, ["die", "interface", "spreader", "sink"]),
                                           ("HotSpot's default copper", DEFAULTS["k_spreader"], ["die", "interface", "interface_rz", "spreader", "sink"])):
        opts = dict(DEFAULTS, s_spreader=side, s_sink=side, k_spreader=k_spreader, k_sink=k_spreader, ambient=amb)
        argv = ["-f", "one.flp", "-p", "one.ptrace", "-model_type", "grid", "-grid_rows", "8", "-grid_cols", "8", "-ph_lumping", "hotspot"]
        for key in ("t_chip", "k_chip", "t_interface", "k_interface", "s_spreader", "t_spreader", "k_spreader", "s_sink", "t_sink", "k_sink", "r_convec",
                    "ambient"):
            argv += ["-" + key, repr(opts[key])]
        case, out = os.path.join(work, "column.yaml"), os.path.join(work, "column.h5")
        p = photherm(["import", "hotspot"] + argv + ["-o", case], work)
        if not tap.check(f"lumping, {label}: imports", p.returncode == 0, p.stderr.strip()[-600:]):
            continue
        layers = [l["name"] for l in yaml.safe_load(open(case))["stack"]]
        p = photherm(["run", case, "-o", out, "-quiet"], work)
        if not tap.check(f"lumping, {label}: runs", p.returncode == 0, p.stderr.strip()[-600:]):
            continue
        with h5py.File(out, "r") as f:
            names = [decode(n) for n in f["series/blocks/t_mean"].attrs["names"]]
            got = f["series/blocks/t_mean"][-1] + 273.15
        q = power / side**2
        res = [opts["t_chip"] / opts["k_chip"], opts["t_interface"] / opts["k_interface"], opts["t_spreader"] / opts["k_spreader"],
               opts["t_sink"] / opts["k_sink"]]
        err = 0.0
        for i, block in enumerate(("core", "interface", "spreader", "sink")):
            want = amb + q * (sum(res[i:]) + opts["r_convec"] * side**2)
            err = max(err, abs(got[names.index(block)] - want) / (want - amb))
        tap.check(f"lumping, {label}: layers {layers_want} and every node at HotSpot's column answer within 1e-4 of its rise",
                  layers == layers_want and err < 1e-4, f"layers {layers}, largest relative difference {err:.2g}")


def main():
    tap = Tap(__file__)
    work = workdir("import-hotspot")
    for name in EXAMPLES:
        tap.guard(name, check_example, tap, name, work)
    tap.guard("secondary path", check_secondary, tap, work)
    tap.guard("lumping column", check_lumping_column, tap, work)
    # example 5: micro-channel cooling is refused with its reason, nothing written
    d = os.path.join(DATA, "example5")
    case = os.path.join(work, "ex5.yaml")
    p = photherm(["import", "hotspot", "-c", "example.config", "-p", "example.ptrace", "-materials_file", "example.materials", "-grid_layer_file",
                  "example.lcf", "-model_type", "grid", "-detailed_3D", "on", "-use_microchannels", "1", "-o", case], d)
    tap.check("example5 (micro-channels): refused, exit 2, with the reason, nothing written",
              p.returncode == 2 and "not representable yet" in p.stderr and not os.path.exists(case), p.stderr.strip()[-600:])
    # -ph_lumping: an unknown value, and HotSpot's lumping where it is not HotSpot's (detailed 3D), are refused at the option
    d = os.path.join(DATA, "example2")
    for extra, want in ((["-ph_lumping", "middle"], "expected centred or hotspot"), (["-ph_lumping", "hotspot", "-detailed_3D", "on"], "-detailed_3D off")):
        case = os.path.join(work, "lumping.yaml")
        p = photherm(["import", "hotspot", "-c", "example.config", "-f", "ev6.flp", "-p", "gcc.ptrace", "-materials_file", "example.materials", "-model_type",
                      "grid"] + extra + ["-o", case], d)
        tap.check(f"{' '.join(extra)}: refused at command line: ph_lumping, exit 2, nothing written",
                  p.returncode == 2 and "command line: ph_lumping:" in p.stderr and want in p.stderr and not os.path.exists(case), p.stderr.strip()[-600:])
    tap.finish()


if __name__ == "__main__":
    main()
