#!/usr/bin/python3
"""Write the AI workload power traces of cases/traces/ (CSV, cases/README.md section 12.3), each with a header comment
saying how it was built. Deterministic: running it again gives the same files.

Usage: scripts/make_traces.py [OUTDIR]   (default: cases/traces next to this script's repository)

Traces (times in ms, powers in W):
  training.csv   data-parallel training steps: forward and backward compute bursts, an all-reduce phase in which the
                 ASIC is mostly idle while the SerDes and the optical engine carry the traffic, an optimizer step.
  inference.csv  bursty inference: requests arriving in irregular batches, compute bursts of varying length between
                 idle gaps, SerDes and optics busy while results stream out.
  throttle.csv   training under a power cap: after a hot spell the ASIC is throttled to 60% for a while, then recovers.
Columns: asic (the ASIC core), serdes (the SerDes ring next to the optical engine), eic (the electronic IC of the
optical engine: drivers and TIAs, which follow the optical traffic).
"""
import os
import random
import sys

ASIC_IDLE, SERDES_IDLE, EIC_IDLE = 120.0, 8.0, 1.5


def write(path, comment, rows):
    with open(path, "w") as f:
        for line in comment.strip().splitlines():
            f.write("# " + line + "\n")
        f.write("time [ms],asic [W],serdes [W],eic [W]\n")
        for t, a, s, e in rows:
            f.write(f"{t:.3f},{a:.1f},{s:.1f},{e:.2f}\n")


def training_step(t0, scale=1.0):
    """One training step of 20 ms: forward 6 ms, backward 9 ms, all-reduce 3 ms, optimizer 2 ms."""
    phases = [  # (duration ms, asic W, serdes W, eic W)
        (6.0, 700.0, 12.0, 2.0),  # forward: compute bound
        (9.0, 820.0, 12.0, 2.0),  # backward: the hottest phase
        (3.0, 230.0, 45.0, 6.0),  # all-reduce: links saturated, tensor cores idle
        (2.0, 460.0, 15.0, 2.5),  # optimizer step
    ]
    rows, t = [], t0
    for dur, a, s, e in phases:
        rows.append((t, a * scale, s, e))
        t += dur
    return rows, t


def training(nsteps=10):
    rows, t = [], 0.0
    for _ in range(nsteps):
        step, t = training_step(t)
        rows += step
    rows.append((t, rows[0][1], rows[0][2], rows[0][3]))  # closes the last period (repeat: true loops on it)
    return rows


def inference(duration=200.0, seed=7):
    rng = random.Random(seed)
    rows, t = [(0.0, ASIC_IDLE, SERDES_IDLE, EIC_IDLE)], 0.0
    while t < duration:
        t += rng.uniform(1.0, 6.0)  # idle gap until the next batch
        burst = rng.uniform(2.0, 9.0)
        load = rng.uniform(0.55, 1.0)
        rows.append((t, 200.0 + 560.0 * load, 14.0, 2.0))  # prefill/decode compute
        t += burst
        rows.append((t, 260.0, 20.0 + 20.0 * load, 3.0 + 3.0 * load))  # results stream out over the optical links
        t += rng.uniform(0.5, 2.0)
        rows.append((t, ASIC_IDLE, SERDES_IDLE, EIC_IDLE))
    return rows


def throttle(nsteps=10, cap_from=4, cap_to=7):
    rows, t = [], 0.0
    for i in range(nsteps):
        step, t = training_step(t, 0.6 if cap_from <= i < cap_to else 1.0)
        rows += step
    rows.append((t, rows[0][1], rows[0][2], rows[0][3]))
    return rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "cases", "traces")
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "training.csv"), """
Data-parallel training of a large model on a 700-800 W accelerator, written by scripts/make_traces.py.
Each 20 ms step: forward 6 ms (ASIC 700 W), backward 9 ms (820 W), all-reduce 3 ms (ASIC 230 W while the SerDes
draw 45 W and the optical engine's EIC 6 W moving gradients), optimizer 2 ms (460 W). Ten steps, 200 ms; use
repeat: true to loop it. Powers are representative of H100/B200-class parts (700-1000 W board power) and of
co-packaged SerDes and optical engines (tens of W), not measurements of one product.""", training())
    write(os.path.join(out, "inference.csv"), """
Bursty inference serving, written by scripts/make_traces.py (pseudo-random, seed 7, so it is reproducible).
Batches arrive after 1-6 ms idle gaps (ASIC 120 W idle); each runs 2-9 ms of compute (ASIC 200 W + 560 W x load),
then streams results out for 0.5-2 ms (SerDes 20-40 W, EIC 3-6 W). About 200 ms.""", inference())
    write(os.path.join(out, "throttle.csv"), """
Training under a power cap, written by scripts/make_traces.py: the training step of training.csv, with the ASIC
throttled to 60% of its power for steps 5 to 7 (80 to 140 ms) after a thermal event, then back to full power.
Ten steps, 200 ms.""", throttle())


if __name__ == "__main__":
    main()
