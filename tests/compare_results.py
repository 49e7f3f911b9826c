#!/usr/bin/python3
"""Prove that a change (a refactor, a new compiler flag) changes no result: run the same cases with two photherm
binaries and compare the two result files of every case.

Cases:
  - the examples cases/cpo-2d.yaml, cpo-2p5d.yaml, cpo-3d.yaml and first.yaml as they are (their full time.end;
    left out by --quick) and with the arguments of each of their "#TEST ... cmd=run" lines (memory-checking options
    such as -malloc_debug dropped);
  - every case that the verification scripts tests/verify/test_*.py run: the scripts are run once with
    PHOTHERM_RECORD_DIR set (and PHOTHERM_BIN=the --ref binary), so that their helper (phverify.record) keeps a copy
    of each case file, the files it names and its arguments; the recorded cases are then run again with both
    binaries. test_scan.py is not run: its cases go through scripts/scan.py, not the helper.
Every case runs with both binaries on each of --ranks (under mpirun -n N for N > 1), with "-quiet -o DIR/x.h5".

Comparison: every dataset (equal shape; numbers within max|a - b| <= 1e-12 * max|a|, NaN equal to NaN, infinities
equal; text and compound fields exactly) and every numeric attribute (same rule), except the attributes of
provenance and timing listed in IGNORED. Entries present in one file only are differences. A case that fails with
both binaries in the same way (same exit status and stderr) counts as identical; any other failure is a difference.

Output: one line per case and rank count, "identical", "within 1e-12 (largest relative difference ...)" or
"DIFFERENT: what, how much", then "N passed, N failed" and the total time. Exit status 1 on any difference.

Usage: tests/compare_results.py --ref OLD_BIN --new NEW_BIN [--ranks 1 2] [--quick] [--jobs N] [--only GLOB]
         [--record-dir DIR] [--work DIR] [--ref-args='...'] [--new-args='...']
  --new-args='-P time.end=1ms' adds arguments to every run of the new binary (a self-test: it must then fail).
  --record-dir DIR reuses the cases recorded in DIR by an earlier call (or records them there), saving ~3 min.
Run time (2 shared cores): everything about 50 min, --quick with a reused recording about 12 min (tests/README.md).
"""
import argparse
import concurrent.futures
import fnmatch
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as runner  # noqa: E402  (tests/run.py: the #TEST specs and the MPI environment)

ROOT = runner.ROOT
RTOL = 1e-12
EXAMPLES = ["cpo-2d", "cpo-2p5d", "cpo-3d", "first"]
NOT_RESULTS = {"-malloc_debug", "-malloc_dump", "-quiet"}  # #TEST options that check memory or silence progress
IGNORED = {"wall_time", "command_line", "created", "photherm_version", "photherm_git", "petsc_version"}
SKIP_SCRIPTS = {"test_scan.py"}


def example_cases(quick):
    """The example cases: as they are (unless quick), then with the arguments of each distinct #TEST run line."""
    specs = runner.discover_specs()
    cases = []
    for name in EXAMPLES:
        rel = f"cases/{name}.yaml"
        if not quick:
            cases.append({"id": name, "cwd": ROOT, "case": rel, "args": []})
        seen = set()
        for spec in specs:
            if spec["file"] != rel or spec.get("cmd") != "run":
                continue
            args = [a for a in shlex.split(spec.get("args", "")) if a not in NOT_RESULTS]
            if tuple(args) not in seen:
                seen.add(tuple(args))
                cases.append({"id": os.path.basename(spec["name"]), "cwd": ROOT, "case": rel, "args": args})
    return cases


def record_verify_cases(record_dir, ref):
    """Run the verification scripts once with recording on; returns the number of seconds it took."""
    start = time.time()
    env = dict(os.environ, **runner.MPI_ENV, PHOTHERM_RECORD_DIR=record_dir, PHOTHERM_BIN=os.path.abspath(ref))
    for script in sorted(glob.glob(os.path.join(ROOT, "tests", "verify", "test_*.py"))):
        if os.path.basename(script) in SKIP_SCRIPTS:
            continue
        subprocess.run(["/usr/bin/python3", script], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
    return time.time() - start


def recorded_cases(record_dir):
    cases = []
    for d in sorted(glob.glob(os.path.join(record_dir, "*", "run.json"))):
        with open(d) as f:
            r = json.load(f)
        cases.append({"id": os.path.basename(os.path.dirname(d)), "cwd": os.path.dirname(d), "case": r["case"], "args": r["args"]})
    return cases


def run_one(binary, extra, c, nranks, out):
    argv = runner.mpirun(nranks) + [os.path.abspath(binary), "run", c["case"]] + c["args"] + extra + ["-quiet", "-o", out]
    env = dict(os.environ, **runner.MPI_ENV)
    try:
        p = subprocess.run(argv, cwd=c["cwd"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", timeout=1800)
        own = [line for line in p.stderr.splitlines() if line.startswith("photherm:")]  # not mpirun's banner (job ids)
        return p.returncode, "\n".join(own).replace(out, "OUT").replace(os.path.abspath(binary), "BIN")
    except subprocess.TimeoutExpired:
        return "timeout", ""


# ---------------------------------------------------------------------------------------------------------------
# Comparison of two result files


def entries(path):
    """{"/dataset": array, "/object@attribute": value} of every dataset and every numeric attribute not in IGNORED.

    A table with an empty `names` attribute (no sources, no blocks) holds no values, yet photherm 0.1 writes it as a
    1D dataset of nsample values from memory it never set: only its shape is compared (its values are replaced by
    zeros)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            where = "/" + name if name else ""
            if isinstance(obj, h5py.Dataset):
                names = obj.attrs["names"] if "names" in obj.attrs else None
                empty = names is not None and (isinstance(names, h5py.Empty) or np.asarray(names).size == 0)
                out[where] = np.zeros(obj.shape) if empty else obj[()]
            for k, v in obj.attrs.items():
                a = np.asarray(v) if not isinstance(v, h5py.Empty) else None
                if k not in IGNORED and a is not None and a.dtype.kind in "biuf":
                    out[f"{where or '/'}@{k}"] = a
        visit("", f)
        f.visititems(visit)
    return out


def difference(a, b):
    """(passed, identical, relative difference, description) of two values."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False, False, np.inf, f"shape {a.shape} vs {b.shape}"
    if a.dtype.names or b.dtype.names:
        if a.dtype.names != b.dtype.names:
            return False, False, np.inf, f"fields {a.dtype.names} vs {b.dtype.names}"
        parts = [difference(a[n], b[n]) for n in a.dtype.names]
        worst = max(parts, key=lambda p: (not p[0], p[2]))
        return all(p[0] for p in parts), all(p[1] for p in parts), worst[2], worst[3]
    if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        same = a.dtype.kind == b.dtype.kind and np.array_equal(a, b)
        return same, same, 0.0 if same else np.inf, "" if same else "text differs"
    af, bf = a.astype(np.float64), b.astype(np.float64)
    if np.array_equal(af, bf, equal_nan=True):
        return True, True, 0.0, ""
    if np.any(np.isnan(af) != np.isnan(bf)):
        return False, False, np.inf, "NaN in one file only"
    differ = ~((af == bf) | np.isnan(af))
    if np.any(~np.isfinite(af[differ])) or np.any(~np.isfinite(bf[differ])):
        return False, False, np.inf, "an infinity in one file only"
    d = float(np.max(np.abs(af - bf)[differ]))
    finite = np.abs(af[np.isfinite(af)])
    scale = float(finite.max()) if finite.size else 0.0
    rel = d / scale if scale > 0 else np.inf
    return d <= RTOL * scale, False, rel, f"relative {rel:.3g} (max |a-b| {d:.3g}, max |a| {scale:.3g})"


def compare_files(ref, new):
    """(passed, identical, message)."""
    e1, e2 = entries(ref), entries(new)
    problems, worst, identical = [], (0.0, ""), True
    for k in sorted(set(e1) | set(e2)):
        if k not in e2:
            problems.append(f"{k} only in the ref file")
            continue
        if k not in e1:
            problems.append(f"{k} only in the new file")
            continue
        passed, same, rel, what = difference(e1[k], e2[k])
        identical = identical and same
        if not passed:
            problems.append(f"{k}: {what}")
        elif rel > worst[0]:
            worst = (rel, k)
    if problems:
        more = f" (+{len(problems) - 4} more)" if len(problems) > 4 else ""
        return False, False, "; ".join(problems[:4]) + more
    if identical:
        return True, True, ""
    return True, False, f"largest relative difference {worst[0]:.2g} in {worst[1]}"


# ---------------------------------------------------------------------------------------------------------------


def compare_case(c, nranks, opts, work):
    d = os.path.join(work, "runs", c["id"].replace("/", "_"))
    os.makedirs(d, exist_ok=True)
    outs = {}
    for label, binary, extra in (("ref", opts.ref, shlex.split(opts.ref_args)), ("new", opts.new, shlex.split(opts.new_args))):
        outs[label] = os.path.join(d, f"{label}-np{nranks}.h5")
        outs[label + "_run"] = run_one(binary, extra, c, nranks, outs[label])
    (rc1, err1), (rc2, err2) = outs["ref_run"], outs["new_run"]
    if rc1 != 0 or rc2 != 0:
        last = lambda err: (err.strip().splitlines() or [""])[-1][:200]  # noqa: E731
        if rc1 == rc2 and err1 == err2:
            return True, f"identical (both runs exit {rc1}: {last(err1)})"
        return False, f"DIFFERENT: ref exit {rc1}, new exit {rc2}: {last(err1) if rc1 else last(err2)}"
    try:
        passed, identical, msg = compare_files(outs["ref"], outs["new"])
    except (OSError, KeyError) as e:
        return False, f"DIFFERENT: cannot compare the files: {e}"
    if passed and not opts.keep:
        for label in ("ref", "new"):
            for f in (outs[label], os.path.splitext(outs[label])[0] + ".xmf"):
                if os.path.exists(f):
                    os.remove(f)
    if identical:
        return True, "identical"
    return passed, (f"within 1e-12 ({msg})" if passed else f"DIFFERENT: {msg}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref", required=True, help="the photherm binary of the unchanged code")
    ap.add_argument("--new", required=True, help="the photherm binary of the changed code")
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--quick", action="store_true", help="leave out the full-length example runs")
    ap.add_argument("--jobs", type=int, default=1, help="cases run at the same time (default 1)")
    ap.add_argument("--only", default="", help="only the cases whose name matches this glob")
    ap.add_argument("--record-dir", default="", help="recorded verification cases to reuse (or where to record them)")
    ap.add_argument("--work", default="", help="where runs are written (default a temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the result files of passing cases too")
    ap.add_argument("--ref-args", default="", help="extra arguments for every run of the ref binary")
    ap.add_argument("--new-args", default="", help="extra arguments for every run of the new binary")
    opts = ap.parse_args()
    for b in (opts.ref, opts.new):
        if not os.access(b, os.X_OK):
            ap.error(f"{b} is not an executable")
    start = time.time()
    work = opts.work or tempfile.mkdtemp(prefix="ph-compare-")
    os.makedirs(work, exist_ok=True)
    record_dir = os.path.abspath(opts.record_dir or os.path.join(work, "recorded"))
    if not os.path.exists(os.path.join(record_dir, "index.txt")):
        secs = record_verify_cases(record_dir, opts.ref)
        print(f"# recorded the cases of the verification scripts in {secs:.0f} s ({record_dir})", flush=True)
    cases = example_cases(opts.quick) + recorded_cases(record_dir)
    if opts.only:
        cases = [c for c in cases if fnmatch.fnmatch(c["id"], opts.only)]
    jobs = [(c, n) for c in cases for n in opts.ranks]
    print(f"# {len(cases)} cases x ranks {opts.ranks}: {len(jobs)} comparisons", flush=True)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = [(c, n, pool.submit(compare_case, c, n, opts, work)) for c, n in jobs]
        for c, n, fut in futures:
            good, msg = fut.result()
            passed, failed = passed + good, failed + (not good)
            print(f"{c['id']} np{n}: {msg}", flush=True)
    print(f"# total time {time.time() - start:.0f} s; runs in {work}" + ("" if failed or opts.keep or opts.work else " (removed)"))
    if not failed and not opts.keep and not opts.work:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
