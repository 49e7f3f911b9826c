/* The optics results of a run: its columns of the series table (lasers, rings, lines, links) and the link and yield
   metrics (PHYSICS §5). */
#include "links_impl.h"

#include <photherm/units.h>
#include <stdio.h>
#include <string.h>

/* Device names: "group[i]" for rings, "link[j]" for lines. */
static PetscErrorCode PhLinksNames(PhLinks op, PetscBool lines, PetscInt *n, char ***names)
{
  PhOptics *po     = &op->problem->optics;
  PetscInt  ngroup = lines ? po->nlinks : po->nrings, k = 0;

  PetscFunctionBeginUser;
  *n = lines ? op->nline : op->nring;
  PetscCall(PetscMalloc1(*n + 1, names));
  for (PetscInt g = 0; g < ngroup; g++) {
    const char *base  = lines ? po->links[g].name : po->rings[g].name;
    PetscInt    count = lines ? po->lasers[po->links[g].laser].lines : po->rings[g].count;

    for (PetscInt i = 0; i < count; i++, k++) {
      size_t len = strlen(base) + 24;

      PetscCall(PetscMalloc1(len, &(*names)[k]));
      (void)snprintf((*names)[k], len, "%s[%d]", base, (int)i);
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhLinksFreeNames(PetscInt n, char ***names)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree((*names)[i]));
  PetscCall(PetscFree(*names));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef enum {
  PH_LW_LASERS,
  PH_LW_RINGS,
  PH_LW_LINES,
  PH_LW_LINKS
} PhLinksWidth;

/* Every optics column, in PhLinksColumn order: path below /series (NULL: held for the metrics, not written), what it
   is per, scale and shift from SI to the file's units, units, definition. */
static const struct {
  const char  *path;
  PhLinksWidth per;
  PetscReal    scale, shift;
  const char  *units, *definition;
} PhLinksColumns[PH_LC_NCOLUMNS] = {
  {"lasers/temperature",      PH_LW_LASERS, 1.0,  -PH_ZERO_CELSIUS, "degC",
   "laser temperature T_L: the module temperature (external) or the mean over the laser's block"                                                                   },
  {"lasers/wavelength",       PH_LW_LASERS, 1e9,  0.0,              "nm",   "wavelength of line 0: wavelength + drift * (T_L - T0); line j adds j * spacing"       },
  {"lasers/power_dbm",        PH_LW_LASERS, 1.0,  0.0,              "dBm",  "optical power per line: power + power_drift * (T_L - T0)"                             },
  {"lasers/electrical_power", PH_LW_LASERS, 1e3,  0.0,              "mW",   "electrical power of all lines: lines * 10^(P_dBm/10) mW / WPE(T_L)"                   },
  {"rings/temperature",       PH_LW_RINGS,  1.0,  -PH_ZERO_CELSIUS, "degC",
   "ring temperature T_i entering the resonance: mean over the ring's slice, minus R_ii * P_i with heater feedback"                                                },
  {"rings/slice_temperature", PH_LW_RINGS,  1.0,  -PH_ZERO_CELSIUS, "degC", "volume-weighted mean temperature over the ring's slice of its block"                  },
  {"rings/detuning",          PH_LW_RINGS,  1e9,  0.0,              "nm",
   "s_i: wavelength of the ring's line minus its untuned resonance (the red shift it needs, before any wrap)"                                                      },
  {"rings/heater_power",      PH_LW_RINGS,  1e3,  0.0,              "mW",   "heater power of the ring (README.md, Locking)"                                        },
  {"rings/residual_detuning", PH_LW_RINGS,  1e9,  0.0,              "nm",
   "detuning left after locking: lock_error when locked, else the shift the heater could not supply (or the excess red)"                                           },
  {"rings/locked",            PH_LW_RINGS,  1.0,  0.0,              "1",    "1 when the ring is locked to its line, else 0"                                        },
  {"rings/order",             PH_LW_RINGS,  1.0,  0.0,              "1",    "resonance order k of the lock: s_i = d_i + k * fsr (0 under fixed)"                   },
  {"rings/line",              PH_LW_RINGS,  1.0,  0.0,              "1",    "laser line the ring serves: (i + rotation) mod N under rotate, else i"                },
  {"rings/relock",            PH_LW_RINGS,  1.0,  0.0,              "1",
   "1 when the ring relocks at this sample (locked after being unlocked or at another order or rotation)"                                                          },
  {NULL,                      PH_LW_RINGS,  1.0,  0.0,              "1",    "1 when the ring's heater is at max_power"                                             },
  {"lines/margin",            PH_LW_LINES,  1.0,  0.0,              "dB",   "margin: P_dBm - loss - PP_tx - PP_rx - sensitivity, PP = 10 log10(1 + (2 r / FWHM)^2)"},
  {"lines/up",                PH_LW_LINES,  1.0,  0.0,              "1",    "1 when margin >= margin_threshold and neither ring is in a relock outage"             },
  {NULL,                      PH_LW_LINES,  1.0,  0.0,              "1",    "1 when margin >= margin_threshold"                                                    },
  {NULL,                      PH_LW_LINES,  1.0,  0.0,              "s",    "end of the line's current relock outage"                                              },
  {"links/throughput",        PH_LW_LINKS,  1e-9, 0.0,              "Gb/s", "rate * lines up"                                                                      },
  {"links/tuning_power",      PH_LW_LINKS,  1e3,  0.0,              "mW",   "sum of the heater powers of the link's rings"                                         },
  {"links/laser_power",       PH_LW_LINKS,  1e3,  0.0,              "mW",   "electrical power of the link's laser"                                                 },
  {"links/min_margin",        PH_LW_LINKS,  1.0,  0.0,              "dB",   "lowest margin over the link's lines"                                                  },
  {"links/lines_up",          PH_LW_LINKS,  1.0,  0.0,              "1",    "number of lines up"                                                                   },
};

/**
  @brief The values per series sample that the optics columns write to a result file (0 for a case without links),
  for the output estimate of photherm check.

  Not collective.
**/
PetscErrorCode PhLinksSeriesWidth(PhCase problem, PetscInt *width)
{
  const PhOptics *po   = &problem->optics;
  PetscInt        n[4] = {po->nlasers, 0, 0, po->nlinks};

  PetscFunctionBeginUser;
  *width = 0;
  if (po->nlinks == 0) PetscFunctionReturn(PETSC_SUCCESS); /* no PhLinks, no optics columns */
  for (PetscInt g = 0; g < po->nrings; g++) n[PH_LW_RINGS] += po->rings[g].count;
  for (PetscInt l = 0; l < po->nlinks; l++) n[PH_LW_LINES] += po->lasers[po->links[l].laser].lines;
  for (PetscInt c = 0; c < PH_LC_NCOLUMNS; c++)
    if (PhLinksColumns[c].path != NULL) *width += n[PhLinksColumns[c].per];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Register the optics columns in the series table, with the names of lasers, rings ("group[i]"), lines ("link[j]")
   and links. */
PetscErrorCode PhLinksRegisterColumns_Private(PhLinks op)
{
  PhOptics    *po = &op->problem->optics;
  PetscInt     nr, nl;
  char       **rnames, **lnames;
  const char **lasers, **links;

  PetscFunctionBeginUser;
  PetscCall(PhLinksNames(op, PETSC_FALSE, &nr, &rnames));
  PetscCall(PhLinksNames(op, PETSC_TRUE, &nl, &lnames));
  PetscCall(PetscMalloc2(po->nlasers, &lasers, po->nlinks, &links));
  for (PetscInt i = 0; i < po->nlasers; i++) lasers[i] = po->lasers[i].name;
  for (PetscInt i = 0; i < po->nlinks; i++) links[i] = po->links[i].name;
  for (PetscInt c = 0; c < PH_LC_NCOLUMNS; c++) {
    const PetscInt     width[] = {po->nlasers, nr, nl, po->nlinks};
    const char *const *names[] = {lasers, (const char *const *)rnames, (const char *const *)lnames, links};
    PhLinksWidth       per     = PhLinksColumns[c].per;

    PetscCall(PhSeriesAddColumn(op->series, PhLinksColumns[c].path, width[per], names[per], PhLinksColumns[c].scale, PhLinksColumns[c].shift,
                                PhLinksColumns[c].units, PhLinksColumns[c].definition, &op->col[c]));
  }
  PetscCall(PetscFree2(lasers, links));
  PetscCall(PhLinksFreeNames(nr, &rnames));
  PetscCall(PhLinksFreeNames(nl, &lnames));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The metrics of one link over the samples from `first` on, first < the number of samples (PHYSICS §5). */
typedef struct {
  PetscReal stable_throughput, stable_fraction, tuning_mean, tuning_max, saturated_time, min_margin, relocks, all_up_fraction;
  PetscReal laser_mean, energy_per_bit, energy_per_stable_bit, swing, ring_max;
} PhLinkMetrics;

/*
  Time averages use the left-rectangle rule over sample intervals; a line counts as up over an interval when its
  margin held at the interval's start, minus the exact overlap of the interval with its relock outage (PHYSICS §2).
  A run with one sample in the window (steady) reports that sample's values.
*/
static void PhLinksLinkMetrics(PhLinks op, const PetscReal *const c[], PetscInt l, PetscInt first, PhLinkMetrics *m)
{
  PhOptics        *po = &op->problem->optics;
  const PhLink    *lk = &po->links[l];
  const PetscReal *time;
  PetscInt         ns, n = po->lasers[lk->laser].lines, lf = op->link_first[l], grp[2] = {lk->tx, lk->rx};
  PetscReal        span = 0, tp = 0, all = 0, tune = 0, laser = 0, nominal = (PetscReal)n * lk->rate;

  (void)PhSeriesGetData(op->series, -1, &ns, &time, NULL);
  memset(m, 0, sizeof(*m));
  m->tuning_max = 0;
  m->min_margin = PETSC_MAX_REAL;
  m->ring_max   = PETSC_MIN_REAL;
  for (PetscInt s = first; s < ns; s++) {
    PetscReal dt = s + 1 < ns ? time[s + 1] - time[s] : 0, end = s + 1 < ns ? time[s + 1] : time[s];
    PetscReal latest = time[s];
    PetscBool all_ok = PETSC_TRUE, sat = PETSC_FALSE;

    for (PetscInt j = 0; j < n; j++) {
      PetscReal down = c[PH_LC_LINE_DOWN][s * op->nline + lf + j], out = PetscMax(0, PetscMin(end, down) - time[s]);

      if (c[PH_LC_LINE_OK][s * op->nline + lf + j] > 0) tp += lk->rate * (dt - out);
      else all_ok = PETSC_FALSE;
      latest        = PetscMax(latest, down);
      m->min_margin = PetscMin(m->min_margin, c[PH_LC_LINE_MARGIN][s * op->nline + lf + j]);
    }
    if (all_ok) all += dt - PetscMax(0, PetscMin(end, latest) - time[s]);
    for (PetscInt side = 0; side < 2; side++)
      for (PetscInt i = 0; i < n; i++) {
        PetscInt d = op->group_first[grp[side]] + i;

        sat = (PetscBool)(sat || c[PH_LC_RING_SAT][s * op->nring + d] > 0);
        m->relocks += c[PH_LC_RING_RELOCK][s * op->nring + d];
        m->ring_max = PetscMax(m->ring_max, c[PH_LC_RING_T][s * op->nring + d]);
      }
    if (sat) m->saturated_time += dt;
    tune += c[PH_LC_LINK_TUNE][s * po->nlinks + l] * dt;
    laser += c[PH_LC_LINK_LASER][s * po->nlinks + l] * dt;
    span += dt;
    m->tuning_max = PetscMax(m->tuning_max, c[PH_LC_LINK_TUNE][s * po->nlinks + l]);
  }
  if (span > 0) {
    m->stable_throughput = tp / span;
    m->all_up_fraction   = all / span;
    m->tuning_mean       = tune / span;
    m->laser_mean        = laser / span;
  } else { /* one sample (steady): its values */
    m->stable_throughput = c[PH_LC_LINK_TP][first * po->nlinks + l];
    m->all_up_fraction   = c[PH_LC_LINK_UP][first * po->nlinks + l] == n ? 1 : 0;
    m->tuning_mean       = c[PH_LC_LINK_TUNE][first * po->nlinks + l];
    m->laser_mean        = c[PH_LC_LINK_LASER][first * po->nlinks + l];
  }
  m->stable_fraction       = m->stable_throughput / nominal;
  m->energy_per_bit        = (m->laser_mean + m->tuning_mean) / nominal + lk->electrical_energy;
  m->energy_per_stable_bit = m->stable_throughput > 0 ? (m->laser_mean + m->tuning_mean + lk->electrical_energy * nominal) / m->stable_throughput
                                                      : PETSC_INFINITY;
  for (PetscInt side = 0; side < 2; side++)
    for (PetscInt i = 0; i < n; i++) {
      PetscInt  d  = op->group_first[grp[side]] + i;
      PetscReal lo = PETSC_MAX_REAL, hi = PETSC_MIN_REAL;

      for (PetscInt s = first; s < ns; s++) {
        lo = PetscMin(lo, c[PH_LC_RING_T][s * op->nring + d]);
        hi = PetscMax(hi, c[PH_LC_RING_T][s * op->nring + d]);
      }
      m->swing = PetscMax(m->swing, hi - lo);
    }
}

/**
  @brief Write the per-link and yield metrics of the run (PHYSICS §5) to /summary; the optics series are written with
  the series table.

  Collective.
**/
PetscErrorCode PhLinksWriteSummary(PhLinks op, PhOutput out)
{
  PhCase           pb;
  PhOptics        *po;
  PetscInt         ns, first;
  const PetscReal *c[PH_LC_NCOLUMNS];
  PhLinkYield     *yields   = NULL;
  PetscReal        compound = 1;
  char             group[300];

  PetscFunctionBeginUser;
  if (op == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  pb = op->problem;
  po = &pb->optics;
  for (PetscInt k = 0; k < PH_LC_NCOLUMNS; k++) PetscCall(PhSeriesGetData(op->series, op->col[k], &ns, NULL, &c[k]));
  PetscCall(PhSeriesWindow(op->series, pb, &first));
  if (pb->yield.present) {
    PetscCall(PetscMalloc1(po->nlinks, &yields));
    PetscCall(PhYieldSpectral(op->comm, po, &pb->yield, ns - first, c[PH_LC_LASER_T] + first * po->nlasers, c[PH_LC_RING_T] + first * op->nring,
                              yields));
    for (PetscInt i = 0; i < pb->yield.nassembly; i++) compound *= pb->yield.assembly_values[i];
    PetscCall(PhOutputSetReal(out, PH_RESULT_SUMMARY, "compound_yield", compound, "1",
                              "product of the yield.assembly values (dies, bonds, attaches)"));
  }
  if (op->self_share > 0)
    PetscCall(PhOutputSetReal(
      out, PH_RESULT_SUMMARY, "heater_self_share", op->self_share, "1",
      "largest drift * R_ii / efficiency: the share of a heater's tuning the mesh resolves as heating of its own slice (subtracted)"));
  for (PetscInt l = 0; l < po->nlinks; l++) {
    const PhLink *lk      = &po->links[l];
    PetscReal     nominal = (PetscReal)po->lasers[lk->laser].lines * lk->rate;
    PhLinkMetrics m;

    PhLinksLinkMetrics(op, c, l, first, &m);
    (void)snprintf(group, sizeof(group), "%s/links/%s", PH_RESULT_SUMMARY, lk->name);
#define PH_METRIC(name, value, units, def) PetscCall(PhOutputSetReal(out, group, name, value, units, def))
    PH_METRIC("stable_throughput", m.stable_throughput * 1e-9, "Gb/s",
              "thermally stable throughput: time average of rate * lines up, t >= metrics_from");
    PH_METRIC("stable_fraction", m.stable_fraction, "1", "stable_throughput / (lines * rate)");
    PH_METRIC("tuning_power_mean", m.tuning_mean * 1e3, "mW", "time average of the link's total heater power");
    PH_METRIC("tuning_power_max", m.tuning_max * 1e3, "mW", "largest total heater power of the link at a sample");
    PH_METRIC("heater_saturated_time", m.saturated_time, "s", "time with at least one ring of the link at max_power");
    PH_METRIC("min_margin", m.min_margin, "dB", "lowest margin over the link's lines and the samples");
    PH_METRIC("relocks", m.relocks, "1", "ring relocks (each charged an outage of relock_time on its line)");
    PH_METRIC("time_all_up_fraction", m.all_up_fraction, "1", "fraction of the time with every line of the link up");
    PH_METRIC("laser_power_mean", m.laser_mean * 1e3, "mW", "time average of the laser's electrical power");
    PH_METRIC("energy_per_bit", m.energy_per_bit * 1e12, "pJ/bit",
              "(mean laser electrical + mean tuning power) / (lines * rate) + electrical_energy");
    PH_METRIC("energy_per_stable_bit", m.energy_per_stable_bit * 1e12, "pJ/bit",
              "(mean laser electrical + mean tuning power + electrical_energy * lines * rate) / stable_throughput (inf when 0)");
    PH_METRIC("ring_temperature_swing", m.swing, "K", "largest (max - min) over time of the temperature of any ring of the link");
    PH_METRIC("ring_temperature_max", m.ring_max - PH_ZERO_CELSIUS, "degC", "highest temperature of any ring of the link");
    if (yields != NULL) {
      PH_METRIC("spectral_yield", yields[l].spectral, "1",
                "Monte-Carlo mean fraction of lines whose margin holds at every sample (README.md, Yield)");
      PH_METRIC("spectral_yield_se", yields[l].spectral_se, "1", "standard error of spectral_yield");
      PH_METRIC("link_yield", yields[l].link, "1", "Monte-Carlo fraction of draws with every line good");
      PH_METRIC("link_yield_se", yields[l].link_se, "1", "standard error of link_yield");
      PH_METRIC("yield_adjusted_bandwidth", nominal * compound * yields[l].spectral * 1e-9, "Gb/s", "lines * rate * compound_yield * spectral_yield");
      PH_METRIC("yield_adjusted_bandwidth_se", nominal * compound * yields[l].spectral_se * 1e-9, "Gb/s",
                "standard error of yield_adjusted_bandwidth");
    }
#undef PH_METRIC
  }
  PetscCall(PetscFree(yields));
  PetscFunctionReturn(PETSC_SUCCESS);
}
