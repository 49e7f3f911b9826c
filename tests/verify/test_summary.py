#!/usr/bin/python3
"""Every summary value is a result (README.md, Metrics): the metrics window never comes up empty.

1. A steady run of each example case (`-P time.mode=steady`, whose one sample at t = 0 lies before the examples'
   optics.metrics_from) reports the metrics of its one state: each source's and block's t_max, t_mean and power_mean
   equal the series at that sample, peak_temperature is the hottest cell of the snapshot, the link's stable
   throughput, tuning power, minimum margin and ring temperature are the series' values, swings are 0.
2. A transient whose window holds only its last sample (metrics_from between the last two samples) reports that
   sample's values.
3. In all of them no /summary value is NaN, finite beyond 1e30, or a temperature at or below absolute zero; infinity
   only where documented (energy_per_stable_bit of a link that carried nothing); the report printed at the end of
   the run has no "nan"; `photherm summary --csv` has the peak columns."""
import csv
import io
import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, decode, must_run, names_attr, photherm, workdir  # noqa: E402

EXAMPLES = ["cpo-2d", "cpo-2p5d", "cpo-3d"]


def summary_values(f):
    """{dotted name: (value, units)} of every numeric /summary attribute."""
    out = {}

    def visit(prefix, group):
        for k, v in group.attrs.items():
            if k.endswith((".units", ".definition")) or isinstance(v, (bytes, str)):
                continue
            out[prefix + k] = (float(v), decode(group.attrs.get(k + ".units", b"")))
        for k, sub in group.items():
            if isinstance(sub, h5py.Group):
                visit(prefix + k + ".", sub)

    visit("", f["summary"])
    return out


def check_values(tap, name, values):
    bad = []
    for k, (v, units) in values.items():
        if math.isnan(v) or (math.isfinite(v) and abs(v) > 1e30):
            bad.append(f"{k} = {v}")
        elif math.isinf(v) and not (k.endswith("energy_per_stable_bit") and values[k.rsplit(".", 1)[0] + ".stable_throughput"][0] == 0):
            bad.append(f"{k} = {v}")
        elif units == "degC" and v <= -273.15 + 1e-9:
            bad.append(f"{k} = {v} degC")
    tap.check(f"{name}: every summary value is a result", not bad and values, f"{len(values)} values; bad: {bad[:6]}")


def equal(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check_against_sample(tap, name, f, values, s):
    """The summary equals the series at sample s (a window of that one sample)."""
    wrong = []
    for kind, leaves in (("sources", ("t_max", "t_mean", "power")), ("blocks", ("t_max", "t_mean"))):
        if f"series/{kind}/t_max" not in f:
            continue
        names = names_attr(f[f"series/{kind}/t_max"])
        for leaf in leaves:
            col = f[f"series/{kind}/{leaf}"][s]
            for i, n in enumerate(names):
                key = f"{kind}.{n}.{leaf if leaf != 'power' else 'power_mean'}"
                if not equal(values[key][0], col[i]):
                    wrong.append(f"{key} {values[key][0]} vs series {col[i]}")
    hottest = float(np.max(f["fields/temperature"][-1]))
    if not equal(values["peak_temperature"][0], hottest):
        wrong.append(f"peak_temperature {values['peak_temperature'][0]} vs hottest cell {hottest}")
    if "series/links/throughput" in f:
        links = names_attr(f["series/links/throughput"])
        ring_t = f["series/rings/temperature"][s]
        for j, link in enumerate(links):
            for key, path in (("stable_throughput", "throughput"), ("tuning_power_mean", "tuning_power"), ("laser_power_mean", "laser_power"),
                              ("min_margin", "min_margin")):
                want = f[f"series/links/{path}"][s][j]
                if not equal(values[f"links.{link}.{key}"][0], want):
                    wrong.append(f"links.{link}.{key} {values[f'links.{link}.{key}'][0]} vs series {want}")
            if len(links) == 1 and not equal(values[f"links.{link}.ring_temperature_max"][0], float(np.max(ring_t))):
                wrong.append(f"links.{link}.ring_temperature_max {values[f'links.{link}.ring_temperature_max'][0]} vs {np.max(ring_t)}")
            if values[f"links.{link}.ring_temperature_swing"][0] != 0:
                wrong.append(f"links.{link}.ring_temperature_swing {values[f'links.{link}.ring_temperature_swing'][0]} over one sample")
    tap.check(f"{name}: the summary is the window's one sample", not wrong, "; ".join(wrong[:5]) or "sources, blocks, peak and links agree")


def steady(tap, d, example):
    out = os.path.join(d, example + "-steady.h5")
    p = must_run(["run", os.path.join(ROOT, "cases", example + ".yaml"), "-P", "time.mode=steady", "-P", "yield.samples=200", "-o", out], d)
    tap.check(f"{example} steady: the report has no nan", "nan" not in p.stdout.lower() and "peak temperature" in p.stdout,
              p.stdout.splitlines()[1] if len(p.stdout.splitlines()) > 1 else p.stdout)
    with h5py.File(out, "r") as f:
        tap.check(f"{example} steady: one sample at t = 0", list(f["series/time"][()]) == [0.0], f"series/time {f['series/time'][()]}")
        values = summary_values(f)
        check_values(tap, f"{example} steady", values)
        check_against_sample(tap, f"{example} steady", f, values, 0)
    s = photherm(["summary", out, "--csv"], d)
    header = next(csv.reader(io.StringIO(s.stdout)), [])
    tap.check(f"{example} steady: summary --csv has the peak columns", "peak_temperature" in header and "peak_time" in header,
              f"{len(header)} columns")


def last_sample_window(tap, d):
    out = os.path.join(d, "window.h5")
    must_run(["run", os.path.join(ROOT, "cases", "cpo-2p5d.yaml"), "-P", "cell=4mm", "-P", "time.end=2ms", "-P", "output.series_every=1ms",
              "-P", "optics.metrics_from=1.5ms", "-P", "yield.samples=200", "-o", out, "-quiet"], d)
    with h5py.File(out, "r") as f:
        values = summary_values(f)
        check_values(tap, "transient, window of the last sample", values)
        check_against_sample(tap, "transient, window of the last sample", f, values, -1)


def main():
    tap = Tap(__file__)
    d = workdir("summary")
    for example in EXAMPLES:
        tap.guard(f"{example} steady", steady, tap, d, example)
    tap.guard("transient, window of the last sample", last_sample_window, tap, d)
    tap.finish()


if __name__ == "__main__":
    main()
