"""Shared helpers of the verification scripts (tests/verify/test_*.py); not a test itself.

Each script writes its cases into a fresh temporary directory, runs bin/photherm on them, reads the HDF5 result
(README.md, Result file layout) and compares it with an answer the script computes itself. Results are printed as "ok - name: ..." or
"not ok - name: why"; everything else starts with "#". A script never exits non-zero because a check failed.
"""
import os
import subprocess
import sys
import tempfile
import traceback

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "bin", "photherm")
ZERO_C = 273.15


class RunError(Exception):
    pass


def workdir(prefix):
    """A fresh temporary directory, removed at exit."""
    d = tempfile.TemporaryDirectory(prefix=f"photherm-{prefix}-")
    _KEEP.append(d)
    return d.name


_KEEP = []


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def run(work, name, yaml_text, args=(), files=None, timeout=300):
    """Write `name`.yaml (and any extra files {name: text}) into `work`, run photherm, return the read result."""
    for fname, text in (files or {}).items():
        write(os.path.join(work, fname), text)
    case = os.path.join(work, name + ".yaml")
    out = os.path.join(work, name + ".h5")
    write(case, yaml_text)
    argv = [BIN, "run", case, "-o", out, "-quiet"] + list(args)
    proc = subprocess.run(argv, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RunError(f"photherm exited {proc.returncode} on {name}: {proc.stderr.strip()[-1500:]}")
    for line in proc.stderr.splitlines():
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
    return r


def centres(nodes):
    nodes = np.asarray(nodes)
    return 0.5 * (nodes[1:] + nodes[:-1])


_RESULTS = {"ok": 0, "fail": 0}


def check(name, passed, detail):
    """Print one result line; `detail` names the measured error and the tolerance."""
    detail = " ".join(str(detail).split())
    if passed:
        print(f"ok - {name}: {detail}", flush=True)
        _RESULTS["ok"] += 1
    else:
        print(f"not ok - {name}: {detail}", flush=True)
        _RESULTS["fail"] += 1


def guarded(name, fn, *a, **kw):
    """Run one group of checks; an exception (photherm failing, a missing dataset) becomes a "not ok" line."""
    try:
        fn(*a, **kw)
    except Exception as e:  # noqa: BLE001 - every failure must become a result line
        msg = f"{type(e).__name__}: {e}"
        for line in traceback.format_exc().splitlines()[-6:]:
            print("# " + line)
        check(name, False, msg)


def finish():
    print(f"# {_RESULTS['ok']} ok, {_RESULTS['fail']} not ok", flush=True)
    sys.stdout.flush()
    sys.exit(0)
