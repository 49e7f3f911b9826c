"""An independent reference of the optics models (README.md, Models) for tests/verify/test_optics.py; not a test.

Written from README.md alone, in the units of the case file and the result file: wavelengths nm, drifts nm/K, heater
efficiency nm/mW, powers mW (optical power dBm), temperatures K inside (degC only at the boundary with the file),
times s, rates Gb/s, energies pJ/bit. A case's optics is described by plain dicts holding the keys of cases/README.md section 15 in
those units; `case_yaml` writes them with explicit units, and every key left out takes the default that section 15
gives, filled in here (not read back from photherm).

`replay` applies the wavelength, locking and margin models to given ring and laser temperatures sample by sample
and returns every optics series; `link_metrics` computes the summary metrics of one link from those series; `spectral_yield_nominal` is the yield with no
fabrication spread, and `spectral_yield_mc` the Monte Carlo with photherm's counter-based generator reproduced bit for
bit (the generator is described in README.md, Yield, only as "a function of the key (seed, draw, die or ring)").
"""
import math

import numpy as np

ZERO_C = 273.15

# the defaults of cases/README.md section 15 (units of this module)
LASER_DEFAULTS = {"type": "external", "temperature": 35.0 + ZERO_C, "wavelength": 1310.0, "lines": 8, "spacing": 1.12,
                  "drift": 0.09, "power": 10.0, "power_drift": -0.02, "wall_plug_efficiency": 0.20, "wpe_t1": 200.0,
                  "heat": True}
RING_DEFAULTS = {"count": 8, "wavelength": 1308.0, "spacing": 1.12, "drift": 0.07, "fsr": 12.7, "q": 5000.0,
                 "offsets": None, "sigma_die": 1.0, "sigma_local": 0.25, "die": None, "lock_error": 0.0,
                 "heater": {"efficiency": 0.28, "max_power": 20.0, "feedback": True}}
LINK_DEFAULTS = {"rate": 112.0, "lock": "wrap", "relock_time": 100e-6, "loss": 8.0, "sensitivity": -12.0,
                 "margin_threshold": 0.0, "electrical_energy": 2.0}
OPTICS_DEFAULTS = {"reference_temperature": 25.0 + ZERO_C, "metrics_from": 0.0}
YIELD_DEFAULTS = {"assembly": {"asic": 0.92, "pic": 0.97, "eic": 0.98, "bonds": 0.95, "fibre_attach": 0.99},
                  "samples": 2000, "seed": 1}


def _filled(item, defaults):
    out = dict(defaults)
    for k, v in item.items():
        if k == "heater":
            h = dict(defaults["heater"])
            h.update(v)
            out[k] = h
        else:
            out[k] = v
    return out


class Optics:
    """The optics section of a case with every default of cases/README.md section 15 filled in."""

    def __init__(self, optics, yld=None):
        o = _filled({k: v for k, v in optics.items() if k not in ("lasers", "rings", "links")}, OPTICS_DEFAULTS)
        self.t0 = o["reference_temperature"]
        self.metrics_from = o["metrics_from"]
        self.lasers = [_filled(x, LASER_DEFAULTS) for x in optics["lasers"]]
        self.rings = [_filled(x, RING_DEFAULTS) for x in optics["rings"]]
        self.links = [_filled(x, LINK_DEFAULTS) for x in optics["links"]]
        for g in self.rings:
            if g["offsets"] is None:
                g["offsets"] = [0.0] * g["count"]
            if g["die"] is None:
                g["die"] = g["name"]
        self.laser_index = {x["name"]: i for i, x in enumerate(self.lasers)}
        self.group_index = {x["name"]: i for i, x in enumerate(self.rings)}
        self.first = np.cumsum([0] + [g["count"] for g in self.rings])  # global index of each group's ring 0
        self.nring = int(self.first[-1])
        self.line_first = np.cumsum([0] + [self.lasers[self.laser_index[lk["laser"]]]["lines"] for lk in self.links])
        self.nline = int(self.line_first[-1])
        self.yld = None if yld is None else _filled(yld, YIELD_DEFAULTS)
        dies = []
        for g in self.rings:
            if g["die"] not in dies:
                dies.append(g["die"])
        self.dies = dies

    def ring_names(self):
        return [f"{g['name']}[{i}]" for g in self.rings for i in range(g["count"])]


# ---------------------------------------------------------------------------------------------------------------
# lasers (README.md, Laser lines and ring resonances; Link margin)


def laser_state(laser, t0, temperature):
    """Line-0 wavelength (nm), power per line (dBm), WPE, optical and electrical power of all lines (mW)."""
    dt = temperature - t0
    dbm = laser["power"] + laser["power_drift"] * dt
    wpe = laser["wall_plug_efficiency"] * math.exp(-dt / laser["wpe_t1"])
    optical = laser["lines"] * 10.0 ** (dbm / 10.0)
    return {"temperature": temperature, "wavelength": laser["wavelength"] + laser["drift"] * dt, "power_dbm": dbm,
            "wpe": wpe, "optical": optical, "electrical": optical / wpe}


# ---------------------------------------------------------------------------------------------------------------
# locking (README.md, Locking)


def lock_ring(g, wrap, s):
    """One ring needing the red shift s (nm): dict d, power (mW), residual (nm), order, locked, saturated."""
    h = g["heater"]
    rng = h["efficiency"] * h["max_power"]
    k = 0
    d = s
    if wrap:
        k = math.floor(s / g["fsr"])
        d = s - k * g["fsr"]
        if d >= g["fsr"]:
            d -= g["fsr"]
            k += 1
        if d < 0:
            d += g["fsr"]
            k -= 1
    if 0 <= d <= rng:
        p = d / h["efficiency"]
        return {"s": s, "d": d, "power": p, "residual": g["lock_error"], "order": k, "locked": True,
                "saturated": p >= h["max_power"]}
    if d < 0:  # fixed only: the ring is redder than its line
        return {"s": s, "d": d, "power": 0.0, "residual": -d, "order": k, "locked": False, "saturated": False}
    return {"s": s, "d": d, "power": h["max_power"], "residual": d - rng, "order": k, "locked": False, "saturated": True}


def lock_group(g, policy, lines, res, prev_rotation):
    """Lock a group: returns (rotation, [lock of ring i with its line]). Rotate: most rings locked, then least power,
    then the smallest r; a previous rotation is kept unless another locks strictly more rings."""
    n = g["count"]

    def with_rotation(r):
        out = []
        for i in range(n):
            c = (i + r) % n
            lk = lock_ring(g, policy != "fixed", lines[c] - res[i])
            lk["line"] = c
            out.append(lk)
        return out

    if policy != "rotate":
        return 0, with_rotation(0)
    tries = [with_rotation(r) for r in range(n)]
    nlocked = [sum(x["locked"] for x in t) for t in tries]
    power = [sum(x["power"] for x in t) for t in tries]
    best = min(range(n), key=lambda r: (-nlocked[r], power[r], r))
    if prev_rotation is not None and nlocked[prev_rotation] >= nlocked[best]:
        best = prev_rotation
    return best, tries[best]


def resonance(g, i, t0, temperature, offset=None):
    off = g["offsets"][i] if offset is None else offset
    return g["wavelength"] + i * g["spacing"] + off + g["drift"] * (temperature - t0)


def penalty(residual, fwhm):
    return 10.0 * math.log10(1.0 + (2.0 * residual / fwhm) ** 2)


def replay(op, times, ring_t, laser_t, offsets=None):
    """The wavelength, locking and margin models at every sample. ring_t [ns][nring], laser_t [ns][nlaser] in K.
    `offsets` (per group, list of per-ring offsets) replaces the case's offsets. Returns a dict of arrays shaped like the result file's series."""
    ns = len(times)
    nr, nl, nk = op.nring, op.nline, len(op.links)
    out = {k: np.zeros((ns, nr)) for k in ("detuning", "heater_power", "residual_detuning", "locked", "order", "line",
                                           "relock", "saturated")}
    out.update({k: np.zeros((ns, nl)) for k in ("margin", "ok", "up")})
    out.update({k: np.zeros((ns, nk)) for k in ("throughput", "tuning_power", "laser_power", "min_margin", "lines_up")})
    out.update({k: np.zeros((ns, len(op.lasers))) for k in ("laser_wavelength", "laser_dbm", "laser_electrical")})
    out["outages"] = [[] for _ in range(nl)]  # per line: relock outage intervals [t, t + relock_time)
    prev = {}  # ring -> (locked, order) at the previous sample
    prev_rot = [None] * len(op.rings)
    for s, t in enumerate(times):
        for li, lk in enumerate(op.links):
            la = op.laser_index[lk["laser"]]
            laser = op.lasers[la]
            st = laser_state(laser, op.t0, laser_t[s][la])
            out["laser_wavelength"][s, la] = st["wavelength"]
            out["laser_dbm"][s, la] = st["power_dbm"]
            out["laser_electrical"][s, la] = st["electrical"]
            n = laser["lines"]
            lines = [st["wavelength"] + j * laser["spacing"] for j in range(n)]
            lf = op.line_first[li]
            serving = {}
            tune = 0.0
            for side in ("tx", "rx"):
                gi = op.group_index[lk[side]]
                g = op.rings[gi]
                f = op.first[gi]
                offs = None if offsets is None else offsets[gi]
                res = [resonance(g, i, op.t0, ring_t[s][f + i], None if offs is None else offs[i]) for i in range(n)]
                rot, locks = lock_group(g, lk["lock"], lines, res, prev_rot[gi])
                rotated = prev_rot[gi] is not None and rot != prev_rot[gi]
                for i, x in enumerate(locks):
                    r = f + i
                    relock = False
                    if s > 0 and x["locked"]:
                        was_locked, was_order = prev[r]
                        relock = (not was_locked) or was_order != x["order"] or rotated
                    prev[r] = (x["locked"], x["order"])
                    if relock:
                        out["outages"][lf + x["line"]].append((t, t + lk["relock_time"]))
                    for key, val in (("detuning", x["s"]), ("heater_power", x["power"]), ("residual_detuning", x["residual"]),
                                     ("locked", x["locked"]), ("order", x["order"]), ("line", x["line"]), ("relock", relock),
                                     ("saturated", x["saturated"])):
                        out[key][s, r] = val
                    serving[(side, x["line"])] = (g, x["residual"])
                    tune += x["power"]
                prev_rot[gi] = rot
            up = 0
            margins = []
            for j in range(n):
                m = st["power_dbm"] - lk["loss"] - lk["sensitivity"]
                for side in ("tx", "rx"):
                    g, r = serving[(side, j)]
                    m -= penalty(r, g["wavelength"] / g["q"])
                ok = m >= lk["margin_threshold"]
                down = any(a <= t < b for a, b in out["outages"][lf + j])
                out["margin"][s, lf + j] = m
                out["ok"][s, lf + j] = ok
                out["up"][s, lf + j] = ok and not down
                up += ok and not down
                margins.append(m)
            out["throughput"][s, li] = lk["rate"] * up
            out["tuning_power"][s, li] = tune
            out["laser_power"][s, li] = st["electrical"]
            out["min_margin"][s, li] = min(margins)
            out["lines_up"][s, li] = up
    return out


# ---------------------------------------------------------------------------------------------------------------
# link metrics (README.md, Summary metrics)


def _union_measure(intervals, a, b):
    """Length of [a, b) covered by the union of the intervals."""
    cut = sorted((max(x, a), min(y, b)) for x, y in intervals if min(y, b) > max(x, a))
    total, end = 0.0, a
    for x, y in cut:
        if y > end:
            total += y - max(x, end)
            end = y
    return total


def link_metrics(op, li, times, ring_t, rep):
    """The summary metrics (README.md, Summary metrics) of link li from a replay (ring temperatures in K)."""
    lk = op.links[li]
    laser = op.lasers[op.laser_index[lk["laser"]]]
    n = laser["lines"]
    lf = op.line_first[li]
    nominal = n * lk["rate"]
    win = [s for s, t in enumerate(times) if t >= op.metrics_from - 1e-12]
    rings = []
    for side in ("tx", "rx"):
        gi = op.group_index[lk[side]]
        rings += list(range(op.first[gi], op.first[gi] + n))
    m = {}
    if len(win) == 1:
        s = win[0]
        m["stable_throughput"] = rep["throughput"][s, li]
        m["time_all_up_fraction"] = 1.0 if rep["lines_up"][s, li] == n else 0.0
        m["tuning_power_mean"] = rep["tuning_power"][s, li]
        m["laser_power_mean"] = rep["laser_power"][s, li]
        m["heater_saturated_time"] = 0.0
    else:
        span = tp = allup = tune = las = sat = 0.0
        for s in win[:-1]:
            a, b = times[s], times[s + 1]
            dt = b - a
            span += dt
            for j in range(n):
                if rep["ok"][s, lf + j]:
                    tp += lk["rate"] * (dt - _union_measure(rep["outages"][lf + j], a, b))
            if all(rep["ok"][s, lf + j] for j in range(n)):
                allup += dt - _union_measure([iv for j in range(n) for iv in rep["outages"][lf + j]], a, b)
            tune += rep["tuning_power"][s, li] * dt
            las += rep["laser_power"][s, li] * dt
            if any(rep["saturated"][s, r] for r in rings):
                sat += dt
        m["stable_throughput"] = tp / span
        m["time_all_up_fraction"] = allup / span
        m["tuning_power_mean"] = tune / span
        m["laser_power_mean"] = las / span
        m["heater_saturated_time"] = sat
    m["stable_fraction"] = m["stable_throughput"] / nominal
    m["tuning_power_max"] = max(rep["tuning_power"][s, li] for s in win)
    m["min_margin"] = min(rep["margin"][s, lf + j] for s in win for j in range(n))
    m["relocks"] = float(sum(rep["relock"][s, r] for s in win for r in rings))
    m["energy_per_bit"] = (m["laser_power_mean"] + m["tuning_power_mean"]) / nominal + lk["electrical_energy"]
    m["energy_per_stable_bit"] = ((m["laser_power_mean"] + m["tuning_power_mean"] + lk["electrical_energy"] * nominal)
                                  / m["stable_throughput"] if m["stable_throughput"] > 0 else math.inf)
    temps = np.array([[ring_t[s][r] for r in rings] for s in win])
    m["ring_temperature_swing"] = float((temps.max(axis=0) - temps.min(axis=0)).max())
    m["ring_temperature_max"] = float(temps.max()) - ZERO_C
    return m


# ---------------------------------------------------------------------------------------------------------------
# yield (README.md, Yield)


def compound_yield(op):
    return float(np.prod(list(op.yld["assembly"].values())))


def good_lines(op, li, times, ring_t, laser_t, offsets):
    """Which lines of link li keep their margin at every sample with t >= metrics_from, with the given offsets
    (per group) in place of the case's, relock outages not counted (locking replayed from the first such sample)."""
    win = [s for s, t in enumerate(times) if t >= op.metrics_from - 1e-12]
    sub = Optics.__new__(Optics)
    sub.__dict__.update(op.__dict__)
    sub.links = [op.links[li]]
    sub.line_first = np.array([0, op.lasers[op.laser_index[op.links[li]["laser"]]]["lines"]])
    sub.nline = int(sub.line_first[-1])
    rep = replay(sub, [times[s] for s in win], [ring_t[s] for s in win], [laser_t[s] for s in win], offsets)
    return rep["ok"].all(axis=0)


def _mix64(z):
    m = (1 << 64) - 1
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & m
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & m
    return z ^ (z >> 31)


def normal(seed, draw, stream):
    """photherm's counter-based standard normal (src/optics.c PhRandomNormal), reproduced with Python integers."""
    m = (1 << 64) - 1
    key = _mix64(_mix64(_mix64((seed + 0x9e3779b97f4a7c15) & m) ^ draw) ^ stream)
    u1 = ((_mix64(key ^ 1) >> 11) + 0.5) * 2.0 ** -53
    u2 = (_mix64(key ^ 2) >> 11) * 2.0 ** -53
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


STREAM_DIE = 1 << 40


def spectral_yield_mc(op, times, ring_t, laser_t, draws=None):
    """Brute-force Monte Carlo of the spectral yield (README.md, Yield) with the code's generator: per link
    (spectral, spectral_se, link, link_se)."""
    draws = op.yld["samples"] if draws is None else draws
    seed = op.yld["seed"]
    counts = {li: [] for li in range(len(op.links))}
    for d in range(draws):
        die_z = {name: normal(seed, d, STREAM_DIE + k) for k, name in enumerate(op.dies)}
        offsets = []
        for gi, g in enumerate(op.rings):
            offsets.append([g["sigma_die"] * die_z[g["die"]] + g["sigma_local"] * normal(seed, d, int(op.first[gi]) + i)
                            for i in range(g["count"])])
        for li in range(len(op.links)):
            counts[li].append(int(good_lines(op, li, times, ring_t, laser_t, offsets).sum()))
    return {li: _yield_stats(np.array(c), op.lasers[op.laser_index[op.links[li]["laser"]]]["lines"]) for li, c in counts.items()}


def _yield_stats(good, n):
    frac = good / n
    allg = (good == n).astype(float)
    D = len(good)
    se = lambda x: math.sqrt(x.var(ddof=1) / D) if D > 1 else 0.0  # noqa: E731
    return frac.mean(), se(frac), allg.mean(), se(allg)


def spectral_yield_nominal(op, li, times, ring_t, laser_t):
    """The yield with sigma_die = sigma_local = 0: every draw has zero offsets."""
    zero = [[0.0] * g["count"] for g in op.rings]
    good = good_lines(op, li, times, ring_t, laser_t, zero)
    n = len(good)
    return float(good.sum()) / n, 1.0 if good.all() else 0.0


# ---------------------------------------------------------------------------------------------------------------
# the case file


def _q(v, unit):
    return f"{v!r} {unit}"


def case_yaml(optics, yld=None):
    """The optics (and yield) sections of a case in YAML, every value with its unit."""
    lines = ["optics:"]
    if "reference_temperature" in optics:
        lines.append(f"  reference_temperature: {_q(optics['reference_temperature'], 'K')}")
    if "metrics_from" in optics:
        lines.append(f"  metrics_from: {_q(optics['metrics_from'], 's')}")
    units = {"temperature": "K", "wavelength": "nm", "spacing": "nm", "drift": "nm/K", "power": "dBm",
             "power_drift": "dB/K", "wpe_t1": "K", "fsr": "nm", "sigma_die": "nm", "sigma_local": "nm",
             "lock_error": "nm", "efficiency": "nm/mW", "max_power": "mW", "rate": "Gb/s", "relock_time": "s",
             "loss": "dB", "sensitivity": "dBm", "margin_threshold": "dB", "electrical_energy": "pJ/bit"}

    def item(d):
        parts = []
        for k, v in d.items():
            if k == "heater":
                hp = [f"{hk}: {str(hv).lower() if isinstance(hv, bool) else _q(hv, units[hk])}" for hk, hv in v.items()]
                parts.append("heater: {" + ", ".join(hp) + "}")
            elif k == "at":
                parts.append(f"at: {{block: {v}}}")
            elif k == "offsets":
                parts.append("offsets: [" + ", ".join(_q(x, "nm") for x in v) + "]")
            elif isinstance(v, bool):
                parts.append(f"{k}: {str(v).lower()}")
            elif isinstance(v, str) or k in ("count", "lines", "q", "wall_plug_efficiency"):
                parts.append(f"{k}: {v}")
            else:
                parts.append(f"{k}: {_q(v, units[k])}")
        return "    - {" + ", ".join(parts) + "}"

    for key in ("lasers", "rings", "links"):
        lines.append(f"  {key}:")
        lines += [item(d) for d in optics[key]]
    if yld is not None:
        lines.append("yield:")
        if "assembly" in yld:
            lines.append("  assembly: {" + ", ".join(f"{k}: {v!r}" for k, v in yld["assembly"].items()) + "}")
        for k in ("samples", "seed"):
            if k in yld:
                lines.append(f"  {k}: {yld[k]}")
    return "\n".join(lines) + "\n"
