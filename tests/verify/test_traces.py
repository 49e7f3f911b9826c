#!/usr/bin/python3
"""The workload traces of cases/traces/ are what scripts/make_traces.py writes, and it writes them deterministically:
two runs into fresh directories give byte-identical files, equal to the committed ones (the short traces pinned by
the regression answers and the 60 s traces of the long-workload study). The 60 s traces span exactly [0, 60 s] at
1 ms resolution (whole milliseconds, a row per change of power, no row repeating the one before), stay small, start
idle (the study starts from the idle steady state), keep every power within the documented ranges, and photherm
accepts them on the 2.5D example."""
import glob
import os
import subprocess
import sys

import phverify

tap = phverify.Tap(__file__)
TRACES = os.path.join(phverify.ROOT, "cases", "traces")
LONG = ["training-60s.csv", "inference-60s.csv", "powercap-60s.csv"]


def generate(work, name):
    out = os.path.join(work, name)
    p = subprocess.run([sys.executable, os.path.join(phverify.ROOT, "scripts", "make_traces.py"), out], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"make_traces.py exited {p.returncode}: {p.stderr.strip()[-300:]}")
    return out


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def rows(path):
    lines = [ln for ln in read_bytes(path).decode().splitlines() if ln and not ln.startswith("#")]
    return lines[0], [[float(x) for x in ln.split(",")] for ln in lines[1:]]


def main():
    work = phverify.workdir("traces")
    a, b = generate(work, "a"), generate(work, "b")
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(a, "*.csv")))
    committed = sorted(os.path.basename(p) for p in glob.glob(os.path.join(TRACES, "*.csv")))
    tap.check("make_traces.py writes every committed trace and no other", names == committed, f"written {names}, committed {committed}")
    for name in names:
        same_runs = read_bytes(os.path.join(a, name)) == read_bytes(os.path.join(b, name))
        same_repo = os.path.exists(os.path.join(TRACES, name)) and read_bytes(os.path.join(a, name)) == read_bytes(os.path.join(TRACES, name))
        tap.check(f"{name}: two runs are identical and equal the committed file", same_runs and same_repo,
                  f"runs identical {same_runs}, equal to cases/traces/{name} {same_repo}")
    for name in LONG:
        path = os.path.join(TRACES, name)
        head, data = rows(path)
        t = [r[0] for r in data]
        size = os.path.getsize(path)
        whole = all(x == round(x) for x in t)
        increasing = all(t1 > t0 for t0, t1 in zip(t, t[1:]))
        repeats = sum(1 for r0, r1 in zip(data, data[1:]) if r0[1:] == r1[1:])
        tap.check(f"{name}: [0, 60 s] in whole milliseconds, a row per change, under 200 kB",
                  head == "time [ms],asic [W],serdes [W],eic [W]" and t[0] == 0 and t[-1] == 60000 and whole and increasing
                  and repeats <= 1 and size < 200000,
                  f"{len(data)} rows, {t[0]:g}-{t[-1]:g} ms, whole ms {whole}, increasing {increasing}, repeated rows {repeats} (the last row may repeat), {size} bytes")
        asic = [r[1] for r in data]
        serdes = [r[2] for r in data]
        eic = [r[3] for r in data]
        tap.check(f"{name}: idle at t = 0, powers within 120-820 W, 8-45 W and 1.5-6 W",
                  data[0][1:] == [120.0, 8.0, 1.5] and 120 <= min(asic) and max(asic) <= 820 and 8 <= min(serdes)
                  and max(serdes) <= 45 and 1.5 <= min(eic) and max(eic) <= 6,
                  f"first row {data[0]}, asic {min(asic):g}-{max(asic):g} W, serdes {min(serdes):g}-{max(serdes):g} W, eic {min(eic):g}-{max(eic):g} W")
    args = ["check", os.path.join(phverify.ROOT, "cases", "cpo-2p5d.yaml"), "-P", "time.end=60s", "-P", "cell=2mm"]
    for name in LONG:
        trace = os.path.join(TRACES, name)
        p = phverify.photherm(args + sum((["-P", f"sources.{s}.power.trace={trace}"] for s in ("asic", "serdes", "eic")), []), work)
        tap.check(f"{name}: photherm check accepts it on the 2.5D example", p.returncode == 0, f"exit {p.returncode}: {p.stderr.strip()[-200:]}")
    tap.finish()


if __name__ == "__main__":
    main()
