#!/usr/bin/python3
"""photherm test runner: the Check unit tests, then the command-line and regression tests, then the verification scripts.

Regression specs are "#TEST" comment lines at the end of case files (tests/regress/**/*.yaml and cases/*.yaml), invisible
to the loader, and in the importers' bad inputs under tests/regress/errors/import/ (any file holding #TEST lines: a
HotSpot file, where # starts a comment, or a NAME.test beside a 3D-ICE file). Each line is a test; its keys (shell-quoted key=value words):

  suffix=S       test name is the file path without .yaml, plus _S
  cmd=C          run | check | mesh | summary | import (default check); import runs "photherm import ARGS -o OUT" with the
                 case written into the test's directory (the file holding the spec is not passed: ARGS name the inputs)
  nsize=N        MPI ranks (default 1)
  args="..."     extra arguments (-P overrides, PETSc options)
  exit=E         expected exit status (default 0)
  compare=K      stderr | stdout | none (default none): compare with tests/regress/output/<name>.out exactly
  output=F       expected file name in tests/regress/output/ (default <name>.out); lets 1 and 3 ranks share one answer
  grep="re"      a regular expression that must match stdout+stderr (may repeat: grep2=..., grep3=...)
  env="K=V"      environment for the run
  timeout=S      the run must end within S seconds (default 900): a hang is killed and fails the test
  answer=F       (run) compare numbers of the run's out.h5 with the answer file tests/regress/output/F, SUNDIALS-style:
                 each value passes when |got - want| <= max(tol * |want|, atol), NaN equals NaN, inf equals inf of the
                 same sign; names of the answer file missing from out.h5 fail. 1 and 2 ranks may share one answer file.
  tol=R          relative tolerance of answer= (default 1e-6)
  atol=A         absolute floor of answer=, for values near 0 (default 1e-9)
  tol@G=R atol@G=A  the same for the values whose path matches the glob G (the last matching word wins), e.g.
                 atol@*_swing=1e-4: a swing (a difference of temperatures) is only as accurate as the temperatures
  values="G ..." what --regen stores in the answer file: globs over HDF5 paths, a numeric attribute as
                 group/name (summary/peak_temperature, summary/links/*/min_margin) or a whole dataset
                 (series/links/min_margin, stored as nested lists); default "summary/*". Never stored: wall_time,
                 steps, energy_balance_error* (timing, counters and measures of solver tolerance, not physics).

Answer files are YAML maps "path: value", written by --regen (the last spec sharing a file writes it) and reviewed in
the diff like every expected output.

Tests with exit=2 also assert that nothing was written: the test's output directory and the current directory gain no
file. Runs of run/mesh get "-o build/regress/<name>/out.h5" unless they give -o.

Verification scripts are tests/verify/test_*.py; each prints TAP-like lines "ok - name" / "not ok - name: why".

Usage: tests/run.py [--search "GLOB ..."] [--unit | --no-unit] [--regen]   (--regen rewrites expected outputs and answers: review the diff!)
The last line printed is "N passed, N failed"; the exit status is non-zero when anything failed.
--search selects the tests whose name contains any of its words (each may hold * and ?); the unit tests run without
--search, or with --unit. PHOTHERM_BIN and PHOTHERM_UNIT name other builds of bin/photherm and build/test_unit (make
sanitize), PHOTHERM_TIMEOUT_SCALE multiplies every timeout= (a slower build).
"""
import argparse
import fnmatch
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("PHOTHERM_BIN") or os.path.join(ROOT, "bin", "photherm")  # another build: make sanitize
UNIT = os.environ.get("PHOTHERM_UNIT") or os.path.join(ROOT, "build", "test_unit")
# timeout= is set for photherm's own speed; the sanitizers make it 2 to 5 times slower (make sanitize sets 5)
TIMEOUT_SCALE = float(os.environ.get("PHOTHERM_TIMEOUT_SCALE") or 1)
WORK = os.path.join(ROOT, "build", "regress")
OUTPUT = os.path.join(ROOT, "tests", "regress", "output")
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}


class Result:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def ok(self, name):
        self.passed += 1

    def fail(self, name, why):
        self.failed.append(name)
        print(f"not ok - {name}: {why}", flush=True)


def mpirun(nsize):
    if nsize <= 1:
        return []
    return ["mpirun", "-n", str(nsize)]


def run_unit(result, search):
    exe = UNIT
    tap = os.path.join(ROOT, "build", "unit.tap")
    if os.path.exists(tap):
        os.remove(tap)
    env = dict(os.environ, **MPI_ENV)
    env["CK_TAP_LOG_FILE_NAME"] = tap
    if search:
        env["CK_RUN_CASE"] = search
    start = time.time()
    proc = subprocess.run([exe], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    lines = open(tap, errors="replace").read().splitlines() if os.path.exists(tap) else []
    n = 0
    for line in lines:
        if line.startswith("ok "):
            result.ok(line)
            n += 1
        elif line.startswith("not ok "):
            result.fail("unit: " + line[7:], "")
            n += 1
    if n == 0 or (proc.returncode != 0 and not result.failed):
        result.fail("unit", f"the unit runner exited {proc.returncode} with no TAP results:\n{proc.stdout[-3000:]}")
    elif proc.returncode != 0:
        print(proc.stdout[-3000:])
    print(f"# unit tests: {n} in {time.time() - start:.1f} s", flush=True)


def discover_specs():
    files = sorted(glob.glob(os.path.join(ROOT, "tests", "regress", "**", "*.yaml"), recursive=True))
    files += sorted(glob.glob(os.path.join(ROOT, "cases", "*.yaml")))
    files += sorted(f for f in glob.glob(os.path.join(ROOT, "tests", "regress", "errors", "import", "*")) if os.path.isfile(f) and not f.endswith(".yaml"))
    specs = []
    for path in files:
        rel = os.path.relpath(path, ROOT)
        with open(path, errors="replace") as f:
            for line in f:
                if not line.startswith("#TEST"):
                    continue
                words = shlex.split(line[len("#TEST"):])
                spec = {"file": rel}
                for w in words:
                    if "=" not in w:
                        raise SystemExit(f"{rel}: bad #TEST word {w!r}")
                    k, v = w.split("=", 1)
                    spec[k] = v
                base = os.path.splitext(rel)[0]
                spec["name"] = base + ("_" + spec["suffix"] if "suffix" in spec else "")
                specs.append(spec)
    return specs


NOT_ANSWERS = ("wall_time", "steps", "energy_balance_error*")


def answer_values(path, globs):
    """{h5 path: value} of the numeric /summary-style attributes and datasets of a result file that match the globs."""
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            items = [(f"{name}/{k}", v) for k, v in obj.attrs.items()]
            if isinstance(obj, h5py.Dataset):
                items.append((name, obj[()]))
            for key, v in items:
                leaf = key.rsplit("/", 1)[-1]
                if any(fnmatch.fnmatchcase(key, g) for g in globs) and not any(fnmatch.fnmatchcase(leaf, g) for g in NOT_ANSWERS):
                    a = np.asarray(v) if not isinstance(v, h5py.Empty) else None
                    if a is not None and a.dtype.kind in "biuf":
                        found[key] = a.astype(float).tolist()
        f.visititems(visit)
    return found


def check_answers(spec, out, regen):
    """Problems (a list of strings) of the run's out.h5 against its answer file; with regen, write the answer file."""
    answer = os.path.join(OUTPUT, spec["answer"])
    rel = os.path.relpath(answer, ROOT)
    if regen:
        found = answer_values(out, shlex.split(spec.get("values", "summary/*")))
        with open(answer, "w") as f:
            f.write(f"# answers of {spec['file']} ({spec['name']}), written by tests/run.py --regen: h5 path: value\n")
            for key, value in found.items():  # one line each; a dataset as a (nested) flow list
                f.write(f"{key}: {yaml.safe_dump(value, default_flow_style=True, width=1 << 30).splitlines()[0]}\n")
        return []
    if not os.path.exists(answer):
        return [f"missing answer file {rel}"]
    with open(answer) as f:
        want = yaml.safe_load(f) or {}
    got = answer_values(out, list(want))
    problems = []
    for key, w in want.items():
        tol, atol = float(spec.get("tol", "1e-6")), float(spec.get("atol", "1e-9"))
        for word, value in spec.items():
            if word.startswith(("tol@", "atol@")) and fnmatch.fnmatchcase(key, word.split("@", 1)[1]):
                tol, atol = (float(value), atol) if word.startswith("tol@") else (tol, float(value))
        if key not in got:
            problems.append(f"{key} is in {rel} but not in the result")
            continue
        a, b = np.asarray(got[key], dtype=float), np.asarray(w, dtype=float)
        if a.shape != b.shape:
            problems.append(f"{key}: shape {a.shape}, answer {b.shape}")
            continue
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        err = np.where(same, 0.0, np.abs(a - b))
        bound = np.maximum(tol * np.abs(b), atol)
        bad = ~(err <= bound)
        if np.any(bad):
            i = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err / bound, nan=np.inf), -1.0)), a.shape)
            problems.append(f"{key}{list(i) if a.ndim else ''} = {a[i]!r}, answer {b[i]!r} (|difference| {err[i]:.3g} > {bound[i]:.3g})")
    if problems:
        problems = [f"{len(problems)} of {len(want)} values differ from {rel}: " + "; ".join(problems[:5])]
    return problems


def listing(path):
    return set(os.listdir(path)) if os.path.isdir(path) else set()


def run_spec(spec, result, regen):
    name = spec["name"]
    cmd = spec.get("cmd", "check")
    nsize = int(spec.get("nsize", "1"))
    want_exit = int(spec.get("exit", "0"))
    work = os.path.join(WORK, name.replace("/", "__"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    args = shlex.split(spec.get("args", ""))
    argv = mpirun(nsize) + [BIN, cmd, spec["file"]] + args
    if cmd == "import":
        argv = mpirun(nsize) + [BIN, cmd] + args + ["-o", os.path.relpath(os.path.join(work, "case.yaml"), ROOT)]
    elif cmd in ("run", "mesh") and "-o" not in args:
        argv += ["-o", os.path.relpath(os.path.join(work, "out.h5"), ROOT)]
    env = dict(os.environ, **MPI_ENV)
    for kv in shlex.split(spec.get("env", "")):
        k, v = kv.split("=", 1)
        env[k] = v
    before = listing(ROOT)
    limit = float(spec.get("timeout", "900")) * TIMEOUT_SCALE
    try:
        proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", timeout=limit)
    except subprocess.TimeoutExpired as e:
        out = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        result.fail(name, f"did not end within {limit:g} s (timeout={limit:g})\n  command: {' '.join(argv)}\n  stderr: {out[-2000:]}")
        return
    problems = []
    if proc.returncode != want_exit:
        problems.append(f"exit status {proc.returncode}, expected {want_exit}")
    if want_exit == 2:
        if listing(work):
            problems.append(f"bad input wrote files: {sorted(listing(work))}")
        if listing(ROOT) - before:
            problems.append(f"bad input wrote files: {sorted(listing(ROOT) - before)}")
    both = proc.stdout + proc.stderr
    for key in sorted(spec):
        if key.startswith("grep") and not re.search(spec[key], both, re.M):
            problems.append(f"no match for {spec[key]!r}")
        if key.startswith("nogrep") and re.search(spec[key], both, re.M):
            problems.append(f"unexpected match for {spec[key]!r}")
    compare = spec.get("compare", "none")
    if compare in ("stderr", "stdout"):
        got = proc.stderr if compare == "stderr" else proc.stdout
        got = "\n".join(line.rstrip() for line in got.splitlines()) + "\n"
        expected_file = os.path.join(OUTPUT, spec.get("output", name.replace("/", "__") + ".out"))
        if regen:
            os.makedirs(OUTPUT, exist_ok=True)
            with open(expected_file, "w", errors="replace") as f:
                f.write(got)
        elif not os.path.exists(expected_file):
            problems.append(f"missing expected output {os.path.relpath(expected_file, ROOT)}")
        else:
            want = open(expected_file, errors="replace").read()
            if got != want:
                problems.append(f"{compare} differs from {os.path.relpath(expected_file, ROOT)}:\n--- expected\n{want}--- got\n{got}")
    if "answer" in spec and proc.returncode == 0:
        out = args[args.index("-o") + 1] if "-o" in args else os.path.join(work, "out.h5")
        problems += check_answers(spec, os.path.join(ROOT, out), regen)
    if problems:
        result.fail(name, "; ".join(problems) + f"\n  command: {' '.join(argv)}\n  stderr: {proc.stderr[-2000:]}")
    else:
        result.ok(name)
        shutil.rmtree(work, ignore_errors=True)


def selected(name, search):
    """Whether a test name contains any of the words of --search (none: every test)."""
    return not search or any(fnmatch.fnmatch(name, "*" + word + "*") for word in search.split())


def run_scripts(result, search):
    for script in sorted(glob.glob(os.path.join(ROOT, "tests", "verify", "test_*.py"))):
        rel = os.path.relpath(script, ROOT)
        if not selected(rel, search):
            continue
        start = time.time()
        env = dict(os.environ, **MPI_ENV)
        proc = subprocess.run(["/usr/bin/python3", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", timeout=1800)
        n = 0
        for line in proc.stdout.splitlines():
            if line.startswith("ok - "):
                result.ok(line)
                n += 1
            elif line.startswith("not ok - "):
                result.fail(f"{rel}: {line[9:]}", "")
                n += 1
            elif line.startswith("#"):
                print(line)
        if proc.returncode != 0 or n == 0:
            result.fail(rel, f"exited {proc.returncode} after {n} results:\n{proc.stdout[-3000:]}")
        print(f"# {rel}: {n} checks in {time.time() - start:.1f} s", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--search", default="")
    ap.add_argument("--no-unit", action="store_true")
    ap.add_argument("--unit", action="store_true")
    ap.add_argument("--regen", action="store_true")
    opts = ap.parse_args()
    result = Result()
    if opts.unit or (not opts.no_unit and not opts.search):
        run_unit(result, "")
    start = time.time()
    specs = [s for s in discover_specs() if selected(s["name"], opts.search)]
    for spec in specs:
        run_spec(spec, result, opts.regen)
    print(f"# regression tests: {len(specs)} in {time.time() - start:.1f} s", flush=True)
    run_scripts(result, opts.search)
    print(f"{result.passed} passed, {len(result.failed)} failed")
    sys.exit(1 if result.failed else 0)


if __name__ == "__main__":
    main()
