#!/usr/bin/python3
"""End-to-end verification of the optics (README.md, Models) against values computed here.

Cases (small meshes, whole script well under a minute on 2 cores):
U   a die with top and bottom held at 60 C, no sources, no heater feedback: every ring and the DFB laser sit at
    exactly 60 C. Three links: fixed (a ring redder than its line, a saturated ring), wrap (a ring that wraps to the
    previous order, one the heater cannot reach, one at the next order) and rotate; an external and a DFB laser.
    Every series and summary value is checked against hand formulas of the optics models written out below, steady and
    transient, to 1e-9 relative; yield with no spread equals the nominal fraction of good lines; with spread, the
    same numbers on 1 and 3 ranks and the same as a brute-force Monte Carlo written here with photherm's generator.
F   heater feedback, steady: the fixed point satisfies the locking condition and the heat equation (a thermal-only
    rerun with the recorded heater and laser heat as sources), R_ii equals an independent probe, heater heat closes
    the energy balance, and thermal crosstalk raises a neighbour's slice by what conduction says.
R   a transient whose heated ring block pushes rings across their lines: wrap relocks at the next order, a rotate
    group changes rotation; relock counts, the up pattern and the time averages with exact outage overlaps.
D   DSENT reference numbers (its tuning formulas and defaults; Sun et al., NOCS 2012): FullThermal 1.012 mW per ring and bit-reshuffle
    497 uW per ring at N = 8.
The reference of the locking, margin and metric models (optics_ref.py) is applied to the recorded ring and laser
temperatures of every run; every case is also run on 2 ranks and compared with the 1-rank run.
"""
import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optics_ref as ref  # noqa: E402
from phverify import Tap, cell_properties, must_run, names_attr, photherm, workdir, write  # noqa: E402

ZERO_C = 273.15
TIGHT = ["-ksp_rtol", "1e-12", "-ph_ksp_floor", "0"]
C_LIGHT = 299792458.0

SI = "  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 710 J/kg/K}\n"
OX = "  ox: {k: 1.4 W/m/K, rho: 2200 kg/m^3, cp: 740 J/kg/K}\n"


def rel(a, b, scale=None):
    """max |a - b| / scale (scale: max |b|, at least 1e-300)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return math.inf
    if scale is None:
        scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-300)
    return float(np.max(np.abs(a - b))) / scale if a.size else 0.0


def read_result(path):
    """The optics series and summaries of a result file (temperatures in K)."""
    r = {"series": {}, "summary": {}, "links": {}}
    with h5py.File(path, "r") as f:
        r["time"] = f["series/time"][...]
        for grp in ("lasers", "rings", "lines", "links"):
            for k in (f[f"series/{grp}"] if f"series/{grp}" in f else []):
                r["series"][f"{grp}/{k}"] = f[f"series/{grp}/{k}"][...]
        r["ring_names"] = names_attr(f["series/rings/temperature"]) if "series/rings" in f else []
        r["energy_error"] = f["series/energy_error"][...]
        r["summary"] = {k: v for k, v in f["summary"].attrs.items() if not k.endswith((".units", ".definition"))}
        for name in (f["summary/links"] if "summary/links" in f else []):
            r["links"][name] = {k: v for k, v in f[f"summary/links/{name}"].attrs.items() if not k.endswith((".units", ".definition"))}
        r["T"] = f["fields/temperature"][...]
        r["fields_time"] = f["fields/time"][...]
        r["cp"] = cell_properties(f)
        r["power_density"] = f["fields/power_density"][...]
        r["mesh"] = [f[f"mesh/{a}"][...] for a in "xyz"]
    s = r["series"]
    if s:
        r["ring_t"] = s["rings/temperature"] + ZERO_C
        r["laser_t"] = s["lasers/temperature"] + ZERO_C
    return r


def run(wd, name, text, args=(), nranks=1):
    write(os.path.join(wd, name + ".yaml"), text)
    must_run(["run", name + ".yaml", "-o", name + ".h5", "-quiet"] + list(args), wd, nranks=nranks)
    return read_result(os.path.join(wd, name + ".h5"))


# ---------------------------------------------------------------------------------------------------------------
# comparison of a run with the reference replay on its own recorded temperatures

SERIES_MAP = [("rings/detuning", "detuning"), ("rings/heater_power", "heater_power"), ("rings/residual_detuning", "residual_detuning"),
              ("rings/locked", "locked"), ("rings/order", "order"), ("rings/line", "line"), ("rings/relock", "relock"),
              ("lines/margin", "margin"), ("lines/up", "up"), ("links/throughput", "throughput"), ("links/tuning_power", "tuning_power"),
              ("links/laser_power", "laser_power"), ("links/min_margin", "min_margin"), ("links/lines_up", "lines_up"),
              ("lasers/wavelength", "laser_wavelength"), ("lasers/power_dbm", "laser_dbm"), ("lasers/electrical_power", "laser_electrical")]
DISCRETE = {"rings/locked", "rings/order", "rings/line", "rings/relock", "lines/up", "links/lines_up", "links/throughput"}
METRICS = ["stable_throughput", "stable_fraction", "tuning_power_mean", "tuning_power_max", "heater_saturated_time", "min_margin", "relocks",
           "time_all_up_fraction", "laser_power_mean", "energy_per_bit", "energy_per_stable_bit", "ring_temperature_swing",
           "ring_temperature_max"]


def close_metric(got, want, tol=1e-9):
    if math.isinf(want) or math.isinf(got):
        return 0.0 if got == want else math.inf
    return abs(got - want) / max(abs(want), 1e-300) if want != 0 else abs(got)


def check_replay(tap, tag, op, r, tol=1e-9):
    """Every optics series and link metric of run r equals the reference applied to its recorded temperatures."""
    rep = ref.replay(op, r["time"], r["ring_t"], r["laser_t"])
    worst, where = 0.0, ""
    for key, rk in SERIES_MAP:
        got, want = r["series"][key], rep[rk]
        if key in DISCRETE:
            e = 0.0 if np.array_equal(got, want) else math.inf
        else:
            e = rel(got, want)
        if e > worst or not np.isfinite(e):
            worst, where = e, key
    tap.close(f"{tag}_series_match_reference", worst, tol,
              f"{len(r['time'])} samples, {op.nring} rings, {op.nline} lines; every ring, line, link and laser series vs the reference replay "
              f"of the recorded temperatures (worst: {where or 'none'}), max relative difference")
    worst, where = 0.0, ""
    for li, lk in enumerate(op.links):
        m = ref.link_metrics(op, li, r["time"], r["ring_t"], rep)
        for k in METRICS:
            e = close_metric(float(r["links"][lk["name"]][k]), m[k])
            if e > worst or not np.isfinite(e):
                worst, where = e, f"{lk['name']}.{k} {float(r['links'][lk['name']][k]):.12g} vs {m[k]:.12g}"
    tap.close(f"{tag}_metrics_match_reference", worst, tol,
              f"{len(METRICS)} metrics x {len(op.links)} links vs the metrics computed from the replay (worst: {where or 'none'}); relative difference")
    return rep


def check_yield_nominal(tap, tag, op, r, rep):
    """With no spread: spectral_yield = fraction of lines whose margin holds at every sample with t >= metrics_from
    (from /series/lines/margin when the case has no offsets, else from the replay with zero offsets)."""
    worst, msg = 0.0, []
    win = r["time"] >= op.metrics_from - 1e-12
    for li, lk in enumerate(op.links):
        n = op.lasers[op.laser_index[lk["laser"]]]["lines"]
        lf = op.line_first[li]
        has_offsets = any(any(o != 0 for o in op.rings[op.group_index[lk[s]]]["offsets"]) for s in ("tx", "rx"))
        if has_offsets:
            frac, allg = ref.spectral_yield_nominal(op, li, r["time"], r["ring_t"], r["laser_t"])
            src = "replay with zero offsets"
        else:
            good = (r["series"]["lines/margin"][win][:, lf:lf + n] >= lk["margin_threshold"]).all(axis=0)
            frac, allg = float(good.mean()), float(good.all())
            src = "/series/lines/margin"
        got = r["links"][lk["name"]]
        cy = ref.compound_yield(op)
        want = {"spectral_yield": frac, "spectral_yield_se": 0.0, "link_yield": allg, "link_yield_se": 0.0,
                "yield_adjusted_bandwidth": n * lk["rate"] * cy * frac, "yield_adjusted_bandwidth_se": 0.0}
        for k, v in want.items():
            e = abs(float(got[k]) - v) / max(abs(v), 1.0)
            worst = max(worst, e)
        msg.append(f"{lk['name']} {float(got['spectral_yield']):g} ({src}: {frac:g})")
    tap.close(f"{tag}_yield_without_spread", worst, 1e-12,
              "spectral_yield, link_yield, yield_adjusted_bandwidth and their standard errors with sigma_die = sigma_local = 0: " +
              ", ".join(msg) + "; max difference")
    e = abs(float(r["summary"]["compound_yield"]) - ref.compound_yield(op)) / ref.compound_yield(op)
    tap.close(f"{tag}_compound_yield", e, 1e-14, f"compound_yield {float(r['summary']['compound_yield']):.15g} = product of the assembly values "
              f"{ref.compound_yield(op):.15g}; relative difference")


def compare_ranks(tap, tag, r1, r2, tol=1e-9):
    """Optics series of two runs of one case: continuous ones to tol of each series' scale, discrete ones exactly."""
    worst, where = 0.0, ""
    for key in r1["series"]:
        a, b = r2["series"][key], r1["series"][key]
        if key in DISCRETE or key in ("rings/relock",):
            e = 0.0 if np.array_equal(a, b) else math.inf
        else:
            scale = max(float(np.max(np.abs(b))), 1e-30) if "temperature" not in key else max(float(np.ptp(b)), 1.0)
            e = rel(a, b, scale)
        if e > worst or not np.isfinite(e):
            worst, where = e, key
    for name in r1["links"]:
        for k, v in r1["links"][name].items():
            a, b = float(r2["links"][name][k]), float(v)
            e = (0.0 if a == b else math.inf) if math.isinf(b) else abs(a - b) / max(abs(b), 1.0)
            if e > worst or not np.isfinite(e):
                worst, where = e, f"{name}.{k}"
    tap.close(f"{tag}_2_ranks", worst, tol,
              f"{len(r1['series'])} optics series and the link summaries on 2 ranks vs 1 rank (worst: {where or 'none'}); "
              "relative to each series' scale (temperatures: their range, at least 1 K; summaries: their value, at least 1), discrete series exactly")


def compare_continued(tap, tag, whole, cont, first, what):
    """A run continued from a snapshot of another (time.initial: {file, time}) against the uninterrupted run from sample `first` on:
    every optics series to 1e-9 of its scale, discrete ones exactly, and the temperature snapshots."""
    worst, where = 0.0, ""
    for key, b in whole["series"].items():
        a, b = cont["series"][key], b[first:first + len(cont["time"])]
        if key in DISCRETE:
            e = 0.0 if np.array_equal(a, b) else math.inf
        else:
            scale = max(float(np.max(np.abs(b))), 1e-30) if "temperature" not in key else max(float(np.ptp(whole["series"][key])), 1.0)
            e = rel(a, b, scale)
        if e > worst or not np.isfinite(e):
            worst, where = e, key
    tap.close(f"{tag}_continued_run", worst, 1e-9, f"{what}: the {len(cont['time'])} samples of the continued run vs the uninterrupted run's "
              f"(worst: {where or 'none'}); relative to each series' scale, discrete series exactly")


def slice_means(r, blocks, op, snapshot):
    """Volume-weighted mean of the snapshot over every ring slice, with exact overlap fractions (README.md, Device temperatures)."""
    x, y, z = r["mesh"]
    T = r["T"][snapshot]
    out = []
    for g in op.rings:
        (x0, x1), (y0, y1), (z0, z1) = blocks[g["block"]]
        axis = 1 if (y1 - y0) > (x1 - x0) else 0
        a0, a1 = (y0, y1) if axis else (x0, x1)
        w = (a1 - a0) / g["count"]
        for i in range(g["count"]):
            lo, hi = a0 + i * w, (a1 if i == g["count"] - 1 else a0 + (i + 1) * w)
            box = [[x0, x1], [y0, y1], [z0, z1]]
            box[axis] = [lo, hi]
            wts = [np.clip(np.minimum(nodes[1:], b[1]) - np.maximum(nodes[:-1], b[0]), 0, None) for nodes, b in zip((x, y, z), box)]
            wv = wts[2][:, None, None] * wts[1][None, :, None] * wts[0][None, None, :]
            out.append(float((wv * T).sum() / wv.sum()))
    return np.array(out)


# ---------------------------------------------------------------------------------------------------------------
# U: uniform temperature, every value by hand

T_U = 60.0 + ZERO_C
U_BLOCKS = {  # name: x, y (mm); the die layer is z in [0, 100 um]
    "atx": (0.2, 0.6, 0.1, 0.3), "arx": (0.2, 0.6, 0.5, 0.7), "btx": (1.3, 1.7, 0.1, 0.3), "brx": (1.0, 1.4, 0.5, 0.7),
    "ctx": (1.9, 2.3, 0.1, 0.3), "crx": (1.8, 2.2, 0.5, 0.7), "dfbb": (2.5, 2.8, 0.2, 0.8)}


def u_optics(sigma_die=0.0, sigma_local=0.0):
    s = {"sigma_die": sigma_die, "sigma_local": sigma_local}
    return {
        "lasers": [
            # external at 45 C: line 0 = 1310 + 0.09 * 20 = 1311.8 nm, 10 - 0.02 * 20 = 9.6 dBm
            {"name": "ext", "type": "external", "temperature": 318.15, "lines": 4},
            # DFB: its temperature is the mean over its block = 60 C
            {"name": "dfb", "type": "dfb", "at": "dfbb", "wavelength": 1300.0, "lines": 4, "spacing": 0.8, "drift": 0.1, "power": 6.0,
             "power_drift": -0.03, "wall_plug_efficiency": 0.25, "wpe_t1": 150.0, "heat": False},
            {"name": "ext2", "type": "external", "temperature": 298.15, "wavelength": 1295.0, "lines": 4, "spacing": 1.5, "drift": 0.08,
             "power": 8.0}],
        "rings": [
            # fixed, ring i needs s_i = 1311.8 + 1.12 i - (1306.0 + 1.12 i + o_i + 0.07 * 35) = 3.35 - o_i nm
            dict({"name": "atx", "block": "atx", "count": 4, "wavelength": 1306.0, "offsets": [3.65, 1.35, -3.05, 0.35],
                  "heater": {"feedback": False}}, **s),
            dict({"name": "arx", "block": "arx", "count": 4, "wavelength": 1307.5, "spacing": 1.0, "drift": 0.06, "q": 8000.0,
                  "lock_error": 0.01, "heater": {"feedback": False, "efficiency": 0.2, "max_power": 30.0}}, **s),
            # wrap: ring i needs s_i = 1303.5 + 0.8 i - (1302.8 + 0.3 i + 0.06 * 35) = -1.4 + 0.5 i nm (see hand_u)
            dict({"name": "btx", "block": "btx", "count": 4, "wavelength": 1302.8, "spacing": 0.3, "drift": 0.06, "fsr": 6.0,
                  "heater": {"feedback": False, "efficiency": 0.25, "max_power": 21.0}}, **s),
            dict({"name": "brx", "block": "brx", "count": 4, "wavelength": 1288.0, "spacing": 0.8, "fsr": 12.7, "die": "atx",
                  "heater": {"feedback": False}}, **s),
            # rotate: each ring 0.2 nm red of its own line at 60 C; lines 1.5 nm apart over a 6 nm FSR
            dict({"name": "ctx", "block": "ctx", "count": 4, "wavelength": 1295.0 + 0.2 - 0.07 * 35, "spacing": 1.5,
                  "fsr": 6.0, "lock_error": 0.02, "heater": {"feedback": False}}, **s),
            dict({"name": "crx", "block": "crx", "count": 4, "wavelength": 1295.0 + 0.1 - 0.07 * 35, "spacing": 1.6,
                  "fsr": 6.0, "heater": {"feedback": False, "max_power": 4.5}}, **s)],
        "links": [
            {"name": "fixedlink", "laser": "ext", "tx": "atx", "rx": "arx", "lock": "fixed", "margin_threshold": 1.0},
            {"name": "wraplink", "laser": "dfb", "tx": "btx", "rx": "brx", "lock": "wrap", "rate": 56.0, "loss": 6.0, "sensitivity": -10.0,
             "electrical_energy": 1.5},
            {"name": "rotlink", "laser": "ext2", "tx": "ctx", "rx": "crx", "lock": "rotate", "rate": 200.0, "loss": 10.0, "margin_threshold": 8.0}],
    }


def u_case(name, optics, steady=True, yld=None):
    blocks = "".join(f"      - {{name: {n}, material: si, x: [{b[0]} mm, {b[1]} mm], y: [{b[2]} mm, {b[3]} mm]}}\n" for n, b in U_BLOCKS.items())
    time = ("time: {mode: steady}\n" if steady else
            "time: {end: 1 ms, dt: 0.1 ms, dt_max: 0.1 ms, initial: 60 C}\noutput: {series_every: 0.1 ms, fields_every: 1 ms}\n")
    return (f"version: 1\nname: {name}\nmaterials:\n{SI}footprint: {{x: [0, 3 mm], y: [0, 1 mm]}}\ngrid: {{max_cell_xy: 100 um}}\n"
            f"stack:\n  - name: die\n    thickness: 100 um\n    material: si\n    blocks:\n{blocks}"
            "boundaries:\n  top: {type: temperature, value: 60 C}\n  bottom: {type: temperature, value: 60 C}\n" + time +
            ref.case_yaml(optics, yld))


U_YIELD = {"assembly": {"asic": 0.9, "pic": 0.95, "bonds": 0.99}, "samples": 400, "seed": 11}


def hand_u():
    """Every U value at 60 C written out from the optics models (nm, mW, dB)."""
    d = 35.0  # K above T0 = 25 C
    h = {}
    pp = lambda r, fwhm: 10 * math.log10(1 + (2 * r / fwhm) ** 2)  # noqa: E731
    # lasers
    ext = {"wl": 1310 + 0.09 * 20, "dbm": 10 - 0.02 * 20}
    ext["elec"] = 4 * 10 ** (ext["dbm"] / 10) / (0.20 * math.exp(-20 / 200))
    dfb = {"wl": 1300 + 0.1 * d, "dbm": 6 - 0.03 * d}
    dfb["elec"] = 4 * 10 ** (dfb["dbm"] / 10) / (0.25 * math.exp(-d / 150))
    ext2 = {"wl": 1295.0, "dbm": 8.0}
    ext2["elec"] = 4 * 10 ** (8.0 / 10) / 0.20
    h["lasers"] = [ext, dfb, ext2]
    rings = []  # per ring: s, P, residual, locked, order, line, saturated
    # fixed link, tx: s_i = 3.35 - o_i: -0.3 (redder), 2.0, 6.4 (> 5.6: saturated), 3.0
    for i, o in enumerate([3.65, 1.35, -3.05, 0.35]):
        s = (ext["wl"] + 1.12 * i) - (1306.0 + 1.12 * i + o + 0.07 * d)
        if s < 0:
            rings.append((s, 0.0, -s, 0, 0, i, 0))
        elif s > 0.28 * 20:
            rings.append((s, 20.0, s - 5.6, 0, 0, i, 1))
        else:
            rings.append((s, s / 0.28, 0.0, 1, 0, i, 0))
    # fixed link, rx: s_i = 1311.8 + 1.12 i - (1307.5 + i + 0.06 * 35) = 2.2 + 0.12 i, all locked (range 6 nm), residual lock_error
    for i in range(4):
        s = (ext["wl"] + 1.12 * i) - (1307.5 + 1.0 * i + 0.06 * d)
        rings.append((s, s / 0.2, 0.01, 1, 0, i, 0))
    # wrap link, tx: s_i = 1303.5 + 0.8 i - (1302.8 + 0.3 i + 2.1) = -1.4, -0.9, -0.4, 0.1 with fsr 6 and range 0.25 * 21 = 5.25 nm:
    # d = 4.6, 5.1 (locked at the previous order, k = -1), 5.6 (out of reach: 21 mW, residual 0.35), 0.1 (k = 0)
    for i in range(4):
        s = (dfb["wl"] + 0.8 * i) - (1302.8 + 0.3 * i + 0.06 * d)
        k = math.floor(s / 6.0)
        dd = s - 6.0 * k
        rings.append((s, dd / 0.25, 0.0, 1, k, i, 0) if dd <= 5.25 else (s, 21.0, dd - 5.25, 0, k, i, 1))
    # wrap link, rx: s_i = 1303.5 + 0.8 i - (1288 + 0.8 i + 2.45) = 13.05: next order (d = 0.35, k = 1)
    for i in range(4):
        s = (dfb["wl"] + 0.8 * i) - (1288.0 + 0.8 * i + 0.07 * d)
        rings.append((s, (s - 12.7) / 0.28, 0.0, 1, 1, i, 0))
    # rotate link: lines 1295 + 1.5 j. tx ring i sits 0.2 nm red of line i; r = 1: d = 1.3 for every ring (ring 3 wraps
    # from line 0: s = -4.7, k = -1); r = 2, 3 need 2.8, 4.3 nm; r = 0 needs 5.8 > 5.6 (unlocked)
    for i in range(4):
        c = (i + 1) % 4
        s = (1295.0 + 1.5 * c) - (1295.0 + 0.2 + 1.5 * i)
        k = math.floor(s / 6.0)
        rings.append((s, (s - 6.0 * k) / 0.28, 0.02, 1, k, c, 0))
    # rx ring i at 1295.1 + 1.6 i, range 0.28 * 4.5 = 1.26 nm. r = 0: s_i = -0.1 - 0.1 i, d = 5.9 ... 5.6, none locked; r = 1:
    # s = 1.4, 1.3 (out of reach: 4.5 mW, residuals 0.14, 0.04), 1.2 and, for ring 3 on line 0, -4.9 (d = 1.1, k = -1): two locked;
    # r = 2 needs 2.9, 2.8, 2.7, 2.6 and r = 3 4.4 ... 4.1: none locked. So r = 1, and line 1 (served by ring 0) fails 8 dB
    for i in range(4):
        c = (i + 1) % 4
        s = (1295.0 + 1.5 * c) - (1295.1 + 1.6 * i)
        k = math.floor(s / 6.0)
        d = s - 6.0 * k
        rings.append((s, d / 0.28, 0.0, 1, k, c, 0) if d <= 1.26 else (s, 4.5, d - 1.26, 0, k, c, 1))
    h["rings"] = np.array(rings)
    # lines: margins (residual of the ring serving each line on each side)
    fw = {"atx": 1306.0 / 5000, "arx": 1307.5 / 8000, "btx": 1302.8 / 5000, "brx": 1288.0 / 5000,
          "ctx": (1295.0 + 0.2 - 0.07 * 35) / 5000, "crx": (1295.0 + 0.1 - 0.07 * 35) / 5000}
    R = h["rings"]
    margins, ups, links = [], [], []
    spec = [("atx", 0, "arx", 4, ext, 8.0, -12.0, 1.0, 112.0, 2.0), ("btx", 8, "brx", 12, dfb, 6.0, -10.0, 0.0, 56.0, 1.5),
            ("ctx", 16, "crx", 20, ext2, 10.0, -12.0, 8.0, 200.0, 2.0)]
    for tx, ftx, rx, frx, las, loss, sens, thr, rate, ee in spec:
        m = []
        for j in range(4):
            rt = [R[ftx + i, 2] for i in range(4) if R[ftx + i, 5] == j][0]
            rr = [R[frx + i, 2] for i in range(4) if R[frx + i, 5] == j][0]
            m.append(las["dbm"] - loss - pp(rt, fw[tx]) - pp(rr, fw[rx]) - sens)
        up = [float(x >= thr) for x in m]
        margins += m
        ups += up
        tune = float(R[ftx:ftx + 4, 1].sum() + R[frx:frx + 4, 1].sum())
        tp = rate * sum(up)
        links.append({"throughput": tp, "tuning_power": tune, "laser_power": las["elec"], "min_margin": min(m), "lines_up": sum(up),
                      "stable_throughput": tp, "stable_fraction": tp / (4 * rate), "tuning_power_mean": tune, "tuning_power_max": tune,
                      "min_margin_s": min(m), "relocks": 0.0, "time_all_up_fraction": float(sum(up) == 4), "laser_power_mean": las["elec"],
                      "energy_per_bit": (las["elec"] + tune) / (4 * rate) + ee,
                      "energy_per_stable_bit": (las["elec"] + tune + ee * 4 * rate) / tp if tp > 0 else math.inf,
                      "ring_temperature_swing": 0.0, "ring_temperature_max": 60.0,
                      "saturated": float(any(R[ftx:ftx + 4, 6]) or any(R[frx:frx + 4, 6]))})
    h["margin"], h["up"], h["links"] = np.array(margins), np.array(ups), links
    return h


def check_hand_u(tap, tag, r, steady):
    h = hand_u()
    s = r["series"]
    ns = len(r["time"])
    tap.close(f"{tag}_uniform_temperature", max(rel(r["ring_t"], np.full_like(r["ring_t"], T_U), 1.0), rel(r["T"], np.full_like(r["T"], 60.0), 1.0)),
              1e-12, "every cell, ring slice and ring temperature equals the 60 C of both faces; max |difference| in K")
    laser = [h["lasers"][k] for k in range(3)]
    e = max(rel(s["lasers/temperature"][:, 1], np.full(ns, 60.0)), rel(s["lasers/temperature"][:, 0], np.full(ns, 45.0)))
    tap.close(f"{tag}_laser_temperatures", e, 1e-12, "external: its own 45 C; DFB: the mean over its block, 60 C; relative difference")
    for key, k in (("lasers/wavelength", "wl"), ("lasers/power_dbm", "dbm"), ("lasers/electrical_power", "elec")):
        want = np.tile([x[k] for x in laser], (ns, 1))
        tap.close(f"{tag}_{key.replace('/', '_')}", rel(s[key], want), 1e-12,
                  f"{[round(x[k], 6) for x in laser]} (line 0 + drift (T - T0); power + power_drift (T - T0); "
                  "lines 10^(dBm/10) / (WPE0 exp(-(T-T0)/wpe_t1))); relative difference")
    R = h["rings"]
    for key, col, what in (("rings/detuning", 0, "s_i = line - untuned resonance"),
                           ("rings/heater_power", 1, "d / efficiency, 0 when redder, max_power when out of range"),
                           ("rings/residual_detuning", 2, "lock_error, -d when redder, d - range when saturated")):
        tap.close(f"{tag}_{key.replace('/', '_')}", rel(s[key], np.tile(R[:, col], (ns, 1))), 1e-9,
                  f"24 rings: {what}; relative to the largest value")
    ok = all(np.array_equal(s[k], np.tile(R[:, c], (ns, 1))) for k, c in (("rings/locked", 3), ("rings/order", 4), ("rings/line", 5)))
    tap.check(f"{tag}_ring_locked_order_line", ok and not s["rings/relock"].any(),
              f"locked {R[:, 3].astype(int).tolist()}, order {R[:, 4].astype(int).tolist()}, line {R[:, 5].astype(int).tolist()} "
              "(rotate: rotation 1 on both sides); no relock")
    tap.close(f"{tag}_line_margins", rel(s["lines/margin"], np.tile(h["margin"], (ns, 1))), 1e-9,
              f"12 lines {np.round(h['margin'], 4).tolist()} dB = P_dBm - loss - PP_tx - PP_rx - sensitivity; relative difference")
    tap.check(f"{tag}_lines_up", np.array_equal(s["lines/up"], np.tile(h["up"], (ns, 1))), f"up {h['up'].astype(int).tolist()} (margin >= threshold)")
    worst = 0.0
    for li, lk in enumerate(h["links"]):
        for key in ("throughput", "tuning_power", "laser_power", "min_margin", "lines_up"):
            worst = max(worst, rel(s[f"links/{key}"][:, li], np.full(ns, lk[key])))
    tap.close(f"{tag}_link_series", worst, 1e-9, "throughput, tuning power, laser power, min margin, lines up of the 3 links; relative difference")
    worst, where = 0.0, ""
    for li, name in enumerate(("fixedlink", "wraplink", "rotlink")):
        lk = h["links"][li]
        got = r["links"][name]
        span = 0.0 if steady else 1e-3 - 0.3e-3  # metrics_from 0.25 ms: samples from 0.3 ms
        want = dict(lk, min_margin=lk["min_margin_s"], heater_saturated_time=lk["saturated"] * span)
        for k in METRICS:
            e = close_metric(float(got[k]), want[k])
            if e > worst:
                worst, where = e, f"{name}.{k}"
    tap.close(f"{tag}_link_metrics", worst, 1e-9,
              f"{len(METRICS)} summary metrics of each link vs hand values (worst {where or 'none'}); relative difference")
    return h


def case_u(tap, wd, results):
    op = ref.Optics(u_optics(), U_YIELD)
    r = tap.guard("U_steady_run", run, wd, "u", u_case("u", u_optics(), True, U_YIELD))
    if r is not None:
        results["U"] = ("u", u_case("u", u_optics(), True, U_YIELD), [], r)
        check_hand_u(tap, "U_steady", r, True)
        rep = check_replay(tap, "U_steady", op, r)
        check_yield_nominal(tap, "U_steady", op, r, rep)
    optt = dict(u_optics(), metrics_from=0.25e-3)
    opt = ref.Optics(optt, U_YIELD)
    text = u_case("ut", optt, False, U_YIELD)
    r = tap.guard("U_transient_run", run, wd, "ut", text)
    if r is not None:
        results["Ut"] = ("ut", text, [], r)
        tap.check("U_transient_samples", np.allclose(r["time"], np.arange(11) * 1e-4, rtol=0, atol=1e-15),
                  f"{len(r['time'])} samples at 0, 0.1, ..., 1 ms")
        check_hand_u(tap, "U_transient", r, False)
        rep = check_replay(tap, "U_transient", opt, r)
        check_yield_nominal(tap, "U_transient", opt, r, rep)
    # with spread: the Monte Carlo on 1 and 3 ranks and the brute force here
    ops = u_optics(sigma_die=1.5, sigma_local=0.3)
    text = u_case("us", ops, True, U_YIELD)
    r1 = tap.guard("U_spread_run", run, wd, "us1", text)
    r3 = tap.guard("U_spread_run_3_ranks", run, wd, "us3", text, (), 3)
    if r1 is not None and r3 is not None:
        keys = ["spectral_yield", "spectral_yield_se", "link_yield", "link_yield_se", "yield_adjusted_bandwidth", "yield_adjusted_bandwidth_se"]
        same = all(float(r1["links"][n][k]) == float(r3["links"][n][k]) for n in r1["links"] for k in keys)
        tap.check("U_yield_same_on_3_ranks", same,
                  "spectral and link yield, yield-adjusted bandwidth and standard errors of 3 links identical (==) on "
                  f"1 and 3 ranks: {[round(float(r1['links'][n]['spectral_yield']), 6) for n in r1['links']]}")
    if r1 is not None:
        opsr = ref.Optics(ops, U_YIELD)
        mc = ref.spectral_yield_mc(opsr, r1["time"], r1["ring_t"], r1["laser_t"])
        worst, msg = 0.0, []
        for li, lk in enumerate(opsr.links):
            got = r1["links"][lk["name"]]
            want = mc[li]
            for k, v in zip(("spectral_yield", "spectral_yield_se", "link_yield", "link_yield_se"), want):
                worst = max(worst, abs(float(got[k]) - v))
            msg.append(f"{lk['name']} {want[0]:.6g} +- {want[1]:.2g}, link {want[2]:.4g}")
        tap.close("U_yield_brute_force", worst, 1e-12, f"{U_YIELD['samples']} draws replayed sample by sample here with photherm's generator: "
                  + "; ".join(msg) + "; max absolute difference")


# ---------------------------------------------------------------------------------------------------------------
# F: heater feedback, steady fixed point

# rxa and the laser block straddle x = 1 mm, where 2 ranks split the mesh
F_BLOCKS = {"txa": (0.4, 0.8, 0.3, 0.4), "rxa": (0.85, 1.25, 0.3, 0.4), "txb": (0.4, 0.8, 0.6, 0.7), "rxb": (1.2, 1.6, 0.6, 0.7),
            "lasb": (0.9, 1.1, 0.05, 0.25), "asic": (1.7, 1.9, 0.1, 0.9)}
F_Z = (310e-6, 330e-6)  # the device layer


FT_TIME = ("time: {end: 1 ms, dt: 50 us, dt_max: 50 us, initial: 40 C}\n"
           "output: {series_every: 100 us, fields_every: 100 us}\n")


def f_geometry(name, sources, time="time: {mode: steady}\n"):
    blocks = "".join(f"      - {{name: {n}, material: si, x: [{b[0]} mm, {b[1]} mm], y: [{b[2]} mm, {b[3]} mm]}}\n" for n, b in F_BLOCKS.items())
    return (f"version: 1\nname: {name}\nmaterials:\n{SI}{OX}footprint: {{x: [0, 2 mm], y: [0, 1 mm]}}\ngrid: {{max_cell_xy: 50 um}}\n"
            "stack:\n  - {name: sub, thickness: 300 um, material: si, cells: 3}\n  - {name: box, thickness: 10 um, material: ox, cells: 1}\n"
            f"  - name: dev\n    thickness: 20 um\n    material: ox\n    cells: 1\n    blocks:\n{blocks}"
            "  - {name: clad, thickness: 10 um, material: ox, cells: 1}\n"
            "boundaries:\n  bottom: {type: temperature, value: 40 C}\n  top: {type: convection, h: 2e4 W/m^2/K, ambient: 40 C}\n"
            + time + ("sources:\n" + "".join(f"  - {s}\n" for s in sources) if sources else ""))


F_ASIC = "{name: asic, block: asic, power: 20 mW}"


def f_optics():
    return {
        "lasers": [
            {"name": "dfb", "type": "vcsel", "at": "lasb", "lines": 4, "power": 0.0, "heat": True},
            {"name": "ext", "type": "external", "temperature": 313.15, "lines": 4, "wavelength": 1311.0}],
        "rings": [
            # fixed: about 4 nm to go for rings 0, 2, 3; ring 1 is redder than its line (heater off), warmed by its neighbours
            {"name": "txa", "block": "txa", "count": 4, "wavelength": 1306.3, "spacing": 1.12, "offsets": [0.0, 5.0, 0.3, -0.4],
             "sigma_die": 0.0, "sigma_local": 0.0, "heater": {"max_power": 40.0}},
            {"name": "rxa", "block": "rxa", "count": 4, "wavelength": 1307.0, "spacing": 1.12, "sigma_die": 0.0, "sigma_local": 0.0,
             "heater": {"max_power": 40.0, "efficiency": 0.25}},
            # wrap
            {"name": "txb", "block": "txb", "count": 4, "wavelength": 1310.0, "spacing": 1.0, "fsr": 8.0, "sigma_die": 0.0, "sigma_local": 0.0,
             "heater": {"max_power": 40.0}},
            {"name": "rxb", "block": "rxb", "count": 4, "wavelength": 1302.0, "spacing": 1.2, "fsr": 9.0, "sigma_die": 0.0, "sigma_local": 0.0,
             "heater": {"max_power": 40.0}}],
        "links": [
            {"name": "la", "laser": "dfb", "tx": "txa", "rx": "rxa", "lock": "fixed", "loss": 4.0},
            {"name": "lb", "laser": "ext", "tx": "txb", "rx": "rxb", "lock": "wrap"}],
    }


def f_slices(op):
    """(group, ring, x0, x1, y0, y1) of every ring slice in mm (the blocks are longer along x: slices along x)."""
    out = []
    for g in op.rings:
        x0, x1, y0, y1 = F_BLOCKS[g["block"]]
        w = (x1 - x0) / g["count"]
        out += [(g["name"], i, x0 + i * w, x0 + (i + 1) * w, y0, y1) for i in range(g["count"])]
    return out


def slice_source(name, sl, power_text):
    return f"{{name: {name}, layer: dev, x: [{sl[2]!r} mm, {sl[3]!r} mm], y: [{sl[4]!r} mm, {sl[5]!r} mm], power: {power_text}}}"


def f_slice_means(r, op):
    blocks = {n: ((b[0] * 1e-3, b[1] * 1e-3), (b[2] * 1e-3, b[3] * 1e-3), F_Z) for n, b in F_BLOCKS.items()}
    return slice_means(r, blocks, op, -1)


def case_f(tap, wd, results):
    opt = f_optics()
    yld = {"assembly": {"pic": 0.97}, "samples": 50, "seed": 3}
    op = ref.Optics(opt, yld)
    text = f_geometry("f", [F_ASIC]) + ref.case_yaml(opt, yld)
    r = tap.guard("F_run", run, wd, "f", text, TIGHT)
    if r is None:
        return
    results["F"] = ("f", text, TIGHT, r)
    s = r["series"]
    P = s["rings/heater_power"][0]  # mW
    Ti = r["ring_t"][0]
    Ts = s["rings/slice_temperature"][0] + ZERO_C
    tap.note(f"F heater powers {np.round(P, 4).tolist()} mW, ring temperatures {np.round(Ti - ZERO_C, 4).tolist()} C, "
             f"slices {np.round(Ts - ZERO_C, 4).tolist()} C")
    # (a) locking condition of every locked ring: drift (T_i - T0) + design + i spacing + offset + efficiency P_i = its line
    worst, n = 0.0, 0
    TL = r["laser_t"][0]
    for li, lk in enumerate(op.links):
        la = op.laser_index[lk["laser"]]
        laser = op.lasers[la]
        line0 = laser["wavelength"] + laser["drift"] * (TL[la] - op.t0)
        for side in ("tx", "rx"):
            gi = op.group_index[lk[side]]
            g = op.rings[gi]
            for i in range(g["count"]):
                k = op.first[gi] + i
                if not s["rings/locked"][0, k]:
                    continue
                tuned = g["drift"] * (Ti[k] - op.t0) + g["wavelength"] + i * g["spacing"] + g["offsets"][i] + g["heater"]["efficiency"] * P[k]
                line = line0 + i * laser["spacing"]
                if lk["lock"] == "wrap":
                    line -= s["rings/order"][0, k] * g["fsr"]  # the resonance order it locked to
                worst = max(worst, abs(tuned - line) / (g["heater"]["efficiency"] * 1e-3))
                n += 1
    tap.close("F_locking_condition", worst, 1.0, f"{n} locked rings: |drift (T_i - T0) + resonance at T0 + efficiency P_i - line (- k fsr)| "
              "in units of efficiency * 1 uW")
    tap.check("F_heaters_tens_of_mW", P.sum() > 50 and int(s["rings/locked"][0].sum()) >= 12 and P[1] == 0.0,
              f"total heater power {P.sum():.4g} mW, {int(s['rings/locked'][0].sum())} of 16 rings locked, txa[1] redder than its line at {P[1]} mW")
    # the heat the mesh received at t = 0: each ring's power spread uniformly over its slice, the laser's heat over its block
    cp = r["cp"]
    vol = cp["volume"]
    pdv = r["power_density"] * vol
    x, y, z = r["mesh"]
    xc, yc, zc = 0.5 * (x[1:] + x[:-1]), 0.5 * (y[1:] + y[:-1]), 0.5 * (z[1:] + z[:-1])

    def mask(x0, x1, y0, y1):
        return (((zc > F_Z[0]) & (zc < F_Z[1]))[:, None, None] & ((yc > y0 * 1e-3) & (yc < y1 * 1e-3))[None, :, None]
                & ((xc > x0 * 1e-3) & (xc < x1 * 1e-3))[None, None, :])

    worst_p, worst_u = 0.0, 0.0
    for k, sl in enumerate(f_slices(op)):
        m = mask(*sl[2:])
        worst_p = max(worst_p, abs(pdv[m].sum() * 1e3 - P[k]))
        dens = r["power_density"][m]
        worst_u = max(worst_u, float(np.ptp(dens) / max(dens.max(), 1e-300)) if P[k] > 0 else float(np.abs(dens).max()))
    la = op.lasers[0]
    st = ref.laser_state(la, op.t0, TL[0])
    qlas = st["electrical"] - st["optical"]  # mW
    mlas = mask(*F_BLOCKS["lasb"])
    ex_laser = abs(pdv[mlas].sum() * 1e3 - qlas)
    tap.close("F_heat_spread_over_slices", max(worst_p, ex_laser), 1e-3,
              f"integral of /fields/power_density over each slice vs its heater power, and over the laser block vs electrical - optical = "
              f"{qlas:.6g} mW (from the recorded laser temperature); max |difference| in mW (the fixed point stops at 1 uW)")
    tap.close("F_heat_uniform_in_slices", worst_u, 1e-12, "power density spread of each heated slice / its value")
    mesh_ok = {}

    # (b) the heat equation: the same geometry without optics, the recorded heater and laser heat as sources
    srcs = [F_ASIC, f"{{name: laser, block: lasb, power: {qlas!r} mW}}"]
    srcs += [slice_source(f"h{k}", sl, f"{P[k]!r} mW") for k, sl in enumerate(f_slices(op)) if P[k] > 0]
    rr = tap.guard("F_rerun", run, wd, "f_rerun", f_geometry("f_rerun", srcs), TIGHT)
    # the probes: 1 W in every other slice of each group, and 1 W in the laser block
    probe = {}
    for parity in (0, 1):
        ps = [slice_source(f"p{k}", sl, "1 W") for k, sl in enumerate(f_slices(op)) if sl[1] % 2 == parity]
        probe[parity] = tap.guard(f"F_probe_{parity}", run, wd, f"f_probe{parity}", f_geometry(f"f_probe{parity}", ps), TIGHT)
    probe["laser"] = tap.guard("F_probe_laser", run, wd, "f_probel", f_geometry("f_probel", ["{name: l, block: lasb, power: 1 W}"]), TIGHT)
    base = tap.guard("F_base", run, wd, "f_base", f_geometry("f_base", srcs[:2]), TIGHT)
    runs = [rr, probe[0], probe[1], probe["laser"], base]
    if any(x is None for x in runs):
        return
    for x in runs:
        mesh_ok[id(x)] = all(a.shape == b.shape and np.abs(a - b).max() < 1e-12 for a, b in zip(x["mesh"], r["mesh"]))
    tap.check("F_reruns_same_mesh", all(mesh_ok.values()),
              "the slice sources of the thermal-only runs fall on grid lines of the optics run: same mesh lines (to 1e-12 m)")
    T_f = r["T"][-1]
    rise = float(T_f.max() - 40.0)
    bound = 1e-6 * sum(float(p["T"][-1].max() - 40.0) for p in (probe[0], probe[1], probe["laser"]))
    diff = float(np.abs(rr["T"][-1] - T_f).max())
    tap.close("F_heat_equation", diff, bound + 1e-9 * rise,
              f"thermal-only rerun with the recorded {len(srcs) - 2} heater powers in their slices and the laser heat: max |T - T_rerun| in K "
              f"(rise {rise:.4g} K; bound: 1 uW times the peak unit responses of all heaters and the laser, {bound:.3g} K, + 1e-9 of the rise)")
    # (c) R_ii from the probes: the mean rise of slice i when it and every other slice of its parity carry 1 W
    Rp = np.zeros(op.nring)
    for parity in (0, 1):
        m = f_slice_means(probe[parity], op) - 40.0
        for k, sl in enumerate(f_slices(op)):
            if sl[1] % 2 == parity:
                Rp[k] = m[k]  # K/W
    worst = 0.0
    for k in range(op.nring):
        got = Ts[k] - Ti[k]  # R_ii * applied power, K
        allow = Rp[k] * 1e-6 + 1e-8 * Rp[k] * P[k] * 1e-3
        worst = max(worst, abs(got - Rp[k] * P[k] * 1e-3) / allow)
    tap.close("F_self_response", worst, 1.0,
              f"R_ii from the probes {np.round(Rp, 3).tolist()} K/W; |(slice - ring temperature) - R_ii P_i| in units of "
              "R_ii * 1 uW + 1e-8 of R_ii P_i")
    share = max(g["drift"] * Rp[op.first[gi] + i] * 1e-3 / g["heater"]["efficiency"] for gi, g in enumerate(op.rings) for i in range(g["count"]))
    got = float(r["summary"]["heater_self_share"])
    tap.close("F_heater_self_share", abs(got - share) / share, 1e-8,
              f"heater_self_share {got:.10g} vs max drift R_ii / efficiency from the probes {share:.10g}; relative")
    # (d) heater heat in the energy balance
    heaters = P.sum() * 1e-3
    gen = heaters + qlas * 1e-3 + 20e-3
    e = float(r["summary"]["energy_balance_error"])
    out = heat_out(r)
    tap.close("F_energy_balance", e, 1e-6,
              f"energy_balance_error with {heaters * 1e3:.4g} mW of heater heat, {heaters / gen:.1%} of the {gen * 1e3:.4g} mW generated "
              "(without it the error would be about that share)")
    held = float(pdv.sum())  # the heat the field was solved with: the powers of the last fixed-point iteration
    tap.close("F_heat_out_of_faces", abs(out - held) / held, 1e-9,
              f"heat through the top and bottom faces from the field {out * 1e3:.9g} mW vs the integral of /fields/power_density "
              f"{held * 1e3:.9g} mW; relative")
    tap.close("F_held_heat_vs_recorded", abs(held - gen), len(P) * 1e-6 + 1e-6,
              f"that held heat vs asic + laser heat + recorded heater powers {gen * 1e3:.9g} mW: |difference| in W "
              "(the fixed point stops when no power "
              "changes by 1 uW)")
    # crosstalk: txa[1] has no heater power; its slice warms by what conduction from its heated neighbours gives
    k = 1
    mr = f_slice_means(rr, op)
    mb = f_slice_means(base, op)
    xt = Ts[k] - ZERO_C - mb[k]
    tap.close("F_crosstalk", abs(Ts[k] - ZERO_C - mr[k]), bound + 1e-9 * rise,
              f"txa[1] (heater off) sits {xt:.4g} K above its temperature without heaters; photherm's slice mean vs the rerun's: |difference| in K")
    worst = float(np.abs(Ts - ZERO_C - mr).max())
    tap.close("F_slice_temperatures_rerun", worst, bound + 1e-9 * rise,
              "every ring's slice_temperature vs the rerun's slice mean; max |difference| in K")
    tap.close("F_slice_temperature_from_field", float(np.abs(Ts - ZERO_C - f_slice_means(r, op)).max()), 1e-10,
              "slice_temperature vs the exact-overlap volume mean of /fields/temperature; max |difference| in K")
    rep = check_replay(tap, "F", op, r)
    check_yield_nominal(tap, "F", op, r, rep)
    case_ft(tap, wd, results, Rp)
    # a transient started from the steady state stays on the fixed point
    text = f_geometry("fs", [F_ASIC], FT_TIME.replace("end: 1 ms", "end: 0.3 ms").replace("initial: 40 C", "initial: steady")) + ref.case_yaml(opt)
    rs = tap.guard("FS_run", run, wd, "fs", text, TIGHT + ["-ts_adapt_type", "none"])
    if rs is not None:
        dp = float(np.abs(rs["series"]["rings/heater_power"] - P).max())
        dT = float(np.abs(rs["T"] - T_f).max())
        tap.check("FS_initial_steady_stays", dp < 1e-3 and dT <= bound + 1e-9 * rise,
                  f"initial: steady, {len(rs['time'])} samples to 0.3 ms: heater powers within {dp * 1e3:.2g} uW of the steady run's (tolerance 1 uW), "
                  f"fields within {dT:.2g} K (tolerance {bound + 1e-9 * rise:.2g} K)")


def case_ft(tap, wd, results, Rp):
    """Feedback in a transient: each sample's heater and laser heat is held until the next sample (lagged coupling), and the
    ring temperature subtracts R_ii times the power held since the previous sample."""
    opt = f_optics()
    op = ref.Optics(opt)
    args = TIGHT + ["-ts_adapt_type", "none"]
    text = f_geometry("ft", [F_ASIC], FT_TIME) + ref.case_yaml(opt)
    r = tap.guard("FT_run", run, wd, "ft", text, args)
    if r is None:
        return
    results["FT"] = ("ft", text, args, r)
    s = r["series"]
    t = r["time"]
    P = s["rings/heater_power"]
    held = np.vstack([np.zeros(op.nring), P[:-1]])  # mW held over the interval before each sample
    Ts = s["rings/slice_temperature"] + ZERO_C
    e = float(np.abs(Ts - r["ring_t"] - Rp * held * 1e-3).max())
    tap.close("FT_ring_temperature_lag", e, 1e-8,
              f"{len(t)} samples: slice - ring temperature = R_ii (probe) x the power held since the previous sample; max "
              "|difference| in K")
    # the same run without optics: every heater and the laser as a held trace of the recorded powers
    st = [ref.laser_state(op.lasers[0], op.t0, T) for T in r["laser_t"][:, 0]]
    qlas = [x["electrical"] - x["optical"] for x in st]
    times = ", ".join(f"{x!r} s" for x in t)

    def steps(values):
        return f"{{pattern: steps, times: [{times}], values: [" + ", ".join(f"{v!r} mW" for v in values) + "]}"

    srcs = [F_ASIC, f"{{name: laser, block: lasb, power: {steps(qlas)}}}"]
    srcs += [slice_source(f"h{k}", sl, steps(P[:, k])) for k, sl in enumerate(f_slices(op)) if P[:, k].any()]
    rr = tap.guard("FT_rerun", run, wd, "ft_rerun", f_geometry("ft_rerun", srcs, FT_TIME), args)
    if rr is None:
        return
    rise = float(r["T"].max() - 40.0)
    e = float(np.abs(rr["T"] - r["T"]).max())
    tap.close("FT_heat_held_between_samples", e, 1e-8 * rise,
              f"{len(r['fields_time'])} snapshots of the run vs a thermal-only run with the recorded heater "
              f"powers and laser heat as held steps at the sample times; max |difference| in K (rise {rise:.4g} K)")
    # continued from the snapshot at 0.6 ms: the heat held and the lock state carry over (cases/README.md section 13)
    ctext = text.replace("name: ft\n", "name: ftc\n").replace("end: 1 ms", "end: 0.4 ms").replace("initial: 40 C", "initial: {file: ft.h5, time: 0.6 ms}")
    rc = tap.guard("FT_continue_run", run, wd, "ftc", ctext, args)
    if rc is not None:
        compare_continued(tap, "FT", r, rc, 6, "time.initial: {file: ft.h5, time: 0.6 ms}, heater feedback and laser heat")
    other = dict(opt, lasers=opt["lasers"][:1], rings=opt["rings"][:2], links=opt["links"][:1])
    write(os.path.join(wd, "ftx.yaml"), f_geometry("ftx", [F_ASIC], FT_TIME.replace("initial: 40 C", "initial: {file: ft.h5, time: 0.6 ms}"))
          + ref.case_yaml(other))
    p = photherm(["run", "ftx.yaml", "-o", "ftx.h5", "-quiet"], wd)
    tap.check("FT_continue_other_optics", p.returncode == 1 and "continue only with the same optics" in p.stderr,
              f"continuing with 8 rings and 1 laser from a result with 16 and 2: exit {p.returncode}, {p.stderr.strip()[:160]!r}")
    tap.close("FT_energy_balance", float(r["energy_error"].max()), 1e-9, f"max /series/energy_error with heater and laser heat changing at every sample "
              f"(up to {P.sum(axis=1).max():.4g} mW of heaters); tight solves")
    check_replay(tap, "FT", op, r)


def heat_out(r):
    """Heat leaving a steady F field through the fixed-temperature bottom and the convective top (README.md, Thermal model)."""
    cp = r["cp"]
    T = r["T"][-1]
    area = cp["dy"][:, None] * cp["dx"][None, :]
    bot = area / (cp["dz"][0] / (2 * cp["k"][2][0])) * (T[0] - 40.0)
    top = area / (cp["dz"][-1] / (2 * cp["k"][2][-1]) + 1 / 2e4) * (T[-1] - 40.0)
    return float(bot.sum() + top.sum())


# ---------------------------------------------------------------------------------------------------------------
# R: relocks in a transient

# wrx is square (sliced along x) and straddles x = 1 mm, where 2 ranks split the mesh; rrx is longer along y (sliced along y,
# slices of 117 um on 50 um cells); rtx has slices of 133 um
R_BLOCKS = {"wtx": (0.4, 0.8, 0.3, 0.4), "wrx": (0.85, 1.25, 0.05, 0.45), "rtx": (0.4, 0.8, 0.6, 0.7), "rrx": (1.3, 1.4, 0.55, 0.9),
            "ftx": (0.4, 0.6, 0.1, 0.2), "frx": (1.7, 1.9, 0.6, 0.7)}
R_DT = 50e-6       # series_every
R_RELOCK = 125e-6  # 2.5 sample intervals: a relock at t takes its line down at t, t + 50 us and t + 100 us, up again for the last
#                    25 us of [t + 100 us, t + 150 us)
R_END = 2.5e-3
R_FROM = 0.1e-3


def r_case(name, opt=None):
    blocks = "".join(f"      - {{name: {n}, material: si, x: [{b[0]} mm, {b[1]} mm], y: [{b[2]} mm, {b[3]} mm]}}\n" for n, b in R_BLOCKS.items())
    opt = r_optics() if opt is None else opt
    return (f"version: 1\nname: {name}\nmaterials:\n{SI}{OX}footprint: {{x: [0, 2 mm], y: [0, 1 mm]}}\ngrid: {{max_cell_xy: 50 um}}\n"
            "stack:\n  - {name: sub, thickness: 300 um, material: si, cells: 3}\n  - {name: box, thickness: 10 um, material: ox, cells: 1}\n"
            f"  - name: dev\n    thickness: 20 um\n    material: ox\n    cells: 1\n    blocks:\n{blocks}"
            "  - {name: clad, thickness: 10 um, material: ox, cells: 1}\n"
            "boundaries:\n  bottom: {type: temperature, value: 40 C}\n  top: {type: convection, h: 2e4 W/m^2/K, ambient: 40 C}\n"
            "sources:\n"
            "  - {name: hot_w, layer: dev, x: [0.4 mm, 0.8 mm], y: [0.1 mm, 0.4 mm],\n"
            "     power: {pattern: steps, times: [0 s, 0.2 ms], values: [0 W, 0.6 W]}}\n"
            "  - {name: hot_r, block: rtx, power: {pattern: steps, times: [0 s, 0.6 ms], values: [0 W, 0.15 W]}}\n"
            f"time: {{end: {R_END!r} s, dt: 25 us, dt_max: 25 us, initial: 40 C}}\n"
            f"output: {{series_every: {R_DT!r} s, fields_every: 0.5 ms}}\n" + ref.case_yaml(opt, {"assembly": {"a": 0.5}, "samples": 20}))


def r_optics(sigma_die=0.0, sigma_local=0.0):
    opt = {
        "metrics_from": R_FROM,
        "lasers": [  # both at T0: their lines do not move
            {"name": "lw", "type": "external", "temperature": 298.15, "lines": 4, "wavelength": 1310.0, "spacing": 2.0},
            {"name": "lr", "type": "external", "temperature": 298.15, "lines": 3, "wavelength": 1300.0, "spacing": 2.0},
            {"name": "lf", "type": "external", "temperature": 298.15, "lines": 2, "wavelength": 1290.0, "spacing": 1.5}],
        "rings": [
            # wrap, heated: at 40 C ring i needs s_i = 0.3 + 0.4 i nm; heating by s_i / 0.07 K takes it past its line, and it relocks
            # at the previous order (range 5.6 nm > fsr 5 nm: always locked)
            {"name": "wtx", "block": "wtx", "count": 4, "wavelength": 1310.0 - 0.3 - 0.07 * 15, "spacing": 2.0 - 0.4, "fsr": 5.0,
             "heater": {"feedback": False}},
            # wrap, not heated: s_i = 1.0 + 1.6 i; ring 3 is out of reach (d = 5.8 nm > 5.6 nm): its line's margin fails the 10 dB threshold
            {"name": "wrx", "block": "wrx", "count": 4, "wavelength": 1310.0 - 1.0 - 0.07 * 15, "spacing": 2.0 - 1.6, "fsr": 12.0,
             "heater": {"feedback": False}, "lock_error": 0.005},
            # rotate, heated, 3 rings on 3 slices that do not fall on cell faces: at 40 C each ring is 0.5 nm blue of its own line
            # (r = 0, 0.5 nm to go; range 2.8 nm < fsr 6 nm); once a ring turns red of its line, r = 1 locks more rings
            {"name": "rtx", "block": "rtx", "count": 3, "wavelength": 1300.0 - 0.5 - 0.07 * 15, "spacing": 2.0, "fsr": 6.0,
             "heater": {"feedback": False, "max_power": 10.0}},
            {"name": "rrx", "block": "rrx", "count": 3, "wavelength": 1300.0 - 0.8 - 0.07 * 15, "spacing": 2.0, "fsr": 6.0,
             "heater": {"feedback": False, "max_power": 10.0}},
            # fixed, heated: ring 0 needs 0.3 nm at 40 C and turns redder than its line; ring 1 needs 6.1 nm > range 5.6 nm, and heating
            # brings it within range (a relock from unlocked)
            {"name": "ftx", "block": "ftx", "count": 2, "wavelength": 1290.0 - 0.3 - 0.07 * 15, "spacing": 1.5, "offsets": [0.0, -5.8],
             "heater": {"feedback": False}},
            {"name": "frx", "block": "frx", "count": 2, "wavelength": 1290.0 - 2.0 - 0.07 * 15, "spacing": 1.5,
             "heater": {"feedback": False}}],
        "links": [
            {"name": "fl", "laser": "lf", "tx": "ftx", "rx": "frx", "lock": "fixed", "relock_time": R_RELOCK},
            {"name": "wl", "laser": "lw", "tx": "wtx", "rx": "wrx", "lock": "wrap", "relock_time": R_RELOCK, "margin_threshold": 10.0},
            {"name": "rl", "laser": "lr", "tx": "rtx", "rx": "rrx", "lock": "rotate", "relock_time": R_RELOCK, "rate": 100.0}],
    }
    for g in opt["rings"]:
        g.update(sigma_die=sigma_die, sigma_local=sigma_local)
    return opt


def metrics_from_series(op, r):
    """The link metrics computed from photherm's own series (margins, relock flags, ring lines, heater powers): the
    left-rectangle rule over sample intervals with outages as exact overlaps with [t, t + relock_time)."""
    s = r["series"]
    rep = {}
    rep["ok"] = np.zeros_like(s["lines/margin"])
    rep["outages"] = [[] for _ in range(op.nline)]
    rep["saturated"] = np.zeros_like(s["rings/heater_power"])
    for li, lk in enumerate(op.links):
        lf = op.line_first[li]
        n = op.lasers[op.laser_index[lk["laser"]]]["lines"]
        rep["ok"][:, lf:lf + n] = s["lines/margin"][:, lf:lf + n] >= lk["margin_threshold"]
        for side in ("tx", "rx"):
            gi = op.group_index[lk[side]]
            g = op.rings[gi]
            for i in range(g["count"]):
                k = op.first[gi] + i
                rep["saturated"][:, k] = s["rings/heater_power"][:, k] >= g["heater"]["max_power"]
                for si in np.nonzero(s["rings/relock"][:, k])[0]:
                    t = r["time"][si]
                    rep["outages"][lf + int(s["rings/line"][si, k])].append((t, t + lk["relock_time"]))
    rep.update({"throughput": s["links/throughput"], "tuning_power": s["links/tuning_power"], "laser_power": s["links/laser_power"],
                "lines_up": s["links/lines_up"], "margin": s["lines/margin"], "relock": s["rings/relock"]})
    return {lk["name"]: ref.link_metrics(op, li, r["time"], r["ring_t"], rep) for li, lk in enumerate(op.links)}


def case_r(tap, wd, results):
    op = ref.Optics(r_optics(), {"assembly": {"a": 0.5}, "samples": 20})
    text = r_case("rl")
    args = TIGHT + ["-ts_adapt_type", "none"]
    r = tap.guard("R_run", run, wd, "rl", text, args)
    if r is None:
        return
    results["R"] = ("rl", text, args, r)
    s = r["series"]
    t = r["time"]
    ns = len(t)
    tap.check("R_samples", ns == 51 and np.allclose(t, np.arange(51) * R_DT, rtol=0, atol=1e-15), f"{ns} samples every 50 us to 2.5 ms")
    names = r["ring_names"]
    relocks = {names[k]: [round(t[i] * 1e3, 3) for i in np.nonzero(s["rings/relock"][:, k])[0]] for k in range(op.nring)}
    tap.note(f"R relocks (ms): {relocks}")
    wtx = [op.first[0] + i for i in range(4)]
    rtx = [op.first[2] + i for i in range(3)]
    ftx = [op.first[4] + i for i in range(2)]
    ok_f = (relocks[names[ftx[0]]] == [] and len(relocks[names[ftx[1]]]) == 1 and s["rings/locked"][0, ftx].tolist() == [1, 0]
            and s["rings/locked"][-1, ftx].tolist() == [0, 1] and s["rings/heater_power"][-1, ftx[0]] == 0)
    tap.check("R_fixed_lock_and_unlock", ok_f,
              "fixed: ftx[0] turns redder than its line (unlocked, heater off, no relock); ftx[1], out of range at first, "
              f"comes within range and relocks at {relocks[names[ftx[1]]]} ms")
    ok_w = all(len(relocks[names[k]]) == 1 for k in wtx) and all(s["rings/order"][-1, k] == -1 and s["rings/order"][0, k] == 0 for k in wtx)
    tap.check("R_wrap_relocks_at_next_order", ok_w, "each of the 4 heated wrap rings relocks once, from order 0 to order -1 (its next resonance), "
              f"at {[relocks[names[k]][0] if relocks[names[k]] else None for k in wtx]} ms")
    ok_r = (all(len(relocks[names[k]]) == 1 for k in rtx) and len({relocks[names[k]][0] for k in rtx}) == 1
            and s["rings/line"][0, rtx].tolist() == [0, 1, 2] and s["rings/line"][-1, rtx].tolist() == [1, 2, 0])
    tap.check("R_rotate_relocks_on_rotation", ok_r, "the rotate group's 3 rings relock together when the rotation changes from 0 to 1 "
              f"(lines {s['rings/line'][0, rtx].tolist()} -> {s['rings/line'][-1, rtx].tolist()})")
    # the up pattern around every relock: down at t, t + 50 us, t + 100 us, up again at t + 150 us (margins hold throughout)
    bad = []
    for li, lk in enumerate(op.links):
        for side in ("tx", "rx"):
            gi = op.group_index[lk[side]]
            for i in range(op.rings[gi]["count"]):
                k = op.first[gi] + i
                for si in np.nonzero(s["rings/relock"][:, k])[0]:
                    j = op.line_first[li] + int(s["rings/line"][si, k])
                    pattern = s["lines/up"][si:si + 4, j].tolist()
                    held = (s["lines/margin"][si:si + 4, j] >= lk["margin_threshold"]).tolist()
                    if pattern != [0, 0, 0, int(held[3])] or (names[k] != "wtx[3]" and not all(held)):
                        bad.append(f"{names[k]} at {t[si] * 1e3:g} ms: up {pattern}")
    nrel = int(s["rings/relock"].sum())
    tap.check("R_outage_pattern", not bad and nrel == 8, f"{nrel} relocks; each line is down at the relock sample and the next two, up at the third "
              "(relock_time 125 us, samples 50 us apart; line 3 of the wrap link, whose margin never holds, stays down)"
              + ("; " + "; ".join(bad) if bad else ""))
    # the summary from photherm's own series
    m = metrics_from_series(op, r)
    worst, where = 0.0, ""
    for name, mm in m.items():
        for k in METRICS:
            e = close_metric(float(r["links"][name][k]), mm[k])
            if e > worst:
                worst, where = e, f"{name}.{k}"
    msg = ", ".join(f"{n}: stable {float(r['links'][n]['stable_throughput']):.8g} Gb/s, all-up {float(r['links'][n]['time_all_up_fraction']):.8g}, "
                    f"relocks {float(r['links'][n]['relocks']):g}" for n in m)
    tap.close("R_metrics_from_series", worst, 1e-9, f"{msg}; every link metric recomputed from the recorded series (worst {where or 'none'}); relative")
    # by hand for the wrap link: 4 lines x 112 Gb/s, line 3 never up (wrx[3] out of reach); every relock of lines 0-2 costs exactly
    # 125 us (outages inside the window); a relock on line 3 costs nothing
    span = R_END - 0.1e-3
    lost = sum(R_RELOCK for k in wtx[:3] for _ in relocks[names[k]])
    want = 112.0 * (3 * span - lost) / span
    got = float(r["links"]["wl"]["stable_throughput"])
    tap.close("R_stable_throughput_by_hand", abs(got - want) / want, 1e-9,
              f"wrap link {got:.10g} Gb/s vs 112 (3 x {span * 1e3:g} ms - {round(lost / R_RELOCK)} x 125 us) / "
              f"{span * 1e3:g} ms = {want:.10g}; relative")
    rtp = 100.0 * (3 * span - 3 * R_RELOCK) / span
    got = float(r["links"]["rl"]["stable_throughput"])
    tap.close("R_rotate_throughput_by_hand", abs(got - rtp) / rtp, 1e-9,
              f"rotate link {got:.10g} Gb/s vs 100 (3 x {span * 1e3:g} ms - 3 x 125 us) / {span * 1e3:g} ms; relative")
    got = float(r["links"]["rl"]["time_all_up_fraction"])
    want = (span - R_RELOCK) / span
    tap.close("R_all_up_by_hand", abs(got - want) / want, 1e-9,
              f"rotate link time_all_up_fraction {got:.10g} vs (2.4 ms - 125 us) / 2.4 ms; relative")
    # slices off the cell faces: exact overlap fractions
    blocks = {n: ((b[0] * 1e-3, b[1] * 1e-3), (b[2] * 1e-3, b[3] * 1e-3), F_Z) for n, b in R_BLOCKS.items()}
    worst = 0.0
    for snap, tf in enumerate(r["fields_time"]):
        si = int(np.argmin(np.abs(t - tf)))
        worst = max(worst, float(np.abs(slice_means(r, blocks, op, snap) - s["rings/slice_temperature"][si]).max()))
    tap.close("R_slice_overlap_means", worst, 1e-10,
              f"{len(r['fields_time'])} snapshots: slice_temperature (rtx/rrx slices of 133 um on 50 um cells) vs the exact-overlap "
              "volume mean of /fields/temperature; max |difference| in K")
    rep = check_replay(tap, "R", op, r)
    check_yield_nominal(tap, "R", op, r, rep)
    # continued from the snapshot at 0.5 ms, inside the outage of the relock at 0.45 ms (the clock restarts at 0: the sources are
    # shifted by 0.5 ms)
    ctext = (text.replace("name: rl\n", "name: rlc\n").replace("power: {pattern: steps, times: [0 s, 0.2 ms], values: [0 W, 0.6 W]}", "power: 0.6 W")
             .replace("times: [0 s, 0.6 ms]", "times: [0 s, 0.1 ms]").replace(f"end: {R_END!r} s", f"end: {R_END - 0.5e-3!r} s")
             .replace("initial: 40 C", "initial: {file: rl.h5, time: 0.5 ms}").replace("metrics_from: 0.0001 s", "metrics_from: 0 s"))
    rc = tap.guard("R_continue_run", run, wd, "rlc", ctext, args)
    if rc is not None:
        compare_continued(tap, "R", r, rc, 10, "time.initial: {file: rl.h5, time: 0.5 ms}, a relock outage running and relocks after the restart")
        down = [names[k] for k in range(op.nring) if rc["series"]["rings/relock"][:, k].any()]
        tap.check("R_continued_outage", rc["series"]["lines/up"][:2, op.line_first[1] + 2].tolist() == [0, 0] and len(down) == 4,
                  f"line 2 of the wrap link, relocked at 0.45 ms, is still down at the continued run's first two samples; "
                  f"relocks after the restart: {down}")
    # the same trace with metrics from 0.3 ms, inside the outage of the first relock (0.25 ms)
    late = tap.guard("R_late_window_run", run, wd, "rl_late", text.replace("metrics_from: 0.0001 s", "metrics_from: 0.0003 s"), args)
    if late is not None:
        opl = ref.Optics(dict(r_optics(), metrics_from=0.3e-3), {"assembly": {"a": 0.5}, "samples": 20})
        check_replay(tap, "R_late_window", opl, late)
        span = R_END - 0.3e-3
        lost = sum(max(0.0, min(tr + R_RELOCK, R_END) - max(tr, 0.3e-3)) for k in wtx[:3] for tr in np.array(relocks[names[k]]) * 1e-3)
        want = 112.0 * (3 * span - lost) / span
        got = float(late["links"]["wl"]["stable_throughput"])
        tap.close("R_late_window_throughput_by_hand", abs(got - want) / want, 1e-9,
                  f"metrics_from 0.3 ms: wrap link {got:.10g} Gb/s vs 112 (3 x 2.2 ms - {lost * 1e6:.4g} us of outage inside the window) / 2.2 ms; "
                  f"relocks {float(late['links']['wl']['relocks']):g} (the one at 0.25 ms is before the window); relative")
    # with spread: the Monte Carlo against a brute force over every sample of the transient
    ops = r_optics(sigma_die=0.4, sigma_local=0.1)
    yld = {"assembly": {"a": 0.5}, "samples": 60, "seed": 5}
    rs = tap.guard("R_spread_run", run, wd, "rl_spread", r_case("rl_spread", ops).replace("samples: 20", "samples: 60\n  seed: 5"), args)
    if rs is not None:
        opr = ref.Optics(ops, yld)
        mc = ref.spectral_yield_mc(opr, rs["time"], rs["ring_t"], rs["laser_t"])
        worst, msg = 0.0, []
        for li, lk in enumerate(opr.links):
            for k, v in zip(("spectral_yield", "spectral_yield_se", "link_yield", "link_yield_se"), mc[li]):
                worst = max(worst, abs(float(rs["links"][lk["name"]][k]) - v))
            msg.append(f"{lk['name']} {mc[li][0]:.6g}")
        tap.close("R_yield_brute_force", worst, 1e-12, f"60 draws, each replayed over the {int((rs['time'] >= R_FROM - 1e-12).sum())} samples of the "
                  "window with photherm's generator: " + ", ".join(msg) + "; max absolute difference")


# ---------------------------------------------------------------------------------------------------------------
# D: the DSENT reference numbers (Sun et al., NOCS 2012: its tuning formulas with its default parameters)

DS_LAMBDA = 1300e-9          # m: every GHz <-> nm conversion is made here, dlambda = lambda^2 df / c
DS_NG, DS_R = 4.0, 3e-6      # group index, ring radius
DS_T, DS_TMIN, DS_TMAX = 340.0, 280.0, 380.0
DS_SLOC, DS_SSYS = 40e9, 200e9  # Hz
DS_ETA = 1e5                 # K/W
DS_KF = 10e9                 # Hz/K
DS_N = 8


def nm_of_hz(f):
    return DS_LAMBDA ** 2 * f / C_LIGHT * 1e9


def dsent():
    """DSENT's formulas (OpticalLinkBackendRx.cc, as quoted in the research notes), in W per ring."""
    fsr_f = C_LIGHT / (DS_NG * 2 * math.pi * DS_R)
    bias_f = 3 * math.sqrt(DS_SLOC ** 2 + DS_SSYS ** 2) + (DS_TMAX - DS_TMIN) * DS_KF
    dist_f = bias_f - (DS_T - DS_TMIN) * DS_KF
    return {"fsr_f": fsr_f, "bias_f": bias_f, "dist_f": dist_f, "full_thermal": dist_f / (DS_KF * DS_ETA),
            "reshuffle": fsr_f / DS_N / (DS_KF * DS_ETA)}


DS_EPS = 1e-4  # nm: how far red of its own line each bit-reshuffle ring sits


def d_optics():
    ds = dsent()
    kt = nm_of_hz(DS_KF)                # nm/K
    eff = kt * DS_ETA * 1e-3            # nm/mW: eta_lambda = kappa_T eta_T
    fsr = nm_of_hz(ds["fsr_f"])
    bias = nm_of_hz(ds["bias_f"])
    sp = fsr / DS_N
    line0 = DS_LAMBDA * 1e9
    common = {"count": DS_N, "spacing": sp, "drift": kt, "fsr": fsr, "sigma_die": 0.0, "sigma_local": 0.0,
              "heater": {"efficiency": eff, "max_power": 2.0, "feedback": False}}
    return {
        "reference_temperature": DS_TMIN,
        "lasers": [{"name": "l1", "type": "external", "temperature": DS_TMIN, "lines": DS_N, "wavelength": line0, "spacing": sp, "power": 10.0},
                   {"name": "l2", "type": "external", "temperature": DS_TMIN, "lines": DS_N, "wavelength": line0, "spacing": sp, "power": 10.0}],
        "rings": [
            # FullThermal: rings biased blue of their lines by bias_f at T_min = T0
            dict(common, name="ft_tx", block="b1", wavelength=line0 - bias),
            dict(common, name="ft_rx", block="b2", wavelength=line0 - bias),
            # bit reshuffle: at 340 K each ring sits DS_EPS red of its own line
            dict(common, name="br_tx", block="b3", wavelength=line0 + DS_EPS - kt * (DS_T - DS_TMIN)),
            dict(common, name="br_rx", block="b4", wavelength=line0 + DS_EPS - kt * (DS_T - DS_TMIN))],
        "links": [{"name": "fullthermal", "laser": "l1", "tx": "ft_tx", "rx": "ft_rx", "lock": "fixed"},
                  {"name": "reshuffle", "laser": "l2", "tx": "br_tx", "rx": "br_rx", "lock": "rotate"}],
    }


def d_case(name):
    blocks = "".join(f"      - {{name: b{i + 1}, material: si, x: [{0.3 + 0.5 * i:g} mm, {0.7 + 0.5 * i:g} mm], y: [0.2 mm, 0.4 mm]}}\n"
                     for i in range(4))
    return (f"version: 1\nname: {name}\nmaterials:\n{SI}footprint: {{x: [0, 2.3 mm], y: [0, 0.6 mm]}}\ngrid: {{max_cell_xy: 50 um}}\n"
            f"stack:\n  - name: die\n    thickness: 50 um\n    material: si\n    blocks:\n{blocks}"
            f"boundaries:\n  top: {{type: temperature, value: {DS_T} K}}\n  bottom: {{type: temperature, value: {DS_T} K}}\n"
            "time: {mode: steady}\n" + ref.case_yaml(d_optics()))


def case_d(tap, wd, results):
    ds = dsent()
    text = d_case("ds")
    r = tap.guard("D_run", run, wd, "ds", text)
    if r is None:
        return
    results["D"] = ("ds", text, [], r)
    op = ref.Optics(d_optics())
    P = r["series"]["rings/heater_power"][0]  # mW
    ft = P[op.first[0]:op.first[2]]
    br_tx = P[op.first[2]:op.first[3]]
    tap.note(f"DSENT: FSR {ds['fsr_f'] * 1e-12:.6g} THz = {nm_of_hz(ds['fsr_f']):.6g} nm, bias {ds['bias_f'] * 1e-9:.6g} GHz, tuning distance "
             f"{ds['dist_f'] * 1e-9:.6g} GHz; FullThermal {ds['full_thermal'] * 1e3:.6g} mW per ring, "
             f"reshuffle {ds['reshuffle'] * 1e6:.6g} uW per ring, "
             f"{ds['reshuffle'] * DS_N * 1e3:.6g} mW per backend")
    e = float(np.abs(ft / (ds["full_thermal"] * 1e3) - 1).max())
    tap.close("D_full_thermal_formula", e, 1e-9, f"16 fixed rings at {ft.min():.9g} to {ft.max():.9g} mW vs DSENT's dist_f / (kappa_f eta_T) = "
              f"{ds['full_thermal'] * 1e3:.9g} mW; relative (exact: every GHz is converted at the one wavelength 1300 nm)")
    tap.close("D_full_thermal_published", abs(ft.mean() / 1.012 - 1), 1e-3, f"mean {ft.mean():.6g} mW vs the published 1.012 mW per ring; relative")
    want = (nm_of_hz(ds["fsr_f"]) / DS_N - DS_EPS) / (nm_of_hz(DS_KF) * DS_ETA * 1e-3)
    lines = r["series"]["rings/line"][0, op.first[2]:op.first[4]]
    ok = lines.tolist() == [(i + 1) % DS_N for i in range(DS_N)] * 2
    tap.check("D_reshuffle_rotation", ok,
              f"the bit-reshuffle rings serve lines {lines[:DS_N].astype(int).tolist()}: each moves one channel to the red")
    e = float(np.abs(br_tx / want - 1).max())
    tap.close("D_reshuffle_ring", e, 1e-9, f"{br_tx.min():.9g} mW per ring vs (FSR / N - {DS_EPS} nm) / efficiency = {want:.9g} mW; relative")
    e = abs(br_tx.mean() / (ds["reshuffle"] * 1e3) - 1)
    tap.close("D_reshuffle_vs_dsent", e, 1e-3,
              f"{br_tx.mean() * 1e3:.6g} uW per ring vs DSENT's (FSR_f / N) / (kappa_f eta_T) = {ds['reshuffle'] * 1e6:.6g} uW "
              f"(the {DS_EPS} nm the ring starts red of its line is {DS_EPS / (nm_of_hz(ds['fsr_f']) / DS_N):.1e}); relative")
    tap.close("D_reshuffle_published", max(abs(br_tx.sum() / 3.976 - 1), abs(br_tx.mean() / 0.497 - 1)), 1e-3,
              f"per backend {br_tx.sum():.6g} mW vs the published 3.976 mW, per ring {br_tx.mean() * 1e3:.5g} uW vs 497 uW; relative")
    check_replay(tap, "D", op, r)


# ---------------------------------------------------------------------------------------------------------------
# every case on 2 ranks; a link that is never up


def case_dead(tap, wd):
    """A link whose lines are never up: stable throughput 0 and energy_per_stable_bit = inf, in the file and the CSV."""
    opt = u_optics()
    opt["links"] = [dict(opt["links"][0], margin_threshold=40.0)]
    opt["lasers"] = [opt["lasers"][0]]
    opt["rings"] = opt["rings"][:2]
    r = tap.guard("dead_run", run, wd, "dead", u_case("dead", opt))
    if r is None:
        return
    m = r["links"]["fixedlink"]
    p = tap.guard("dead_csv", must_run, ["summary", "dead.h5", "--csv"], wd)
    csv = {}
    if p is not None:
        head, row = p.stdout.strip().splitlines()[:2]
        csv = dict(zip(head.split(","), row.split(",")))
    tap.check("dead_link_energy_per_stable_bit_inf", float(m["stable_throughput"]) == 0 and math.isinf(float(m["energy_per_stable_bit"]))
              and float(m["time_all_up_fraction"]) == 0 and csv.get("links.fixedlink.energy_per_stable_bit") == "inf",
              f"margin threshold 40 dB: stable_throughput {float(m['stable_throughput']):g}, "
              f"energy_per_stable_bit {float(m['energy_per_stable_bit'])} in the file "
              f"and {csv.get('links.fixedlink.energy_per_stable_bit')!r} in the CSV, time_all_up_fraction {float(m['time_all_up_fraction']):g}")


def ranks(tap, wd, results):
    for tag, (name, text, args, r1) in results.items():
        r2 = tap.guard(f"{tag}_run_2_ranks", run, wd, name + "_2", text.replace(f"name: {name}\n", f"name: {name}_2\n"), args, 2)
        if r2 is not None:
            compare_ranks(tap, tag, r1, r2)


def main():
    tap = Tap(__file__)
    wd = workdir("optics")
    results = {}
    case_u(tap, wd, results)
    case_f(tap, wd, results)
    case_r(tap, wd, results)
    case_d(tap, wd, results)
    case_dead(tap, wd)
    ranks(tap, wd, results)
    tap.finish()


if __name__ == "__main__":
    main()
