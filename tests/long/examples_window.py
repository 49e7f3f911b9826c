#!/usr/bin/python3
"""The reduced model against a tightly solved full run on the shipped examples over a window (the long-workload issue, Verification).

For each of cases/cpo-2d.yaml, cpo-2p5d.yaml and cpo-3d.yaml as shipped (500 um cells, the 200 ms training trace
repeated, samples every 0.5 ms, heater feedback, wrap locking), over [0, --end] (default 1 s):

- the reduced run: `-P time.method=reduced` (time.reduced.tolerance, default 0.05 K), with `-info :sys` so that the
  re-formings of the k(T) operator are counted;
- the full run, tightly solved: PETSc's BDF with `-ts_rtol 1e-6 -ts_atol 1e-5` (--full-args). Backward Euler, the
  default, is first order: on the 2.5D example at 2 mm over 200 ms its error against BDF at 1e-8/1e-7 is still
  1.6e-3 K at -ts_rtol 1e-7 (15672 steps), where BDF at 1e-6/1e-5 is within 2.4e-4 K in 2225 steps
  (tests/README.md);
- every series of rings (T_i and the slice mean), lasers, sources and blocks compared sample by sample, the lock
  states, relocks, orders, lines up and the link metrics that count them for equality, margins where every ring is
  locked, and heater and tuning powers against drift / efficiency times the ring differences
  (tests/verify/phverify.py, compare_reduced).

It prints one table per example and a line per example at the end, and exits 1 when any held quantity exceeds its
bound. It is not part of `make test`: the full runs take 12-13 min of CPU each (tests/README.md has the measured
figures). Run it with `make verify-long` (examples=2p5d,3d end=1s to choose), one example at a time, 1 rank, nice.
--reuse keeps a result of an earlier invocation whose command line is the same (its CPU time is kept beside it).
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "verify"))
import h5py  # noqa: E402

import phverify  # noqa: E402

FULL_ARGS = "-ts_type bdf -ts_rtol 1e-6 -ts_atol 1e-5"


def run(cmd, out, reuse, env):
    """Run photherm (cmd ends with -o out ...) unless --reuse finds out with this command line; returns (cpu s, wall s, stderr)."""
    side = out + ".cpu"
    if reuse and os.path.exists(out) and os.path.exists(side):
        with h5py.File(out, "r") as f:
            line = phverify.decode(f.attrs["command_line"])
        if line == " ".join(cmd):
            with open(side) as s:
                cpu = json.load(s)
            print(f"# reusing {out} ({cpu['user'] + cpu['sys']:.0f} s of CPU when it ran)", flush=True)
            return cpu["user"] + cpu["sys"], cpu["wall"], cpu.get("stderr", "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise phverify.RunError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-1500:]}")
    user, syst = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    stderr = "\n".join(line for line in p.stderr.splitlines() if not line.startswith("[0] <"))
    found = re.findall(r"re-frozen (\d+) times", p.stdout + p.stderr)  # -info :sys, at the end of the run
    refreeze = int(found[-1]) if found else 0
    with open(side, "w") as s:
        json.dump({"user": user, "sys": syst, "wall": wall, "stderr": stderr, "refreeze": refreeze}, s)
    return user + syst, wall, stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", default="2d,2p5d,3d", help="comma-separated: 2d, 2p5d, 3d")
    ap.add_argument("--end", default="1s", help="the window [0, END] (time.end)")
    ap.add_argument("--full-args", default=FULL_ARGS, help=f"options of the tight full run (default: {FULL_ARGS})")
    ap.add_argument("--reduced-args", default="", help="options of the reduced run (for example -ph_reduced_k_lag 0.005)")
    ap.add_argument("-P", dest="params", action="append", default=[], help="-P NAME=VALUE for both runs (for example cell=2mm)")
    ap.add_argument("--work", default=os.path.join(phverify.ROOT, "build", "long"), help="directory of the result files")
    ap.add_argument("--reuse", action="store_true", help="keep results of an earlier run with the same command line")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    env = dict(os.environ, **phverify.MPI_ENV)
    common = ["-quiet", "-P", f"time.end={args.end}"] + [a for p in args.params for a in ("-P", p)]
    tag = "".join("-" + p.replace("=", "").replace(".", "_") for p in args.params) + ("" if args.end == "1s" else f"-{args.end}")
    lines, failed = [], False
    for ex in args.examples.split(","):
        case = os.path.join(phverify.ROOT, "cases", f"cpo-{ex}.yaml")
        full = os.path.join(args.work, f"cpo-{ex}{tag}-full.h5")
        rtag = "".join(c if c.isalnum() or c in "._" else "" for c in args.reduced_args.replace(" ", "_"))
        red = os.path.join(args.work, f"cpo-{ex}{tag}-reduced{'-' + rtag if rtag else ''}.h5")
        cred = [phverify.BIN, "run", case, "-o", red] + common + ["-P", "time.method=reduced", "-info", ":sys"] + args.reduced_args.split()
        cfull = [phverify.BIN, "run", case, "-o", full] + common + args.full_args.split()
        print(f"# cpo-{ex}: {' '.join(cred)}", flush=True)
        cpu_r, wall_r, err_r = run(cred, red, args.reuse, env)
        print(f"# cpo-{ex}: {' '.join(cfull)}", flush=True)
        cpu_f, wall_f, _ = run(cfull, full, args.reuse, env)
        tol = phverify.reduced_tolerance(red)
        res = phverify.compare_reduced(full, red, tol)
        with open(red + ".cpu") as s:
            refreeze = json.load(s).get("refreeze", -1)
        print(f"\n## cpo-{ex} over [0, {args.end}]: tolerance {tol} K", flush=True)
        for line in phverify.reduced_table(res):
            print(line)
        s = res["reduced"]
        print(f"reduced: basis {s.get('reduced_basis', 0):.0f}, shifts {s.get('reduced_shifts', 0):.0f}, estimate "
              f"{s.get('reduced_error_estimate', float('nan')):.3g} K, freeze bound {s.get('reduced_freeze_error', float('nan')):.3g} K, "
              f"k(T) re-formed {refreeze} times, build {s.get('reduced_build_time', 0):.1f} s; CPU {cpu_r:.0f} s (wall {wall_r:.0f} s)")
        print(f"full: {res['full'].get('steps', 0):.0f} steps; CPU {cpu_f:.0f} s (wall {wall_f:.0f} s)")
        for line in err_r.splitlines():
            print(f"reduced run stderr: {line}")
        for f in res["failures"]:
            print(f"EXCEEDED: {f}")
        said = "warned" if err_r.strip() else "said nothing"
        worst = {k: max((r["max"] for r in res["rows"] if r["kind"] == k and r["unit"] == "K"), default=0.0)
                 for k in ("rings", "lasers", "sources", "blocks")}
        lines.append(f"cpo-{ex}: rings {worst['rings']:.3g} K, lasers {worst['lasers']:.3g} K, sources {worst['sources']:.3g} K, "
                     f"blocks {worst['blocks']:.3g} K; states {'equal' if not any('samples differ' in f or 'summary' in f for f in res['failures']) else 'DIFFER'}; "
                     f"CPU reduced {cpu_r:.0f} s, full {cpu_f:.0f} s; " + ("within tolerance" if not res["failures"] else f"NOT within (the run {said})"))
        failed |= bool(res["failures"])
    print()
    for line in lines:
        print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
