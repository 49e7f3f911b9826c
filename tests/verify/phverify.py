"""The one helper library of the verification scripts tests/verify/test_*.py (not a test itself).

Each script writes its cases into a fresh temporary directory (workdir), runs bin/photherm on them (photherm,
must_run, or run, which also reads the result), and compares the HDF5 result (README.md, Result file layout) with an answer it computes
itself. It prints TAP-like lines through a Tap that tests/run.py counts: "ok - name: measured vs tolerance" or
"not ok - name: why"; anything else starts with "#". Scripts always exit 0 so that one failed check does not hide
the others; an unexpected exception inside a check becomes a "not ok" line.

Environment: PHOTHERM_BIN runs another binary than bin/photherm (PHOTHERM_TIMEOUT_SCALE: how much slower it is); PHOTHERM_RECORD_DIR records every successful run
(see record) for tests/compare_results.py; PH_KEEP keeps the temporary directories.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("PHOTHERM_BIN") or os.path.join(ROOT, "bin", "photherm")
# a slower build (make sanitize sets 5): scripts multiply their limits on photherm's own run time by it
TIMEOUT_SCALE = float(os.environ.get("PHOTHERM_TIMEOUT_SCALE") or 1)
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}
ZERO_C = 273.15


class RunError(RuntimeError):
    """photherm failed where the check needed a result."""


class Tap:
    """Collects the results of one script."""

    def __init__(self, script):
        self.script = os.path.basename(script)
        self.passed = 0
        self.failed = 0

    def ok(self, name, detail=""):
        self.passed += 1
        detail = " ".join(str(detail).split())
        print(f"ok - {name}" + (f": {detail}" if detail else ""), flush=True)

    def fail(self, name, why):
        self.failed += 1
        why = str(why).replace("\n", "\n# ")
        print(f"not ok - {name}: {why}", flush=True)

    def check(self, name, condition, detail):
        """ok when condition holds; the detail (measured values and tolerances) is printed either way."""
        if condition:
            self.ok(name, detail)
        else:
            self.fail(name, detail)
        return bool(condition)

    def close(self, name, measured, tol, what="relative difference"):
        """ok when measured <= tol (NaN fails)."""
        good = measured is not None and np.isfinite(measured) and measured <= tol
        return self.check(name, good, f"{what} {measured:.3g} (tolerance {tol:.0e})")

    def guard(self, name, fn, *args, **kwargs):
        """Run fn; an exception becomes "not ok - name". Returns fn's value or None."""
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - every failure must become a TAP line
            self.fail(name, f"{type(e).__name__}: {e}")
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            return None

    def note(self, text):
        for line in str(text).splitlines():
            print("# " + line, flush=True)

    def finish(self):
        self.note(f"{self.script}: {self.passed} ok, {self.failed} not ok")
        sys.exit(0)


def workdir(prefix):
    """A fresh temporary directory (removed at exit unless PH_KEEP is set)."""
    path = tempfile.mkdtemp(prefix=f"ph-{prefix}-")
    if not os.environ.get("PH_KEEP"):
        import atexit
        atexit.register(shutil.rmtree, path, True)
    else:
        print(f"# keeping {path}")
    return path


def photherm(args, cwd, nranks=1, timeout=300, env=None):
    """Run bin/photherm (under mpirun for nranks > 1); returns the CompletedProcess (text)."""
    cmd = [BIN] + [str(a) for a in args]
    if nranks > 1:
        cmd = ["mpirun", "-n", str(nranks)] + (["--oversubscribe"] if nranks > 2 else []) + cmd
    full_env = dict(os.environ, **MPI_ENV)
    if env:
        full_env.update(env)
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if proc.returncode == 0:
        record(args, cwd, nranks)
    return proc


def record(args, cwd, nranks=1):
    """With PHOTHERM_RECORD_DIR set, keep a copy of a successful `photherm run` for tests/compare_results.py.

    Each run becomes a directory NNNN-<script>-<case> holding the case file, the files beside it that the case text or
    the arguments name (traces, includes, earlier results for time.initial), and run.json: the case file name, the
    arguments without -o OUT and -quiet, the ranks and the script. A run identical to one already recorded is skipped."""
    top = os.environ.get("PHOTHERM_RECORD_DIR")
    args = [str(a) for a in args]
    if not top or len(args) < 2 or args[0] != "run":
        return
    case = os.path.join(cwd, args[1])
    rest, i = [], 2
    while i < len(args):
        if args[i] == "-o":
            i += 2
            continue
        if args[i] != "-quiet":
            rest.append(args[i])
        i += 1
    here = os.path.dirname(case)
    text = open(case, errors="replace").read()
    named = text + "\n" + "\n".join(rest)
    extra = sorted(f for f in os.listdir(here) if f != os.path.basename(case) and f in named and os.path.isfile(os.path.join(here, f)))
    digest = hashlib.sha256()
    for f in [os.path.basename(case)] + extra:
        digest.update(f.encode() + b"\0" + open(os.path.join(here, f), "rb").read() + b"\0")
    digest.update("\0".join(rest).encode())
    key = digest.hexdigest()
    os.makedirs(top, exist_ok=True)
    index = os.path.join(top, "index.txt")
    seen = open(index).read().split() if os.path.exists(index) else []
    if key in seen:
        return
    script = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    dest = os.path.join(top, f"{len(seen):04d}-{script}-{os.path.splitext(os.path.basename(case))[0]}")
    os.makedirs(dest)
    for f in [os.path.basename(case)] + extra:
        shutil.copy2(os.path.join(here, f), dest)
    with open(os.path.join(dest, "run.json"), "w") as f:
        json.dump({"case": os.path.basename(case), "args": rest, "nranks": nranks, "script": script}, f, indent=1)
    with open(index, "a") as f:
        f.write(key + "\n")


def must_run(args, cwd, nranks=1, timeout=300):
    """photherm that must succeed: raises with its stderr otherwise."""
    p = photherm(args, cwd, nranks, timeout)
    if p.returncode != 0:
        raise RunError(f"photherm {' '.join(map(str, args))} exited {p.returncode}: {p.stderr.strip()[-1500:]}")
    return p


def run(work, name, yaml_text, args=(), files=None, timeout=300):
    """Write `name`.yaml (and any extra files {name: text}) into `work`, run it, return read() of the result.
    Lines photherm writes to stderr are echoed as "#" notes."""
    for fname, text in (files or {}).items():
        write(os.path.join(work, fname), text)
    case = write(os.path.join(work, name + ".yaml"), yaml_text)
    out = os.path.join(work, name + ".h5")
    p = photherm(["run", case, "-o", out, "-quiet"] + list(args), work, timeout=timeout)
    if p.returncode != 0:
        raise RunError(f"photherm exited {p.returncode} on {name}: {p.stderr.strip()[-1500:]}")
    for line in p.stderr.splitlines():
        if line.strip():
            print(f"# {name}: stderr: {line}")
    return read(out)


def read(path):
    """The datasets used by the checks, as numpy arrays (temperatures in degC as written)."""
    r = {}
    with h5py.File(path, "r") as f:
        for key in ("mesh/x", "mesh/y", "mesh/z", "fields/time", "fields/temperature", "series/time", "series/energy_error"):
            r[key] = f[key][()]
        for key in ("power", "t_max", "t_mean"):
            if "series/sources/" + key in f:
                r["sources/" + key] = f["series/sources/" + key][()]
        r["summary"] = {k: v for k, v in f["summary"].attrs.items() if not k.endswith((".units", ".definition"))}
        if "series/coolant" in f:  # cold plates: "coolant/outlet_temperature", "coolant/<plate>/temperature", ... and their names
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    r["coolant/" + name] = obj[()]
                    r["coolant/" + name + ".names"] = names_attr(obj)
            f["series/coolant"].visititems(visit)
        if "summary/coolant" in f:
            for plate, g in f["summary/coolant"].items():
                r["summary/coolant/" + plate] = {k: v for k, v in g.attrs.items() if not k.endswith((".units", ".definition"))}
    return r


def centres(nodes):
    nodes = np.asarray(nodes)
    return 0.5 * (nodes[1:] + nodes[:-1])


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


# ---------------------------------------------------------------------------------------------------------------
# Quantities of the resolved case (/case/yaml): enough of cases/README.md section 4 for the materials and geometry of the test cases.

_FACTORS = {
    "": 1.0, "m": 1.0, "mm": 1e-3, "um": 1e-6, "nm": 1e-9,
    "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9,
    "W": 1.0, "mW": 1e-3, "uW": 1e-6,
    "W/m/K": 1.0, "kg/m^3": 1.0, "J/kg/K": 1.0, "W/m^2/K": 1.0, "W/m^2": 1.0, "W/m^3": 1.0, "J": 1.0,
}


def quantity(value):
    """A number or list of numbers in SI from a resolved YAML value such as 148, "148 W/m/K", "[3, 3, 1.2] W/m/K",
    ["3 W/m/K", ...], "0.0095 m", "25 C" (returned in K)."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [quantity(v) for v in value]
    s = str(value).strip()
    m = re.fullmatch(r"\[(.*)\]\s*(\S*)", s)
    if m:
        unit = m.group(2)
        return [quantity(f"{v.strip()} {unit}".strip()) for v in m.group(1).split(",")]
    m = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S*)", s)
    if not m:
        raise ValueError(f"cannot read the quantity {value!r}")
    number, unit = float(m.group(1)), m.group(2)
    if unit == "C":
        return number + ZERO_C
    if unit == "K":
        return number
    if unit in _FACTORS:
        return number * _FACTORS[unit]
    if re.fullmatch(r"(?:m|kg|s|K|A)(?:\^-?\d+)?(?:[*/](?:m|kg|s|K|A)(?:\^-?\d+)?)*", unit):
        return number  # a product of SI base units, as the resolved case writes computed values ("20 m^2*kg/s^3")
    raise ValueError(f"unknown unit {unit!r} in {value!r}")


def materials_of(h5):
    """{name: (k[3], rho, cp)} from /case/yaml of an open result file, in SI."""
    import yaml
    text = h5["case/yaml"][()]
    doc = yaml.safe_load(text.decode() if isinstance(text, bytes) else text)
    out = {}
    for name, m in doc["materials"].items():
        k = quantity(m["k"])
        k = [k, k, k] if not isinstance(k, list) else k
        out[name] = (np.array(k, dtype=float), quantity(m["rho"]), quantity(m["cp"]))
    return out


def decode(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def names_attr(obj):
    return [decode(n) for n in obj.attrs["names"]]


def cell_properties(h5):
    """Per-cell arrays [nz][ny][nx]: volume, rho*cp, k along x, y, z (from /mesh and the materials of /case/yaml)."""
    x, y, z = (h5[f"mesh/{a}"][...] for a in "xyz")
    mat = h5["mesh/material"][...]
    names = names_attr(h5["mesh/material"])
    props = materials_of(h5)
    dx, dy, dz = np.diff(x), np.diff(y), np.diff(z)
    vol = dz[:, None, None] * dy[None, :, None] * dx[None, None, :]
    rc = np.zeros(mat.shape)
    k = np.zeros((3,) + mat.shape)
    for i, n in enumerate(names):
        sel = mat == i
        kk, rho, cp = props[n]
        rc[sel] = rho * cp
        for d in range(3):
            k[d][sel] = kk[d]
    return {"x": x, "y": y, "z": z, "dx": dx, "dy": dy, "dz": dz, "volume": vol, "rhocp": rc, "k": k, "material": mat}


# ---------------------------------------------------------------------------------------------------------------
# The reduced model against a full run of the same case (test_reduced.py and tests/long/examples_window.py).

# temperature series (degC) compared sample by sample; the first three kinds are held to time.reduced.tolerance (the
# device and source temperatures the tolerance is defined on), the blocks are reported beside them
REDUCED_TEMPERATURES = (("rings", "temperature"), ("rings", "slice_temperature"), ("lasers", "temperature"), ("sources", "t_mean"),
                        ("sources", "t_max"), ("blocks", "t_mean"), ("blocks", "t_max"))
REDUCED_HELD = ("rings", "lasers", "sources")
# optics states that must be equal at every sample
REDUCED_STATES = ("rings/locked", "rings/relock", "rings/order", "rings/line", "lines/up", "links/lines_up")
# summary metrics of each link that must be equal (they count states or are set by them)
REDUCED_LINK_EQUAL = ("relocks", "stable_throughput", "stable_fraction", "time_all_up_fraction", "heater_saturated_time", "min_margin")


def _nm(value):
    """A length or length per kelvin / per watt of the resolved case in nm (per K, per mW)."""
    s = str(value).strip()
    m = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S*)", s)
    number, unit = float(m.group(1)), m.group(2)
    return number * {"nm": 1.0, "nm/K": 1.0, "nm/mW": 1.0, "m": 1e9, "m/K": 1e9, "s^3/m/kg": 1e9 * 1e-3}.get(unit, float("nan"))


def ring_mw_per_k(h5):
    """Per ring column: drift / heater efficiency (mW of heater power per K of ring temperature), from /case/yaml."""
    import yaml
    doc = yaml.safe_load(decode(h5["case/yaml"][()]))
    per = []
    for g in (doc.get("optics") or {}).get("rings", []):
        heater = g.get("heater") or {}
        eff = _nm(heater["efficiency"]) if "efficiency" in heater else float("inf")
        per += [_nm(g["drift"]) / eff] * int(g.get("count", 1))
    return np.array(per)


COOLANT_TRANSIENT = 'time: {end: 40 ms, dt: 0.1 ms, initial: 30 C}\noutput: {fields_every: 10 ms, series_every: 1 ms}'
COOLANT_STEPS = "{pattern: steps, times: [0, 10 ms, 25 ms], values: [1e6 W/m^2, 3e6 W/m^2, 5e5 W/m^2]}"


def coolant_transient(tap, work, case, t_in, what):
    """A coolant case's transient: case(extra, time) writes the case (named tr) with the flux `extra` and the `time`
    and `output` sections; its inlet at t_in C becomes a sine of 2 K about 30 C and the flux COOLANT_STEPS. The energy
    balance at every sample within 1e-6, and, solved tightly, 1 and 2 ranks (split along x, the flow) agreeing on the
    fields and the outlet series within 1e-6 of the rise above t_in. `what` names the part split between the ranks."""
    text = case(COOLANT_STEPS, COOLANT_TRANSIENT).replace(f"inlet: {t_in} C", "inlet: {pattern: sine, period: 20 ms, mean: 30 C, amplitude: 2 K}")
    a = run(work, "tr1", text)
    tap.close("transient: energy balance at every sample (coolant heat and fluid capacity included)", np.max(np.abs(a["series/energy_error"])), 1e-6,
              "largest /series/energy_error")
    tight = ["-ksp_rtol", "1e-12", "-ph_ksp_floor", "1e-14"]
    b = run(work, "tr1t", text, args=tight)
    write(f"{work}/tr2t.yaml", text.replace("name: tr", "name: tr2t"))
    must_run(["run", f"{work}/tr2t.yaml", "-o", f"{work}/tr2t.h5", "-quiet", "-da_processors_x", "2"] + tight, work, nranks=2)
    c = read(f"{work}/tr2t.h5")
    rise = np.max(b["fields/temperature"]) - t_in
    d = np.max(np.abs(b["fields/temperature"] - c["fields/temperature"])) / rise
    tap.close(f"1 and 2 ranks ({what} split along its flow) agree", d, 1e-6, "max |T1 - T2| / rise over all snapshots")
    d = np.max(np.abs(b["coolant/outlet_temperature"] - c["coolant/outlet_temperature"])) / rise
    tap.close("1 and 2 ranks: the outlet series agree", d, 1e-6, "max |outlet1 - outlet2| / rise")


# The strip of the micro-channel tests (test_microchannel.py, test_microchannel_2rm.py): a cavity layer STRIP_H high and
# STRIP_L along the flow between a floor and a ceiling of a wall material, a uniform flux of STRIP_Q W/m^2 on the top
# face, every other face adiabatic; water of STRIP_RHO kg/m^3 and STRIP_CP J/kg/K enters at STRIP_T_IN C.
STRIP_Q, STRIP_H, STRIP_L, STRIP_T_IN, STRIP_RHO, STRIP_CP = 1e6, 100e-6, 10e-3, 30.0, 995.7, 4178.0
STRIP_ALONG_X = "[1e-3 W/m/K, 1e5 W/m/K, 1e5 W/m/K]"  # the wall: no conduction along the flow (+-x), isothermal across


def strip_case(name, direction, width, geometry, h, flow, wall=None, extra="", time="time: {mode: steady}"):
    """The strip's case: `width` across the flow (a quantity), `geometry` the cavity's keys after its material, `h` its
    h key (or ""), `flow` in mL/min, `wall` the wall's k (default STRIP_ALONG_X turned to the direction), `extra` the
    top face's flux (default STRIP_Q W/m^2), `time` the time section."""
    along_x = direction[1] == "x"
    fx = f"[0, {STRIP_L * 1e3} mm]" if along_x else f"[0, {width}]"
    fy = f"[0, {width}]" if along_x else f"[0, {STRIP_L * 1e3} mm]"
    k = wall or (STRIP_ALONG_X if along_x else "[1e5 W/m/K, 1e-3 W/m/K, 1e5 W/m/K]")
    return f"""version: 1
name: {name}
materials:
  wall: {{k: {k}, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
  water: {{k: 0.615 W/m/K, rho: {STRIP_RHO} kg/m^3, cp: {STRIP_CP} J/kg/K}}
footprint: {{x: {fx}, y: {fy}}}
grid: {{max_cell_xy: 250 um}}
stack:
  - {{name: floor, thickness: 100 um, material: wall}}
  - {{name: cavity, type: microchannel, thickness: {STRIP_H * 1e6} um, material: wall, {geometry},
     coolant: water, flow: {flow} mL/min, inlet: {STRIP_T_IN} C, direction: "{direction}"{", " + h if h else ""}}}
  - {{name: ceiling, thickness: 100 um, material: wall}}
boundaries:
  top: {{type: flux, value: {extra or f"{STRIP_Q} W/m^2"}}}
{time}
"""


def strip_velocity(tap, work, case, flow, v, what):
    """The strip's case(name) with `velocity: v` (m/s) in place of its flow (mL/min) gives the same field as with the
    flow, to 1e-9 of the rise (`what` names the check); returns the case's text."""
    ref = run(work, "vflow", case("vflow"))
    text = case("vel").replace(f"flow: {flow} mL/min", f"velocity: {v!r} m/s")
    assert "velocity:" in text
    vel = run(work, "vel", text)
    rise = np.max(ref["fields/temperature"]) - STRIP_T_IN
    diff = np.max(np.abs(vel["fields/temperature"] - ref["fields/temperature"]))
    tap.close(what, diff / rise, 1e-9, f"largest difference {diff:.2e} K of a {rise:.3g} K rise")
    return text


def strip_mcp(flow):
    """m cp (W/K) of the strip's coolant at `flow` mL/min."""
    return flow * 1e-6 / 60 * STRIP_RHO * STRIP_CP


def strip_coolant(tap, r, label, direction, heat, flow):
    """The strip's steady coolant against the closed form, the cavity taking up `heat` W: the outlet rise heat / (m cp)
    and the heat carried out to 1e-7, the profile linear along the flow to 1e-6 of the rise at every grid line. Returns
    the field [z][across][along] and the grid lines across the flow."""
    rise = heat / strip_mcp(flow)
    outlet = r["coolant/outlet_temperature"][0, 0]
    tap.close(f"{label}: outlet rise = Q/(m cp)", abs(outlet - STRIP_T_IN - rise) / rise, 1e-7)
    tap.close(f"{label}: heat carried out = Q", abs(r["coolant/heat"][0, 0] - heat) / heat, 1e-7)
    prof = r["coolant/cavity/temperature"][0]
    pos = np.array([float(n.split("=")[1].split()[0]) * 1e-3 for n in r["coolant/cavity/temperature.names"]])
    s = pos if direction[0] == "+" else STRIP_L - pos
    tap.close(f"{label}: coolant linear along the flow", np.max(np.abs(prof - (STRIP_T_IN + rise * s / STRIP_L))) / rise, 1e-6,
              f"max |T_f - closed form| / rise over {len(prof)} grid lines")
    T = r["fields/temperature"][0]  # [z][y][x]
    if direction[1] == "y":
        T = np.swapaxes(T, 1, 2)  # [z][across][along]
    return T, r["mesh/y"] if direction[1] == "x" else r["mesh/x"]


def refused(tap, work, what, text, *words):
    """photherm check of the case `text` (written as bad.yaml) exits 2 with every one of `words` in its stderr."""
    write(f"{work}/bad.yaml", text)
    p = photherm(["check", f"{work}/bad.yaml"], work)
    tap.check(f"refused: {what}", p.returncode == 2 and all(w in p.stderr for w in words), p.stderr.strip()[-300:])


def reduced_tolerance(path):
    """time.reduced.tolerance (K) of a result file's resolved case (default 0.05 K)."""
    import yaml
    with h5py.File(path, "r") as f:
        doc = yaml.safe_load(decode(f["case/yaml"][()]))
    tol = ((doc.get("time") or {}).get("reduced") or {}).get("tolerance", "0.05 K")
    return float(quantity(tol))


def compare_reduced(full_path, reduced_path, tolerance):
    """Compare a reduced run with a full run of the same case and samples.

    Returns a dict: "rows", one per quantity (kind, dataset, unit, largest |difference|, its time and column, the
    bound it is held to or None); "failures", a list of sentences (empty when everything agrees); and "summary" of
    both files. Temperatures of rings, lasers and sources must agree within `tolerance` (K) at every sample; the lock
    states, relocks, lines up and the link metrics that count them must be equal; margins must be equal where every
    ring of the line is locked in both runs (a locked ring's residual is its lock_error); heater and tuning powers
    must agree within drift / efficiency times the ring temperature differences."""
    rows, failures = [], []
    with h5py.File(full_path, "r") as F, h5py.File(reduced_path, "r") as R:
        tf, tr = F["series/time"][()], R["series/time"][()]
        if tf.shape != tr.shape or np.max(np.abs(tf - tr)) > 1e-12 * max(1.0, tf[-1]):
            failures.append(f"the sample times differ ({tf.shape[0]} and {tr.shape[0]} samples)")
            return {"rows": rows, "failures": failures}

        def worst(kind, name, unit, a, b, bound, names=None):
            d = np.abs(a - b) if a.size else np.zeros((len(tf), 0))
            if d.size == 0:
                return None
            i, j = np.unravel_index(int(np.argmax(d)), d.shape) if d.ndim == 2 else (int(np.argmax(d)), 0)
            row = {"kind": kind, "name": name, "unit": unit, "max": float(d.max()), "time": float(tf[i]),
                   "column": names[j] if names and j < len(names) else str(j), "bound": bound}
            rows.append(row)
            if bound is not None and not row["max"] <= bound:
                failures.append(f"{kind}/{name}: {row['max']:.3g} {unit} at t = {row['time']:.6g} s ({row['column']}), above {bound:.3g} {unit}")
            return d

        dT = {}
        for kind, name in REDUCED_TEMPERATURES:
            key = f"series/{kind}/{name}"
            if key not in F:
                continue
            names = names_attr(F[key]) if "names" in F[key].attrs else None
            d = worst(kind, name, "K", F[key][()], R[key][()], tolerance if kind in REDUCED_HELD else None, names)
            if d is not None:
                dT[key] = d
        for key in REDUCED_STATES:
            if f"series/{key}" not in F:
                continue
            a, b = F[f"series/{key}"][()], R[f"series/{key}"][()]
            bad = np.argwhere(a != b)
            names = names_attr(F[f"series/{key}"]) if "names" in F[f"series/{key}"].attrs else []
            rows.append({"kind": key.split("/")[0], "name": key.split("/")[1], "unit": "samples", "max": float(len(bad)), "time": float(tf[bad[0][0]]) if len(bad) else 0.0,
                         "column": (names[bad[0][1]] if len(bad) and bad[0][1] < len(names) else "-"), "bound": 0.0})
            if len(bad):
                where = ", ".join(f"t = {tf[i]:.6g} s {names[j] if j < len(names) else j}: {a[i, j]:g} vs {b[i, j]:g}" for i, j in bad[:5])
                failures.append(f"{key}: {len(bad)} samples differ (full vs reduced: {where})")
        if "series/rings/heater_power" in F:
            per = ring_mw_per_k(F)
            dring = dT["series/rings/temperature"]
            # a heater follows its own ring's temperature; its power is held from the previous sample's temperature too
            lag = np.vstack([dring[:1], dring[:-1]])
            bound = (per[None, :] * np.maximum(dring, lag)).max() * (1 + 1e-6) + 1e-9
            worst("rings", "heater_power", "mW", F["series/rings/heater_power"][()], R["series/rings/heater_power"][()], bound, names_attr(F["series/rings/heater_power"]))
            lb = float((per[None, :] * np.maximum(dring, lag)).sum(axis=1).max()) * (1 + 1e-6) + 1e-9
            worst("links", "tuning_power", "mW", F["series/links/tuning_power"][()], R["series/links/tuning_power"][()], lb, names_attr(F["series/links/tuning_power"]))
            locked_both = (F["series/rings/locked"][()] == 1) & (R["series/rings/locked"][()] == 1)
            mf, mr = F["series/lines/margin"][()], R["series/lines/margin"][()]
            # a line is served by one ring of each group of its link; with every ring of both runs locked, margins are equal
            all_locked = np.all(locked_both, axis=1)
            d = np.abs(mf - mr)[all_locked] if np.any(all_locked) else np.zeros(0)
            rows.append({"kind": "lines", "name": "margin (all rings locked)", "unit": "dB", "max": float(d.max()) if d.size else 0.0,
                         "time": 0.0, "column": f"{int(all_locked.sum())} samples", "bound": 1e-9})
            if d.size and d.max() > 1e-9:
                failures.append(f"lines/margin: {d.max():.3g} dB where every ring is locked in both runs")
            worst("lines", "margin", "dB", mf, mr, None, names_attr(F["series/lines/margin"]))
        summ = {}
        if "summary/links" in F:
            for link in F["summary/links"]:
                fa, ra = F[f"summary/links/{link}"].attrs, R[f"summary/links/{link}"].attrs
                for key in REDUCED_LINK_EQUAL:
                    same = abs(float(fa[key]) - float(ra[key])) <= 1e-9 * max(1.0, abs(float(fa[key])))
                    summ[f"{link}/{key}"] = (float(fa[key]), float(ra[key]))
                    if not same:
                        failures.append(f"summary/links/{link} {key}: full {float(fa[key]):.12g}, reduced {float(ra[key]):.12g}")
                for key in ("tuning_power_mean", "tuning_power_max", "ring_temperature_swing", "ring_temperature_max", "energy_per_bit"):
                    summ[f"{link}/{key}"] = (float(fa[key]), float(ra[key]))
        keep = ("steps", "wall_time", "reduced_basis", "reduced_shifts", "reduced_build_time", "reduced_error_estimate", "reduced_freeze_error", "cells")
        return {"rows": rows, "failures": failures, "links": summ,
                "full": {k: float(F["summary"].attrs[k]) for k in keep if k in F["summary"].attrs},
                "reduced": {k: float(R["summary"].attrs[k]) for k in keep if k in R["summary"].attrs}}


def reduced_table(result):
    """Lines of text: the comparison of compare_reduced, one row per quantity."""
    out = [f"{'quantity':34s} {'largest |full - reduced|':>26s}  {'at t (s)':>10s}  {'column':12s} bound"]
    for r in result["rows"]:
        bound = "-" if r["bound"] is None else f"{r['bound']:.3g}"
        flag = "" if r["bound"] is None or r["max"] <= r["bound"] else "  EXCEEDED"
        out.append(f"{r['kind'] + '/' + r['name']:34s} {r['max']:>20.4g} {r['unit']:5s}  {r['time']:>10.4f}  {r['column']:12s} {bound}{flag}")
    for k, (a, b) in result.get("links", {}).items():
        out.append(f"summary {k:40s} full {a:<14.10g} reduced {b:<14.10g} diff {abs(a - b):.3g}")
    return out
