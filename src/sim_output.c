/* The end of a run: series tables, thermal summary metrics with units and definitions, the file renamed, the report. */
#include "sim_impl.h"

#include <photherm/units.h>
#include <stdio.h>

/**
  Write a [n][m] series as value * scale + shift (to degC, nm, mW: the units of the file) with its names, units and
  definition.
**/
PetscErrorCode PhSimWriteSeries_Private(PhSim sim, const char path[], const PetscReal *data, PetscInt n, PetscInt m, PetscReal scale, PetscReal shift,
                                        PetscInt nnames, const char *const names[], const char units[], const char definition[])
{
  PetscReal *buf;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(n * PetscMax(m, 1), 1), &buf));
  for (PetscInt i = 0; i < n * PetscMax(m, 1); i++) buf[i] = data[i] * scale + shift;
  PetscCall(PhOutputWriteTable(sim->out, path, n, m, buf, nnames, names, units, definition));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Time average of column c of a [n][m] series over samples with t >= from, by the left-rectangle rule (PHYSICS §2). */
static PetscReal PhTimeAverage(const PhSeries *s, const PetscReal *v, PetscInt m, PetscInt c, PetscReal from)
{
  PetscReal sum = 0, span = 0, last = 0;
  PetscBool any = PETSC_FALSE;

  for (PetscInt i = 0; i < s->n; i++) {
    if (s->time[i] < from - 1e-12) continue;
    last = v[i * m + c];
    any  = PETSC_TRUE;
    if (i + 1 < s->n) {
      sum += v[i * m + c] * (s->time[i + 1] - s->time[i]);
      span += s->time[i + 1] - s->time[i];
    }
  }
  if (span > 0) return sum / span;
  return any ? last : 0;
}

static PetscReal PhMaxOver(const PhSeries *s, const PetscReal *v, PetscInt m, PetscInt c, PetscReal from)
{
  PetscReal best = PETSC_MIN_REAL;

  for (PetscInt i = 0; i < s->n; i++)
    if (s->time[i] >= from - 1e-12) best = PetscMax(best, v[i * m + c]);
  return best;
}

/**
  Write the series and the thermal summary, let the optics write theirs, close and rename the file, print the report.
**/
PetscErrorCode PhSimWriteResults_Private(PhSim sim)
{
  PhCase           pb   = sim->problem;
  PhSeries        *s    = &sim->series;
  PetscReal        from = pb->optics.metrics_from;
  const char     **snames, **bnames;
  PetscInt         nx, ny, nz, best = -1;
  const PetscReal *x, *y, *z;
  const char      *final_path, *xdmf;
  PetscLogDouble   now;
  char             group[300];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(PetscMax(s->nsrc, 1), &snames, PetscMax(s->nblk, 1), &bnames));
  for (PetscInt i = 0; i < s->nsrc; i++) snames[i] = pb->sources[i].name;
  for (PetscInt i = 0; i < s->nblk; i++) bnames[i] = pb->blocks[i].name;
  PetscCall(PhSimWriteSeries_Private(sim, "/series/time", s->time, s->n, 0, 1.0, 0.0, 0, NULL, "s",
                                     "simulated time of each sample (every output.series_every)"));
  PetscCall(PhSimWriteSeries_Private(sim, "/series/sources/power", s->src_power, s->n, s->nsrc, 1.0, 0.0, s->nsrc, snames, "W",
                                     "power of each source at each sample, leakage included"));
  PetscCall(PhSimWriteSeries_Private(sim, "/series/sources/t_max", s->src_tmax, s->n, s->nsrc, 1.0, -PH_ZERO_CELSIUS, s->nsrc, snames, "degC",
                                     "highest cell temperature over each source's volume"));
  PetscCall(PhSimWriteSeries_Private(sim, "/series/sources/t_mean", s->src_tmean, s->n, s->nsrc, 1.0, -PH_ZERO_CELSIUS, s->nsrc, snames, "degC",
                                     "volume-weighted mean temperature over each source's volume"));
  PetscCall(PhSimWriteSeries_Private(sim, "/series/blocks/t_max", s->blk_tmax, s->n, s->nblk, 1.0, -PH_ZERO_CELSIUS, s->nblk, bnames, "degC",
                                     "highest cell temperature over each block's box"));
  PetscCall(PhSimWriteSeries_Private(sim, "/series/blocks/t_mean", s->blk_tmean, s->n, s->nblk, 1.0, -PH_ZERO_CELSIUS, s->nblk, bnames, "degC",
                                     "volume-weighted mean temperature over each block's box"));
  PetscCall(PhSimWriteSeries_Private(sim, "/series/energy_error", s->energy_error, s->n, 0, 1.0, 0.0, 0, NULL, "1",
                                     "|stored + out - generated - flux in| / max(generated + flux in, |out|, |stored|), cumulative from the start"));

  /* thermal summary over t >= metrics_from (DESIGN §5, PHYSICS §5) */
  /* the peak sample: the earliest within 1e-9 of the rise of the highest (ties as in PhSimPeak()) */
  for (PetscInt i = 0; i < s->n; i++)
    if (s->time[i] >= from - 1e-12 && (best < 0 || s->peak[i] > s->peak[best])) best = i;
  for (PetscInt i = 0; best >= 0 && i < best; i++)
    if (s->time[i] >= from - 1e-12 && s->peak[i] >= s->peak[best] - 1e-9 * PetscMax(PetscAbsReal(s->peak[best] - sim->t_ref), 1e-3)) best = i;
  PetscCall(PhMeshGetSizes(sim->mesh, &nx, &ny, &nz));
  PetscCall(PhMeshGetLines(sim->mesh, &x, &y, &z));
  if (best >= 0) {
    PetscInt c = s->peak_index[best], i = c % nx, j = (c / nx) % ny, k = c / (nx * ny);

    PetscCall(PhOutputSetReal(sim->out, "/summary", "peak_temperature", s->peak[best] - PH_ZERO_CELSIUS, "degC",
                              "highest cell temperature over the samples with t >= metrics_from"));
    PetscCall(PhOutputSetReal(sim->out, "/summary", "peak_time", s->time[best], "s", "time of the peak temperature"));
    PetscCall(PhOutputSetReal(sim->out, "/summary", "peak_x", 0.5 * (x[i] + x[i + 1]), "m", "x of the centre of the hottest cell"));
    PetscCall(PhOutputSetReal(sim->out, "/summary", "peak_y", 0.5 * (y[j] + y[j + 1]), "m", "y of the centre of the hottest cell"));
    PetscCall(PhOutputSetReal(sim->out, "/summary", "peak_z", 0.5 * (z[k] + z[k + 1]), "m", "z of the centre of the hottest cell"));
  }
  {
    PetscReal emax = 0;

    for (PetscInt i = 0; i < s->n; i++) emax = PetscMax(emax, s->energy_error[i]);
    PetscCall(PhOutputSetReal(sim->out, "/summary", "energy_balance_error", s->n ? s->energy_error[s->n - 1] : 0, "1",
                              "relative energy-balance error at the end of the run (see /series/energy_error)"));
    PetscCall(PhOutputSetReal(sim->out, "/summary", "energy_balance_error_max", emax, "1", "largest relative energy-balance error over all samples"));
  }
  PetscCall(PhOutputSetReal(sim->out, "/summary", "cells", (PetscReal)nx * ny * nz, "1", "cells of the mesh"));
  PetscCall(PhOutputSetReal(sim->out, "/summary", "steps", (PetscReal)sim->steps, "1", "accepted time steps"));
  PetscCall(PetscTime(&now));
  PetscCall(PhOutputSetReal(sim->out, "/summary", "wall_time", (PetscReal)(now - sim->wall_start), "s",
                            "wall-clock time of the run from set-up to the last sample"));
  for (PetscInt i = 0; i < s->nsrc; i++) {
    (void)snprintf(group, sizeof(group), "/summary/sources/%s", snames[i]);
    PetscCall(PhOutputSetReal(sim->out, group, "t_max", PhMaxOver(s, s->src_tmax, s->nsrc, i, from) - PH_ZERO_CELSIUS, "degC",
                              "highest temperature over the source's volume, t >= metrics_from"));
    PetscCall(PhOutputSetReal(sim->out, group, "t_mean", PhTimeAverage(s, s->src_tmean, s->nsrc, i, from) - PH_ZERO_CELSIUS, "degC",
                              "time average of the source's mean temperature, t >= metrics_from"));
    PetscCall(PhOutputSetReal(sim->out, group, "power_mean", PhTimeAverage(s, s->src_power, s->nsrc, i, from), "W",
                              "time average of the source's power, t >= metrics_from"));
  }
  for (PetscInt i = 0; i < s->nblk; i++) {
    (void)snprintf(group, sizeof(group), "/summary/blocks/%s", bnames[i]);
    PetscCall(PhOutputSetReal(sim->out, group, "t_max", PhMaxOver(s, s->blk_tmax, s->nblk, i, from) - PH_ZERO_CELSIUS, "degC",
                              "highest temperature over the block's box, t >= metrics_from"));
    PetscCall(PhOutputSetReal(sim->out, group, "t_mean", PhTimeAverage(s, s->blk_tmean, s->nblk, i, from) - PH_ZERO_CELSIUS, "degC",
                              "time average of the block's mean temperature, t >= metrics_from"));
  }
  PetscCall(PetscFree2(snames, bnames));
  PetscCall(PhOpticsWrite_Private(sim));
  PetscCall(PhOutputClose(sim->out, &final_path, &xdmf));
  PetscCall(PhSummaryReport_Private(sim->comm, final_path));
  PetscCall(PetscPrintf(sim->comm, "results: %s (open %s in ParaView)\n", final_path, xdmf));
  PetscFunctionReturn(PETSC_SUCCESS);
}
