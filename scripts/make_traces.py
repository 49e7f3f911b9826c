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
60 s workloads at 1 ms resolution (a row per change of power), for the long-workload study:
  training-60s.csv   training with 400 ms steps (forward, backward, exposed all-reduce, optimizer), input stalls, two
                     checkpoints and an evaluation, after 2 s of idle.
  inference-60s.csv  a day of inference serving compressed into 60 s: a diurnal load envelope with traffic bursts,
                     driving 50 ms batching windows at their real time scale.
  powercap-60s.csv   the training of training-60s.csv with a power cap from 25 s to 40 s (60% ASIC power, 80% clock),
                     then recovery.
Columns: asic (the ASIC core), serdes (the SerDes ring next to the optical engine), eic (the electronic IC of the
optical engine: drivers and TIAs, which follow the optical traffic).
"""
import math
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


# ---------------------------------------------------------------------------------------------------------------------
# 60 s workloads at 1 ms resolution (README.md, "The integration-depth study"): long enough for the lid, the cold plate
# and the heat sink to heat up (their time constants are seconds), written a row per change of power rather than a row
# per millisecond. Every time is a whole millisecond; every pseudo-random choice comes from random.Random(seed), so the
# files are the same on every run and every platform.

LONG_END = 60000.0  # ms
LAUNCH = 2000.0     # ms of idle before the job starts: the run begins from the package's idle steady state

# One 400 ms training step, from 6 N D FLOPs per step (Kaplan et al., "Scaling laws for neural language models",
# arXiv:2001.08361, 2020): a 3.2e9-parameter model, 8192 tokens per accelerator per step, 989 TFLOP/s dense BF16
# (NVIDIA H100 SXM datasheet) at 40% model-FLOPs utilisation (the Llama 3 report, arXiv:2407.21783, gives 38-43%;
# PaLM, arXiv:2204.02311, 46%): 6 x 3.2e9 x 8192 / (989e12 x 0.4) = 0.40 s. Backward costs twice the forward
# FLOPs; the all-reduce overlaps the backward pass except its last buckets (exposed 45 ms), then the optimizer.
LONG_STEP = [  # (duration ms, asic W, serdes W, eic W)
    (110.0, 700.0, 12.0, 2.0),  # forward
    (220.0, 820.0, 14.0, 2.2),  # backward (gradient buckets start to leave: SerDes a little busier)
    (45.0, 230.0, 45.0, 6.0),   # exposed all-reduce: links saturated, tensor cores waiting
    (25.0, 460.0, 15.0, 2.5),   # optimizer step
]
IDLE = (ASIC_IDLE, SERDES_IDLE, EIC_IDLE)


def ms(t):
    """Round to the trace's 1 ms resolution."""
    return float(round(t))


class Rows:
    """Rows of a trace, a row per change; a row that repeats the powers of the row before is dropped."""

    def __init__(self):
        self.rows = []

    def add(self, t, a, s, e):
        row = (ms(t), round(a, 1), round(s, 1), round(e, 2))
        if self.rows and self.rows[-1][0] == row[0]:
            self.rows[-1] = row
        elif not self.rows or self.rows[-1][1:] != row[1:]:
            self.rows.append(row)

    def close(self, end=LONG_END):
        """Cut at `end` and add a last row there (holding the powers in force), so the trace spans exactly [0, end]."""
        self.rows = [r for r in self.rows if r[0] < end]
        self.rows.append((end,) + self.rows[-1][1:])
        return self.rows


def long_training_step(rows, t, rng, asic=1.0, stretch=1.0):
    """One training step from t: the phases of LONG_STEP with +-3% jitter on the compute phases (data-dependent
    sequence lengths, stragglers among the ranks), the ASIC power times `asic` and the compute phases times `stretch`
    (a power cap lowers the clock, so the same work takes longer). Returns the end of the step."""
    for i, (dur, a, s, e) in enumerate(LONG_STEP):
        d = dur * stretch * (1.0 + rng.uniform(-0.03, 0.03)) if i != 2 else dur
        rows.add(t, a * asic, s, e)
        t = ms(t + max(d, 1.0))
    return t


def checkpoint(rows, t, dur=1500.0):
    """A synchronous checkpoint: the accelerators wait while their state is copied out (ASIC 150 W; the scale-out
    links, not the optical engine, carry it: SerDes 15 W, EIC 2.5 W)."""
    rows.add(t, 150.0, 15.0, 2.5)
    return ms(t + dur)


def evaluation(rows, t, rng, dur=3000.0):
    """A held-out evaluation: forward-only batches of about 100 ms (85 ms at 700 W, 15 ms gathering the losses)."""
    end = t + dur
    while t < end:
        rows.add(t, 700.0, 12.0, 2.0)
        t = ms(t + 85.0 * (1.0 + rng.uniform(-0.03, 0.03)))
        rows.add(t, 260.0, 25.0, 3.5)
        t = ms(t + 15.0)
    return t


def training_long(seed=11):
    """Training for 60 s: 2 s idle, then 400 ms steps, a checkpoint at 20 s and 40 s (1.5 s), an evaluation at 50 s
    (3 s), a 60-150 ms input stall before about one step in 30."""
    rng, rows, t = random.Random(seed), Rows(), 0.0
    rows.add(0.0, *IDLE)
    t = LAUNCH
    pauses = [(20000.0, "checkpoint"), (40000.0, "checkpoint"), (50000.0, "eval")]
    while t < LONG_END:
        if pauses and t >= pauses[0][0]:
            kind = pauses.pop(0)[1]
            t = checkpoint(rows, t) if kind == "checkpoint" else evaluation(rows, t, rng)
            continue
        if rng.random() < 1.0 / 30.0:
            rows.add(t, 180.0, SERDES_IDLE, EIC_IDLE)  # waiting for the input pipeline or a straggler
            t = ms(t + rng.uniform(60.0, 150.0))
        t = long_training_step(rows, t, rng)
    return rows.close()


def diurnal(hour):
    """Load of an inference service over a day, 0.15 at 4 h to 1 at 16 h (raised cosine)."""
    return 0.15 + 0.85 * (0.5 - 0.5 * math.cos(2.0 * math.pi * (hour - 4.0) / 24.0))


def inference_day(seed=13, window=50.0):
    """A day of inference serving compressed into 60 s (1 s of trace is 24 minutes of the day), at the real time scale
    of its batches: in every 50 ms scheduling window the ASIC computes for a share of the window equal to the load
    (continuous batching), at a power that grows with the batch, then streams the results out over the optical links
    for 5 ms and idles for the rest, after 2 s of idle while the service loads its model. The load follows the
    diurnal envelope, times a slow random walk (+-15%), plus three traffic bursts that saturate the service (at 9 h,
    13 h and 20 h of the day, 1.5-3 s of trace)."""
    rng, rows, t = random.Random(seed), Rows(), 0.0
    rows.add(0.0, *IDLE)
    t = LAUNCH  # the service loads its model: the run begins from the idle steady state, as the others
    bursts = [(22500.0, 1500.0), (32500.0, 3000.0), (50000.0, 2000.0)]  # (start ms, length ms)
    walk = 1.0
    while t < LONG_END:
        hour = 24.0 * t / LONG_END
        walk = min(1.15, max(0.85, walk + rng.uniform(-0.02, 0.02)))
        load = diurnal(hour) * walk
        if any(b <= t < b + d for b, d in bursts):
            load = 1.0
        load = min(1.0, load * rng.uniform(0.85, 1.15))
        busy = ms(max(0.0, (window - 5.0) * load))
        if busy >= 1.0:
            rows.add(t, 200.0 + 600.0 * load, 14.0, 2.0)  # prefill and decode of the batch
            rows.add(t + busy, 260.0, 20.0 + 20.0 * load, 3.0 + 3.0 * load)  # results stream out
            rows.add(t + busy + 5.0, *IDLE)
        else:
            rows.add(t, *IDLE)
        t += window
    return rows.close()


def powercap_long(seed=17, cap_from=25000.0, cap_to=40000.0, cap=0.6, clock=0.8):
    """Training (as training_long, without its pauses) with a power-capping event: from 25 s to 40 s the ASIC is capped
    at 60% of its power; the lower clock (80%) stretches the compute phases by 1 / 0.8. Then it recovers."""
    rng, rows, t = random.Random(seed), Rows(), 0.0
    rows.add(0.0, *IDLE)
    t = LAUNCH
    while t < LONG_END:
        capped = cap_from <= t < cap_to
        t = long_training_step(rows, t, rng, cap if capped else 1.0, 1.0 / clock if capped else 1.0)
    return rows.close()


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
    write(os.path.join(out, "training-60s.csv"), """
Data-parallel training for 60 s at 1 ms resolution, written by scripts/make_traces.py (pseudo-random, seed 11, so it
is reproducible). A row per change of power; times are whole milliseconds.
0-2 s: idle (ASIC 120 W, SerDes 8 W, EIC 1.5 W) while the job starts; the run begins from this idle steady state.
Then 400 ms steps: forward 110 ms (ASIC 700 W), backward 220 ms (820 W), exposed all-reduce 45 ms (ASIC 230 W,
SerDes 45 W, EIC 6 W), optimizer 25 ms (460 W); the compute phases vary by +-3%, and about one step in 30 waits
60-150 ms for its input (ASIC 180 W). Checkpoints at 20 s and 40 s (1.5 s, ASIC 150 W) and an evaluation at 50 s
(3 s of forward-only batches: 85 ms at 700 W, 15 ms at 260 W).
Step period: 6 N D FLOPs per step (Kaplan et al., arXiv:2001.08361, 2020) for a 3.2e9-parameter model and 8192
tokens per accelerator, at 989 TFLOP/s dense BF16 (NVIDIA H100 SXM datasheet) and 40% model-FLOPs utilisation (Llama
3 report, arXiv:2407.21783: 38-43%; PaLM, arXiv:2204.02311: 46%): 0.40 s. Larger models or batches give 1 s and more,
smaller ones 0.1 s. Backward is twice the forward FLOPs. Powers as in training.csv (H100/B200-class parts,
co-packaged SerDes and optical engines), representative rather than measured on one product.""", training_long())
    write(os.path.join(out, "inference-60s.csv"), """
A day of inference serving compressed into 60 s at 1 ms resolution, written by scripts/make_traces.py (pseudo-random,
seed 13, so it is reproducible). A row per change of power; times are whole milliseconds.
0-2 s: idle (ASIC 120 W, SerDes 8 W, EIC 1.5 W) while the service loads its model; the run begins from this idle
steady state. 1 s of trace is 24 minutes of the day (t = 0 is midnight), but the batches keep their real time scale:
in every 50 ms scheduling window (continuous batching) the ASIC computes for load x 45 ms at 200 W + 600 W x load
(prefill and decode), streams the results out for 5 ms (ASIC 260 W, SerDes 20-40 W, EIC 3-6 W) and idles for the
rest (120 W, 8 W, 1.5 W).
The load follows a diurnal envelope, 0.15 at 4 h to 1 at 16 h (a raised cosine; the daily cycle of datacenter load,
Barroso, Hoelzle and Ranganathan, "The datacenter as a computer", 3rd ed., 2018), times a slow random walk (+-15%)
and a +-15% draw per window, with three traffic bursts at full load: 9 h (22.5 s, 1.5 s), 13 h (32.5 s, 3 s) and
20 h (50 s, 2 s). Prefill and decode phases of LLM serving: Patel et al., "Splitwise", ISCA 2024.""", inference_day())
    write(os.path.join(out, "powercap-60s.csv"), """
Training under a power-capping event for 60 s at 1 ms resolution, written by scripts/make_traces.py (pseudo-random,
seed 17, so it is reproducible). A row per change of power; times are whole milliseconds.
0-2 s idle, then the 400 ms training steps of training-60s.csv (without its pauses). From 25 s to 40 s a power cap
(a rack or facility power limit, or a thermal event) holds the ASIC at 60% of its power; its clock falls to 80%, so
the compute phases last 1 / 0.8 as long (steps of about 480 ms). At 40 s the cap lifts and the steps recover.
Power capping of accelerators in datacenters: Patel et al., "Characterizing power management opportunities for LLMs
in the cloud", ASPLOS 2024; Li et al., "Thunderbolt: throughput-optimized, quality-of-service-aware power capping at
scale", OSDI 2020.""", powercap_long())


if __name__ == "__main__":
    main()
