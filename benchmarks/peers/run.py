#!/usr/bin/python3
"""Side by side with HotSpot 7 and 3D-ICE 4 on their own shipped examples (tests/import/): each example is run by the
peer, imported with `photherm import` and run by photherm on the same grid, and the block temperatures are compared.

The peers are built from their public repositories: cloned from GitHub (HotSpot: github.com/uvahotspot/HotSpot, its
Makefile; 3D-ICE: github.com/esl-epfl/3d-ice, its install-superlumt.sh and Makefile, which need bison, flex, unzip and
OpenBLAS), or taken from --hotspot DIR / --threedice DIR (a source tree, built when its program is missing).
Wall time and peak memory (maximum resident set, /usr/bin/time) of both are measured in the same run of this script.

For each example the table gives the grid, the peer's and photherm's time and memory, their ratio, and the largest
difference of a block temperature (HotSpot: the .steady file or every row of the .ttrace; 3D-ICE: Tflp averages of
every die at every slot, added to a copy of the stack). --store-answers writes the peer's block temperatures to
tests/import/answers/ (with their provenance) for tests/verify/test_import_peers.py.

--variants runs photherm on each HotSpot example once per variant (the peer once): `default` (the import as it is:
HotSpot's own network since 2026-12-05, where the import builds it), `centred` (imported with `-ph_lumping centred`,
photherm's node at mid-thickness, the default before), `reduced` (`-P time.method=reduced`, transients only) and
`lumping` (imported with `-ph_lumping hotspot`, refused with `-detailed_3D on`). --rows N
keeps the first N rows of a transient's power trace for both programs (HotSpot's grid transient takes minutes a row
set). --skip-3dice leaves out 3D-ICE. --reuse-peer takes HotSpot's outputs and measured times from an earlier run of
this script with the same options (build/peers/<example>/peer.json), so that photherm can be re-measured without
re-running minutes of HotSpot.

Usage: benchmarks/peers/run.py [--hotspot DIR] [--threedice DIR] [--only NAME] [--long] [--store-answers] [--gap]
                               [--variants LIST] [--rows N] [--skip-3dice] [--reuse-peer]
Results: benchmarks/results/peers/<date>-<host>.json and .md, and the table on standard output.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.join(ROOT, "bin", "photherm")
DATA = os.path.join(ROOT, "tests", "import")
ANSWERS = os.path.join(DATA, "answers")
WORK = os.path.join(ROOT, "build", "peers")
HOTSPOT_GIT = "https://github.com/uvahotspot/HotSpot"
THREEDICE_GIT = "https://github.com/esl-epfl/3d-ice"

# name, example directory, HotSpot's options (its run.sh without output files), kind, long (skipped without --long)
HOTSPOT = [
    ("hotspot-ex1-steady", "example1", "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type block", "steady", False),
    ("hotspot-ex1-transient", "example1", "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type block", "transient", False),
    ("hotspot-ex2-steady", "example2", "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type grid", "steady", False),
    # the same steady state on finer grids, the issue's own measurement (HotSpot's 128 x 128) and twice that: the grid
    # model's cost grows with the grid, photherm's start-up (MPI and PETSc, about 0.2 s of CPU) does not
    ("hotspot-ex2-steady-128", "example2", "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type grid -grid_rows 128 -grid_cols 128",
     "steady", False),
    ("hotspot-ex2-steady-256", "example2", "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type grid -grid_rows 256 -grid_cols 256",
     "steady", False),
    ("hotspot-ex2-transient", "example2", "-c example.config -f ev6.flp -p gcc.ptrace -materials_file example.materials -model_type grid", "transient", True),
    ("hotspot-ex3-steady", "example3", "-c example.config -p example.ptrace -grid_layer_file example.lcf -materials_file example.materials -model_type grid -detailed_3D on",
     "steady", True),
    ("hotspot-ex4-steady", "example4", "-c example.config -p ev6_3D.ptrace -grid_layer_file ev6_3D.lcf -model_type grid -detailed_3D on", "steady", True),
]
# name, stack (relative to tests/import/3dice)
THREEDICE = [("3dice-transient-nonuniform", "transient_nonuniform/example_transient_nonuniform.stk"),
             ("3dice-test-server-stack", "client_server/example_transient_test_server.stk")]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def timed(argv, cwd, env=None, timeout=7200):
    """Run argv under /usr/bin/time; (CPU s = user + system, peak KiB, CompletedProcess). CPU time, not wall time: the
    machine is shared, and CPU time is what a run costs whatever else runs beside it."""
    full = ["/usr/bin/time", "-f", "PHTIME %U %S %M"] + argv
    p = subprocess.run(full, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=timeout)
    m = re.search(r"PHTIME ([\d.]+) ([\d.]+) (\d+)", p.stderr)
    if p.returncode != 0 or m is None:
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}) in {cwd}: {p.stderr[-1500:]}")
    return float(m.group(1)) + float(m.group(2)), int(m.group(3)), p


def build_hotspot(src, superlu=False):
    """HotSpot's program: its Makefile as shipped (RK4 transients, multigrid steady states) or with SUPERLU=1 (direct
    steady solves and implicit transients; needs Debian's libsuperlu-dev and a BLAS), in a copy of the tree."""
    if src is None:
        src = os.path.join(WORK, "HotSpot")
        if not os.path.isdir(src):
            subprocess.run(["git", "clone", "--depth", "1", HOTSPOT_GIT, src], check=True)
    if superlu:
        copy = os.path.join(WORK, "HotSpot-superlu")
        if not os.path.isdir(copy):
            shutil.copytree(src, copy, ignore=shutil.ignore_patterns("*.o", "hotspot", "hotfloorplan"))
        src = copy
    if not os.path.exists(os.path.join(src, "hotspot")):
        subprocess.run(["make", "-j2"] + (["SUPERLU=1"] if superlu else []), cwd=src, check=True, stdout=subprocess.DEVNULL)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=src, stdout=subprocess.PIPE, text=True).stdout.strip()
    return os.path.join(src, "hotspot"), commit


def build_threedice(src):
    if src is None:
        src = os.path.join(WORK, "3d-ice")
        if not os.path.isdir(src):
            subprocess.run(["git", "clone", "--depth", "1", THREEDICE_GIT, src], check=True)
    emulator = os.path.join(src, "bin", "3D-ICE-Emulator")
    if not os.path.exists(emulator):
        if not os.path.isdir(os.path.join(src, "superlu_mt-4.0.0")):
            subprocess.run(["bash", "install-superlumt.sh"], cwd=src, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["make", "-j2"], cwd=src, check=True, stdout=subprocess.DEVNULL)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=src, stdout=subprocess.PIPE, text=True).stdout.strip()
    return emulator, commit


def read_steady(path):
    return {line.split()[0]: float(line.split()[1]) for line in open(path) if line.strip()}


def read_ttrace(path):
    lines = open(path).read().splitlines()
    return lines[0].split(), np.array([[float(v) for v in r.split()] for r in lines[1:] if r.strip()])


def photherm_sources(h5):
    """{source: (layer name, t_mean [ns] in K)} and the sample times of a result."""
    with h5py.File(h5, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["series/sources/t_mean"].attrs["names"]]
        tm = f["series/sources/t_mean"][()] + 273.15
        t = f["series/time"][()]
        layers = {int(k): (l["name"].decode() if isinstance(l["name"], bytes) else l["name"]) for l in f["mesh/layers"][()] for k in range(l["k0"], l["k1"])}
        blocks = {(b["name"].decode() if isinstance(b["name"], bytes) else b["name"]): layers[int(b["k0"])] for b in f["mesh/blocks"][()]}
        cells = int(np.prod(f["mesh/material"].shape))
    return {n: (blocks.get(n, ""), tm[:, i]) for i, n in enumerate(names)}, t, cells


def hotspot_key(source, layer, peer):
    """HotSpot's name of a unit in its .steady file: the unit's name, or layer_<n>_<unit> with a layer file, where the
    import names a unit L<n>_<unit> when the name repeats (a unit may itself be called L2_left)."""
    m = re.match(r"layer_(\d+)$", layer)
    if not m:
        return source
    if f"layer_{m.group(1)}_{source}" in peer:
        return f"layer_{m.group(1)}_{source}"
    unit = re.sub(r"^L\d+_", "", source)
    return f"layer_{m.group(1)}_{unit}"


VARIANTS = {"default": ([], []), "centred": (["-ph_lumping", "centred"], []), "reduced": ([], ["-P", "time.method=reduced"]),
            "lumping": (["-ph_lumping", "hotspot"], [])}


def run_hotspot(hs, name, example, opts, kind, variants=("default",), rows=None, reuse=False):
    """HotSpot once, then photherm once per variant (VARIANTS: extra import options, extra run options); a list of
    result rows and HotSpot's block temperatures. rows: keep the first rows of the power trace (transients)."""
    d = os.path.join(WORK, name + (f"-{rows}rows" if rows else ""))
    argv = opts.split()
    stamp = {"hotspot": hs, "options": opts, "rows": rows}
    saved = os.path.join(d, "peer.json")
    if reuse and os.path.exists(saved) and {k: v for k, v in json.load(open(saved)).items() if k in stamp} == stamp:
        peer = json.load(open(saved))  # --reuse-peer: HotSpot's outputs and times of an earlier run of this script
        peer_s, peer_kib = peer["peer_s"], peer["peer_kib"]
        log(f"  {name}: HotSpot's outputs and times reused from {saved} ({peer['when']})")
    else:
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(os.path.join(DATA, "hotspot", example), d)
        if rows:
            trace = os.path.join(d, argv[argv.index("-p") + 1])
            lines = open(trace).read().splitlines()
            open(trace, "w").write("\n".join(lines[:rows + 1]) + "\n")
        # the peer: steady state (and from it the init file), then the transient from the init file
        cpu, mem, _ = timed([hs] + argv + ["-steady_file", "peer.steady"], d)
        if kind == "transient":
            shutil.copy(os.path.join(d, "peer.steady"), os.path.join(d, "peer.init"))
            cpu, mem, _ = timed([hs] + argv + ["-init_file", "peer.init", "-o", "peer.ttrace"], d)
        peer_s, peer_kib = cpu, mem
        json.dump(dict(stamp, peer_s=peer_s, peer_kib=peer_kib, when=time.strftime("%Y-%m-%dT%H:%M"), load=os.getloadavg()), open(saved, "w"))
    cfg = {w[0][1:]: w[1] for w in (l.split() for l in open(os.path.join(d, argv[argv.index("-c") + 1]))) if len(w) >= 2 and w[0].startswith("-")}
    opt = dict(zip([a[1:] for a in argv[::2]], argv[1::2]))
    grid_rows, grid_cols = int(opt.get("grid_rows", cfg.get("grid_rows", 64))), int(opt.get("grid_cols", cfg.get("grid_cols", 64)))
    model = opt.get("model_type", "block")
    results, answers = [], {}
    for variant in variants:
        imp, run = VARIANTS[variant]
        if variant == "reduced" and kind != "transient":
            continue
        res = {"example": name + (f" (first {rows} rows)" if rows else "") + ("" if variant == "default" else f" [{variant}]"), "peer": "HotSpot",
               "variant": variant, "peer_s": peer_s, "peer_kib": peer_kib}
        # photherm: the same command line, the case written beside the inputs
        extra = ["-init_file", "peer.init", "-o", "x.ttrace"] if kind == "transient" else []
        p = subprocess.run([BIN, "import", "hotspot"] + argv + extra + imp + ["-o", f"{variant}.yaml"], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            log(f"{name} [{variant}]: not imported: {p.stderr.strip()}")
            continue
        cpu, mem, _ = timed([BIN, "run", f"{variant}.yaml", "-quiet", "-o", f"{variant}.h5"] + run, d)
        res.update(photherm_s=cpu, photherm_kib=mem, photherm_command=" ".join(["photherm", "run", f"{variant}.yaml"] + run), import_options=" ".join(imp))
        src, t, cells = photherm_sources(os.path.join(d, f"{variant}.h5"))
        res["grid"] = f"{'one node per unit' if model == 'block' else f'{grid_rows} x {grid_cols} x layers'} / {cells} cells"
        if kind == "steady":
            peer = read_steady(os.path.join(d, "peer.steady"))
            diffs = {}
            for s, (layer, tm) in src.items():
                key = hotspot_key(s, layer, peer)
                diffs[s] = tm[0] - peer[key]
                answers[s] = peer[key]
        else:
            subprocess.run([BIN, "summary", f"{variant}.h5", "--ttrace", f"{variant}.ttrace"], cwd=d, check=True, stdout=subprocess.DEVNULL)
            pn, pv = read_ttrace(os.path.join(d, "peer.ttrace"))
            qn, qv = read_ttrace(os.path.join(d, f"{variant}.ttrace"))
            assert pn == qn and pv.shape == qv.shape, f"{name}: .ttrace layouts differ: {len(pn)} x {pv.shape} against {len(qn)} x {qv.shape}"
            diffs = {n: float(np.max(np.abs(qv[:, i] - pv[:, i]))) * (1 if np.mean(qv[:, i] - pv[:, i]) >= 0 else -1) for i, n in enumerate(pn)}
            answers = {n: [float(v) for v in pv[:, i]] for i, n in enumerate(pn)}
        worst = max(diffs, key=lambda k: abs(diffs[k]))
        res.update(max_diff_K=abs(diffs[worst]), max_diff_block=worst, mean_diff_K=float(np.mean(list(diffs.values()))), blocks=len(diffs))
        results.append(res)
        log(f"  {res['example']}: HotSpot {peer_s:.2f} s, photherm {cpu:.2f} s CPU, largest difference {abs(diffs[worst]):.2f} K")
    return results, answers


def run_threedice(emu, name, stk_rel):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.dirname(os.path.join(DATA, "3dice", stk_rel)), d)
    stk = os.path.join(d, os.path.basename(stk_rel))
    text = open(stk).read()
    dies = re.findall(r"^\s*die\s+(\w+)\s+\w+\s+floorplan", text, flags=re.M)
    extra = "".join(f'   Tflp ( {die}, "peer_{die}.txt", average, slot ) ;\n' for die in dies)
    text = re.sub(r"^output\s*:", "output:\n" + extra, text, flags=re.M) if re.search(r"^output\s*:", text, flags=re.M) else text + "\noutput:\n" + extra
    peer_stk = os.path.join(d, "peer.stk")
    open(peer_stk, "w").write(text)
    res = {"example": name, "peer": "3D-ICE"}
    cpu, mem, _ = timed([emu, "peer.stk"], d)
    res.update(peer_s=cpu, peer_kib=mem)
    subprocess.run([BIN, "import", "3dice", os.path.basename(stk_rel), "-o", "case.yaml"], cwd=d, check=True, stdout=subprocess.DEVNULL)
    cpu, mem, _ = timed([BIN, "run", "case.yaml", "-quiet", "-o", "case.h5", "-ts_adapt_type", "none"], d)  # 3D-ICE's fixed steps
    res.update(photherm_s=cpu, photherm_kib=mem)
    src, t, cells = photherm_sources(os.path.join(d, "case.h5"))
    cl = re.search(r"cell\s+length\s+([\d.]+)\s*,\s*width\s+([\d.]+)", text)
    ch = re.search(r"chip\s+length\s+([\d.]+)\s*,\s*width\s+([\d.]+)", text)
    res["grid"] = f"{int(float(ch.group(1)) / float(cl.group(1)))} x {int(float(ch.group(2)) / float(cl.group(2)))} (non-uniform) / {cells} cells"
    diffs, answers = {}, {}
    for die in dies:
        lines = [l for l in open(os.path.join(d, f"peer_{die}.txt")) if l.strip()]
        head = [h.replace("(K)", "").strip() for h in lines[1].lstrip("%").split("\t") if h.strip()][1:]
        rows = np.array([[float(v) for v in l.split()] for l in lines[2:]])
        for j, el in enumerate(head):
            key = f"{die}.{el}"
            tm = src[key][1]
            idx = [int(np.argmin(np.abs(t - tt))) for tt in rows[:, 0]]
            dd = tm[idx] - rows[:, j + 1]
            diffs[key] = float(dd[np.argmax(np.abs(dd))])
            answers[key] = [float(v) for v in rows[:, j + 1]]
    worst = max(diffs, key=lambda k: abs(diffs[k]))
    res.update(max_diff_K=abs(diffs[worst]), max_diff_block=worst, mean_diff_K=float(np.mean(list(diffs.values()))), blocks=len(diffs))
    return res, answers


# --gap: where the difference with HotSpot comes from (benchmarks/README.md section 7). Each configuration runs in
# HotSpot built with SuperLU (a direct steady solve: its multigrid stops on a small change per sweep, which leaves up to
# 0.3 K on the nearly singular die-sized package) and in photherm three ways: one centred cell per layer (-ph_lumping
# centred), -ph_lumping hotspot (HotSpot's node per layer at the layer's face, and for a die-sized spreader or sink its
# periphery nodes) and the centred import resolved in z (die 4, interface 2, spreader 8, sink 16 cells): the continuum answer.
# name, directory under tests/import/hotspot, floorplan, trace, grid, HotSpot's package options, photherm's, stored
GAP = [("hotspot-gap-aligned-die", "aligned", "grid8.flp", "grid8.ptrace", 32, "-s_spreader 0.0080001 -s_sink 0.0080001", "-s_spreader 0.008 -s_sink 0.008", True),
       ("hotspot-gap-aligned-package", "aligned", "grid8.flp", "grid8.ptrace", 32, "", "", True),
       ("hotspot-gap-ex2-die", "example2", "ev6.flp", "gcc.ptrace", 64, "-s_spreader 0.0160001 -s_sink 0.0160001", "-s_spreader 0.016 -s_sink 0.016", False),
       ("hotspot-gap-ex2-package", "example2", "ev6.flp", "gcc.ptrace", 64, "", "", False)]
RESOLVED_Z = ["-P", "stack.die.cells=4", "-P", "stack.interface.cells=2", "-P", "stack.spreader.cells=8", "-P", "stack.sink.cells=16"]


def gap(hs_slu, name, example, flp, ptrace, grid, hs_pkg, ph_pkg):
    """One configuration of --gap: HotSpot's .steady against photherm's three ways; ({variant: (max, mean, worst, cells, cpu)}, answers)."""
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(DATA, "hotspot", example), d)
    for f in ("example.config", "example.materials"):  # HotSpot's example 2 (grid model, aluminium spreader and sink)
        shutil.copy(os.path.join(DATA, "hotspot", "example2", f), d)
    common = f"-c example.config -f {flp} -p {ptrace} -materials_file example.materials -model_type grid -grid_rows {grid} -grid_cols {grid}".split()
    cpu, _, _ = timed([hs_slu] + common + hs_pkg.split() + ["-steady_file", "peer.steady"], d)
    peer = read_steady(os.path.join(d, "peer.steady"))
    out = {"HotSpot": (0, 0, "", grid * grid * 4, cpu)}
    for variant, lump, extra in (("centred", "centred", []), ("hotspot", "hotspot", []), ("resolved", "centred", RESOLVED_Z)):
        subprocess.run([BIN, "import", "hotspot"] + common + ph_pkg.split() + ["-ph_lumping", lump, "-o", f"{variant}.yaml"], cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cpu, _, _ = timed([BIN, "run", f"{variant}.yaml", "-quiet", "-o", f"{variant}.h5"] + extra, d)
        src, _, cells = photherm_sources(os.path.join(d, f"{variant}.h5"))
        diffs = {n: float(tm[-1] - peer[n]) for n, (_, tm) in src.items()}
        worst = max(diffs, key=lambda k: abs(diffs[k]))
        out[variant] = (diffs[worst], float(np.mean(list(diffs.values()))), worst, cells, cpu)
    return out, {n: peer[n] for n in src}


def main_gap(a):
    hs, commit = build_hotspot(a.hotspot, superlu=True)
    prov = f"{HOTSPOT_GIT} at {commit}, built with its Makefile and SUPERLU=1 (Debian's SuperLU 5): a direct steady solve"
    table = ["| configuration | grid | HotSpot CPU | photherm, one centred cell per layer (-ph_lumping centred) | photherm, -ph_lumping hotspot | photherm resolved in z |",
             "|---|---|---:|---|---|---|"]
    results = {}
    for name, example, flp, ptrace, grid, hs_pkg, ph_pkg, stored in GAP:
        if a.only not in name:
            continue
        log(f"{name} ...")
        r, ans = gap(hs, name, example, flp, ptrace, grid, hs_pkg, ph_pkg)
        results[name] = r
        cell = lambda v: f"{r[v][0]:+.2f} K max ({r[v][2]}), {r[v][1]:+.2f} K mean; {r[v][3]} cells, {r[v][4]:.2f} s"  # noqa: E731
        table.append(f"| {name} | {grid} x {grid} | {r['HotSpot'][4]:.2f} s | {cell('centred')} | {cell('hotspot')} | {cell('resolved')} |")
        if a.store_answers and stored:
            store(name, "HotSpot", prov, "hotspot " + " ".join(f"-c example.config -f {flp} -p {ptrace} -materials_file example.materials -model_type grid"
                                                               f" -grid_rows {grid} -grid_cols {grid} {hs_pkg}".split()) + f" -steady_file (in tests/import/hotspot/{example}"
                  " with example2's example.config and example.materials)", ans)
    print("\n".join(table))
    out = os.path.join(ROOT, "benchmarks", "results", "peers")
    os.makedirs(out, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H%M") + "-" + os.uname().nodename + "-gap"
    json.dump({"provenance": prov, "results": results, "load": os.getloadavg()}, open(os.path.join(out, stamp + ".json"), "w"), indent=1)
    open(os.path.join(out, stamp + ".md"), "w").write("\n".join(table) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hotspot", help="HotSpot source tree (default: clone from GitHub into build/peers)")
    ap.add_argument("--threedice", help="3D-ICE source tree (default: clone from GitHub into build/peers)")
    ap.add_argument("--only", default="", help="run the examples whose name contains this")
    ap.add_argument("--long", action="store_true", help="also HotSpot's grid transient of example 2 (about 9 min in HotSpot) and its 3D steady examples")
    ap.add_argument("--store-answers", action="store_true", help="write the peers' block temperatures to tests/import/answers/")
    ap.add_argument("--gap", action="store_true", help="where the difference with HotSpot comes from: HotSpot with SuperLU against photherm three ways")
    ap.add_argument("--variants", default="default", help="photherm's variants, comma-separated: default, centred, reduced, lumping")
    ap.add_argument("--rows", type=int, help="keep the first ROWS rows of a transient's power trace")
    ap.add_argument("--reuse-peer", action="store_true", help="reuse HotSpot's outputs and times of an earlier run of this script on the same options")
    ap.add_argument("--skip-3dice", action="store_true", help="leave out 3D-ICE")
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    if a.gap:
        main_gap(a)
        return
    results, provenance = [], {}
    load_start = os.getloadavg()
    hs, hs_commit = build_hotspot(a.hotspot)
    provenance["HotSpot"] = f"{HOTSPOT_GIT} at {hs_commit}, built with its Makefile (no SuperLU: RK4 transient, multigrid steady)"
    if not a.skip_3dice:
        emu, ice_commit = build_threedice(a.threedice)
        provenance["3D-ICE"] = f"{THREEDICE_GIT} at {ice_commit}, 3D-ICE-Emulator built with its Makefile and SuperLU_MT 4.0"
    for name, example, opts, kind, long in HOTSPOT:
        if a.only not in name or (long and not a.long):
            continue
        log(f"{name} ...")
        rs, ans = run_hotspot(hs, name, example, opts, kind, a.variants.split(","), a.rows if kind == "transient" else None, a.reuse_peer)
        results += rs
        if a.store_answers and not a.rows:
            store(name, "HotSpot", provenance["HotSpot"], f"hotspot {opts}" + (" -init_file (its steady file) -o" if kind == "transient" else " -steady_file"), ans)
    for name, stk in THREEDICE:
        if a.only not in name or a.skip_3dice:
            continue
        log(f"{name} ...")
        r, ans = run_threedice(emu, name, stk)
        results.append(r)
        if a.store_answers:
            store(name, "3D-ICE", provenance["3D-ICE"], f"3D-ICE-Emulator {stk} with Tflp(DIE, average, slot) added for every die", ans)
    table = ["| example | peer | grid (peer / photherm) | peer time | peer memory | photherm time | photherm memory | photherm / peer time | largest block difference |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in results:
        table.append(f"| {r['example']} | {r['peer']} | {r['grid']} | {r['peer_s']:.2f} s | {r['peer_kib'] / 1024:.0f} MiB | {r['photherm_s']:.2f} s | "
                     f"{r['photherm_kib'] / 1024:.0f} MiB | {r['photherm_s'] / max(r['peer_s'], 0.01):.2g} | {r['max_diff_K']:.2f} K ({r['max_diff_block']}; mean {r['mean_diff_K']:+.2f} K over {r['blocks']}) |")
    print("\n".join(table))
    out = os.path.join(ROOT, "benchmarks", "results", "peers")
    os.makedirs(out, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H%M") + "-" + os.uname().nodename + (f"-{a.only}" if a.only else "")
    json.dump({"provenance": provenance, "results": results, "load_start": load_start, "load": os.getloadavg(), "command": " ".join(sys.argv)}, open(os.path.join(out, stamp + ".json"), "w"), indent=1)
    open(os.path.join(out, stamp + ".md"), "w").write("\n".join(table) + "\n")


def store(name, peer, provenance, command, answers):
    os.makedirs(ANSWERS, exist_ok=True)
    with open(os.path.join(ANSWERS, name + ".yaml"), "w") as f:
        f.write(f"# {peer}'s block temperatures (K) for {name}, written by benchmarks/peers/run.py --store-answers\n")
        f.write(f"# {peer}: {provenance}\n# command: {command}\n")
        for k, v in answers.items():
            f.write(f"{k}: {json.dumps(v)}\n")


if __name__ == "__main__":
    main()
