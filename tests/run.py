#!/usr/bin/python3
"""photherm test runner: the Check unit tests, then the command-line and regression tests, then the verification scripts.

Regression specs are "#TEST" comment lines at the end of case files (tests/regress/**/*.yaml and cases/*.yaml), invisible
to the loader. Each line is a test; its keys (shell-quoted key=value words):

  suffix=S       test name is the file path without .yaml, plus _S
  cmd=C          run | check | mesh | summary (default check)
  nsize=N        MPI ranks (default 1)
  args="..."     extra arguments (-P overrides, PETSc options)
  exit=E         expected exit status (default 0)
  compare=K      stderr | stdout | none (default none): compare with tests/regress/output/<name>.out exactly
  output=F       expected file name in tests/regress/output/ (default <name>.out); lets 1 and 3 ranks share one answer
  grep="re"      a regular expression that must match stdout+stderr (may repeat: grep2=..., grep3=...)
  env="K=V"      environment for the run

Tests with exit=2 also assert that nothing was written: the test's output directory and the current directory gain no
file. Runs of run/mesh get "-o build/regress/<name>/out.h5" unless they give -o.

Verification scripts are tests/verify/test_*.py; each prints TAP-like lines "ok - name" / "not ok - name: why".

Usage: tests/run.py [--search GLOB] [--no-unit] [--regen]   (--regen rewrites expected outputs: review the diff!)
The last line printed is "N passed, N failed"; the exit status is non-zero when anything failed.
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "bin", "photherm")
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
    exe = os.path.join(ROOT, "build", "test_unit")
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
                base = rel[:-5]
                spec["name"] = base + ("_" + spec["suffix"] if "suffix" in spec else "")
                specs.append(spec)
    return specs


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
    if cmd in ("run", "mesh") and "-o" not in args:
        argv += ["-o", os.path.relpath(os.path.join(work, "out.h5"), ROOT)]
    env = dict(os.environ, **MPI_ENV)
    for kv in shlex.split(spec.get("env", "")):
        k, v = kv.split("=", 1)
        env[k] = v
    before = listing(ROOT)
    proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", timeout=900)
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
    if problems:
        result.fail(name, "; ".join(problems) + f"\n  command: {' '.join(argv)}\n  stderr: {proc.stderr[-2000:]}")
    else:
        result.ok(name)
        shutil.rmtree(work, ignore_errors=True)


def run_scripts(result, search):
    for script in sorted(glob.glob(os.path.join(ROOT, "tests", "verify", "test_*.py"))):
        rel = os.path.relpath(script, ROOT)
        if search and not fnmatch.fnmatch(rel, "*" + search + "*"):
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
    ap.add_argument("--regen", action="store_true")
    opts = ap.parse_args()
    result = Result()
    if not opts.no_unit and not opts.search:
        run_unit(result, "")
    start = time.time()
    specs = [s for s in discover_specs() if not opts.search or fnmatch.fnmatch(s["name"], "*" + opts.search + "*")]
    for spec in specs:
        run_spec(spec, result, opts.regen)
    print(f"# regression tests: {len(specs)} in {time.time() - start:.1f} s", flush=True)
    run_scripts(result, opts.search)
    print(f"{result.passed} passed, {len(result.failed)} failed")
    sys.exit(1 if result.failed else 0)


if __name__ == "__main__":
    main()
