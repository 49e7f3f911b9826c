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
