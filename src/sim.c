/* A run: initial state, time loop landing on breakpoints, samples and snapshots, energy balance, series, summary. */
#include "sim_impl.h"

#include <math.h>
#include <photherm/units.h>
#include <string.h>
#include <unistd.h>

#define PH_ENERGY_WARN 1e-6 /* relative energy-balance error beyond the linear residuals that is reported */

/**
  @brief Prepare a run of a validated case: the thermal model and the state vectors (nothing is solved yet).

  Collective on `comm`.
**/
PetscErrorCode PhSimCreate(MPI_Comm comm, PhCase problem, PhMesh mesh, const PhSimOptions *options, PhSim *sim_out)
{
  PhSim sim;
  DM    da;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&sim));
  sim->comm    = comm;
  sim->problem = problem;
  sim->mesh    = mesh;
  sim->options = *options;
  if (sim->options.output == NULL) sim->options.output = problem->output.file;
  PetscCall(PhThermalCreate(comm, problem, mesh, &sim->thermal));
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(DMCreateGlobalVector(da, &sim->T));
  PetscCall(PetscObjectSetName((PetscObject)sim->T, "temperature"));
  PetscCall(VecDuplicate(sim->T, &sim->T0));
  PetscCall(VecDuplicate(sim->T, &sim->Tprev));
  PetscCall(VecDuplicate(sim->T, &sim->work));
  PetscCall(VecDuplicate(sim->T, &sim->theta));
  PetscCall(PhOpticsCreate_Private(sim));
  *sim_out = sim;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Read the temperature snapshot of an earlier result at `time` (negative: the last one) into T, and its optics state (DESIGN §3.7). */
static PetscErrorCode PhSimReadInitial(PhSim sim, Vec T)
{
  PhCase        pb = sim->problem;
  hid_t         file, dset, fspace, mspace;
  PetscReal    *times, t_snap;
  PetscInt      ntimes, nx, ny, nz, snap = -1, n;
  PetscBool     ok;
  hsize_t       dims[4], start[4], count[4];
  DMDALocalInfo in;
  double       *buf;
  PetscScalar  *v;
  DM            da;

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetSizes(sim->mesh, &nx, &ny, &nz));
  file = H5Fopen(pb->time.initial_file, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(file >= 0, sim->comm, PETSC_ERR_FILE_OPEN, "time.initial: cannot open the earlier result %s", pb->time.initial_file);
  PetscCall(PhH5ReadReals(file, "/fields/time", &ntimes, &times, &ok));
  PetscCheck(ok && ntimes > 0, sim->comm, PETSC_ERR_FILE_UNEXPECTED, "time.initial: %s has no temperature snapshots (/fields/time)",
             pb->time.initial_file);
  if (pb->time.initial_time < 0) snap = ntimes - 1;
  for (PetscInt s = 0; s < ntimes && snap < 0; s++)
    if (PetscAbsReal(times[s] - pb->time.initial_time) <= 1e-9 * PetscMax(1.0, PetscAbsReal(times[s]))) snap = s;
  PetscCheck(snap >= 0, sim->comm, PETSC_ERR_FILE_UNEXPECTED, "time.initial: %s has no snapshot at t = %.6g s (snapshots from %.6g s to %.6g s)",
             pb->time.initial_file, (double)pb->time.initial_time, (double)times[0], (double)times[ntimes - 1]);
  t_snap = times[snap];
  PetscCall(PetscFree(times));
  PhCallHDF5Return(dset, H5Dopen2, (file, "/fields/temperature", H5P_DEFAULT));
  PhCallHDF5Return(fspace, H5Dget_space, (dset));
  PetscCheck(H5Sget_simple_extent_ndims(fspace) == 4, sim->comm, PETSC_ERR_FILE_UNEXPECTED,
             "time.initial: /fields/temperature of %s is not [snapshot][z][y][x]", pb->time.initial_file);
  PhCallHDF5(H5Sget_simple_extent_dims, (fspace, dims, NULL));
  PetscCheck(dims[1] == (hsize_t)nz && dims[2] == (hsize_t)ny && dims[3] == (hsize_t)nx, sim->comm, PETSC_ERR_FILE_UNEXPECTED,
             "time.initial: %s has a %dx%dx%d mesh, this case %dx%dx%d: continue only on the same mesh", pb->time.initial_file, (int)dims[3],
             (int)dims[2], (int)dims[1], (int)nx, (int)ny, (int)nz);
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(DMDAGetLocalInfo(da, &in));
  start[0] = (hsize_t)snap, start[1] = (hsize_t)in.zs, start[2] = (hsize_t)in.ys, start[3] = (hsize_t)in.xs;
  count[0] = 1, count[1] = (hsize_t)in.zm, count[2] = (hsize_t)in.ym, count[3] = (hsize_t)in.xm;
  PhCallHDF5(H5Sselect_hyperslab, (fspace, H5S_SELECT_SET, start, NULL, count, NULL));
  PhCallHDF5Return(mspace, H5Screate_simple, (4, count, NULL));
  PetscCall(VecGetLocalSize(T, &n));
  PetscCall(PetscMalloc1(PetscMax(n, 1), &buf));
  PhCallHDF5(H5Dread, (dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, buf));
  PetscCall(VecGetArray(T, &v));
  for (PetscInt i = 0; i < n; i++) v[i] = buf[i] + PH_ZERO_CELSIUS;
  PetscCall(VecRestoreArray(T, &v));
  PetscCall(PetscFree(buf));
  PhCallHDF5(H5Sclose, (mspace));
  PhCallHDF5(H5Sclose, (fspace));
  PhCallHDF5(H5Dclose, (dset));
  PetscCall(PhOpticsRestore_Private(sim, file, pb->time.initial_file, t_snap));
  PhCallHDF5(H5Fclose, (file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Max and volume-weighted mean temperature over cell boxes (sources, then blocks): two reductions for all of them. */
static PetscErrorCode PhSimBoxStats(PhSim sim, Vec T, PetscInt nbox, const PhIndexBox *boxes, PetscReal *tmax, PetscReal *tmean)
{
  DM                 da;
  DMDALocalInfo      in;
  const PetscScalar *tv, *vol;
  Vec                volume;
  PetscReal         *sums;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(PhThermalGetVolume(sim->thermal, &volume));
  PetscCall(DMDAGetLocalInfo(da, &in));
  PetscCall(PetscCalloc1(2 * nbox + 1, &sums));
  PetscCall(VecGetArrayRead(T, &tv));
  PetscCall(VecGetArrayRead(volume, &vol));
  for (PetscInt b = 0; b < nbox; b++) {
    const PhIndexBox *box = &boxes[b];

    tmax[b] = PETSC_MIN_REAL;
    for (PetscInt k = PetscMax(box->lo[2], in.zs); k < PetscMin(box->hi[2], in.zs + in.zm); k++)
      for (PetscInt j = PetscMax(box->lo[1], in.ys); j < PetscMin(box->hi[1], in.ys + in.ym); j++)
        for (PetscInt i = PetscMax(box->lo[0], in.xs); i < PetscMin(box->hi[0], in.xs + in.xm); i++) {
          PetscInt  c = ((k - in.zs) * in.ym + (j - in.ys)) * in.xm + (i - in.xs);
          PetscReal t = PetscRealPart(tv[c]);

          tmax[b] = PetscMax(tmax[b], t);
          sums[2 * b] += t * PetscRealPart(vol[c]);
          sums[2 * b + 1] += PetscRealPart(vol[c]);
        }
  }
  PetscCall(VecRestoreArrayRead(volume, &vol));
  PetscCall(VecRestoreArrayRead(T, &tv));
  if (nbox > 0) {
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, tmax, (PetscMPIInt)nbox, MPIU_REAL, MPIU_MAX, sim->comm));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)(2 * nbox), MPIU_REAL, MPIU_SUM, sim->comm));
  }
  for (PetscInt b = 0; b < nbox; b++) tmean[b] = sums[2 * b] / sums[2 * b + 1];
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The hottest cell: value and natural index. Cells within 1e-9 of the rise of the maximum count as tied (solves leave
  differences far larger than rounding between rank counts) and the tie goes to the lowest natural index (DESIGN §5).
*/
static PetscErrorCode PhSimPeak(PhSim sim, Vec T, PetscReal *value, PetscInt *natural)
{
  DM                 da;
  DMDALocalInfo      in;
  const PetscScalar *tv;
  PetscReal          tie;
  PetscInt           idx = PETSC_MAX_INT, n;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(DMDAGetLocalInfo(da, &in));
  PetscCall(VecMax(T, NULL, value));
  PetscCall(VecGetLocalSize(T, &n));
  tie = *value - 1e-9 * PetscMax(PetscAbsReal(*value - sim->t_ref), 1e-3);
  PetscCall(VecGetArrayRead(T, &tv));
  for (PetscInt c = 0; c < n; c++) {
    if (PetscRealPart(tv[c]) >= tie) {
      PetscInt i = in.xs + c % in.xm, j = in.ys + (c / in.xm) % in.ym, k = in.zs + c / (in.xm * in.ym);

      idx = PetscMin(idx, (k * in.my + j) * in.mx + i);
    }
  }
  PetscCall(VecRestoreArrayRead(T, &tv));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &idx, 1, MPIU_INT, MPI_MIN, sim->comm));
  *natural = idx;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Grow the series buffers to hold one more sample. */
static PetscErrorCode PhSimGrowSeries(PhSim sim)
{
  PhSeries *s = &sim->series;

  PetscFunctionBeginUser;
  if (s->n < s->cap) PetscFunctionReturn(PETSC_SUCCESS);
  s->cap = s->cap ? 2 * s->cap : 256;
  PetscCall(PetscRealloc(s->cap * sizeof(PetscReal), &s->time));
  PetscCall(PetscRealloc(s->cap * sizeof(PetscReal), &s->energy_error));
  PetscCall(PetscRealloc(s->cap * PetscMax(s->nsrc, 1) * sizeof(PetscReal), &s->src_power));
  PetscCall(PetscRealloc(s->cap * PetscMax(s->nsrc, 1) * sizeof(PetscReal), &s->src_tmax));
  PetscCall(PetscRealloc(s->cap * PetscMax(s->nsrc, 1) * sizeof(PetscReal), &s->src_tmean));
  PetscCall(PetscRealloc(s->cap * PetscMax(s->nblk, 1) * sizeof(PetscReal), &s->blk_tmax));
  PetscCall(PetscRealloc(s->cap * PetscMax(s->nblk, 1) * sizeof(PetscReal), &s->blk_tmean));
  PetscCall(PetscRealloc(s->cap * sizeof(PetscReal), &s->peak));
  PetscCall(PetscRealloc(s->cap * sizeof(PetscInt), &s->peak_index));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The relative energy-balance error so far, and a warning when it exceeds what the linear residuals explain. */
static PetscErrorCode PhSimEnergy(PhSim sim, Vec T, PetscReal *error)
{
  PetscScalar stored;
  Vec         capacity;
  PetscReal   gap, denom;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetCapacity(sim->thermal, &capacity));
  PetscCall(VecWAXPY(sim->work, -1.0, sim->T0, T));
  PetscCall(VecDot(sim->work, capacity, &stored));
  gap    = PetscRealPart(stored) + sim->energy.out - sim->energy.generated - sim->energy.flux_in;
  denom  = PetscMax(PetscMax(sim->energy.generated + sim->energy.flux_in, PetscAbsReal(sim->energy.out)), PetscAbsReal(PetscRealPart(stored)));
  *error = denom > 0 ? PetscAbsReal(gap) / denom : 0;
  if (denom > 0 && sim->energy.exact && PetscAbsReal(gap - sim->energy.residual) / denom > PH_ENERGY_WARN && !sim->energy.warned) {
    PetscCall(PetscFPrintf(
      sim->comm, stderr,
      "photherm: warning: energy balance at t = %.6g s: relative error %.3g, of which the linear residuals explain %.3g; the difference exceeds %.6g\n",
      (double)sim->t, (double)*error, (double)(PetscAbsReal(sim->energy.residual) / denom), PH_ENERGY_WARN));
    sim->energy.warned = PETSC_TRUE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One series sample at the current time: source powers and temperatures, block temperatures, energy, peak, optics. */
static PetscErrorCode PhSimSample(PhSim sim)
{
  PhSeries   *s  = &sim->series;
  PetscInt    ns = s->nsrc, nb = s->nblk;
  PetscReal  *tmax, *tmean;
  PhIndexBox *boxes;

  PetscFunctionBeginUser;
  PetscCall(PhSimGrowSeries(sim));
  s->time[s->n] = sim->t;
  PetscCall(PhThermalSourcePowers(sim->thermal, sim->t, sim->T, PETSC_FALSE, s->src_power + s->n * ns, NULL));
  PetscCall(PetscMalloc3(ns + nb + 1, &tmax, ns + nb + 1, &tmean, ns + nb + 1, &boxes));
  for (PetscInt i = 0; i < ns; i++) PetscCall(PhMeshGetSourceBox(sim->mesh, i, &boxes[i]));
  for (PetscInt i = 0; i < nb; i++) PetscCall(PhMeshGetBlockBox(sim->mesh, i, &boxes[ns + i]));
  PetscCall(PhSimBoxStats(sim, sim->T, ns + nb, boxes, tmax, tmean));
  for (PetscInt i = 0; i < ns; i++) {
    s->src_tmax[s->n * ns + i]  = tmax[i];
    s->src_tmean[s->n * ns + i] = tmean[i];
  }
  for (PetscInt i = 0; i < nb; i++) {
    s->blk_tmax[s->n * nb + i]  = tmax[ns + i];
    s->blk_tmean[s->n * nb + i] = tmean[ns + i];
  }
  PetscCall(PetscFree3(tmax, tmean, boxes));
  PetscCall(PhSimEnergy(sim, sim->T, &s->energy_error[s->n]));
  PetscCall(PhSimPeak(sim, sim->T, &s->peak[s->n], &s->peak_index[s->n]));
  s->n++;
  PetscCall(PhOpticsSample_Private(sim));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The progress line on stderr: at most once per second, a live line on a terminal, plain lines otherwise. */
static PetscErrorCode PhSimProgress(PhSim sim, PetscBool final)
{
  PetscLogDouble now;
  PetscMPIInt    rank;

  PetscFunctionBeginUser;
  if (sim->options.quiet) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCallMPI(MPI_Comm_rank(sim->comm, &rank));
  if (rank != 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscTime(&now));
  if (!final && now - sim->progress_last < 1.0) PetscFunctionReturn(PETSC_SUCCESS);
  if (final && !sim->progress_shown) PetscFunctionReturn(PETSC_SUCCESS);
  sim->progress_last  = now;
  sim->progress_shown = PETSC_TRUE;
  {
    PetscReal end = sim->problem->time.end, frac = end > 0 ? sim->t / end : 1, wall = now - sim->wall_start;
    PetscReal eta = frac > 0 ? wall * (1 - frac) / frac : 0;
    char      a[32], b[32];
    int       width = 24, filled = (int)(frac * width + 0.5);

    PetscCall(PhUnitsFormat(sim->t, PH_QT_TIME, a, sizeof(a)));
    PetscCall(PhUnitsFormat(end, PH_QT_TIME, b, sizeof(b)));
    if (sim->tty) {
      char bar[64];

      for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
      bar[width] = '\0';
      (void)fprintf(stderr, "\r[%s] %5.1f%%  t = %s of %s  steps %d  wall %.1f s  ETA %.0f s   %s", bar, (double)(100 * frac), a, b, (int)sim->steps,
                    (double)wall, (double)eta, final ? "\n" : "");
    } else {
      (void)fprintf(stderr, "photherm: t = %s of %s (%.1f%%), %d steps, wall %.1f s, ETA %.0f s\n", a, b, (double)(100 * frac), (int)sim->steps,
                    (double)wall, (double)eta);
    }
    (void)fflush(stderr);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* After every accepted step: energy integrals by the integrator's own quadrature (end point for backward Euler). */
static PetscErrorCode PhSimPostStep(TS ts)
{
  PhSim       sim;
  PetscReal   t, tprev, dt, next;
  PhHeatRates rates;
  Vec         theta, T, F;
  PetscScalar rsum;

  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &sim));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetPrevTime(ts, &tprev));
  PetscCall(TSGetSolution(ts, &theta));
  T = sim->T;
  PetscCall(VecCopy(theta, T));
  PetscCall(VecShift(T, sim->t_ref));
  dt = t - tprev;
  PetscCall(PhThermalRates(sim->thermal, t, T, PETSC_TRUE, &rates));
  sim->energy.generated += dt * rates.generated;
  sim->energy.out += dt * rates.out;
  sim->energy.flux_in += dt * rates.flux_in;
  /* the residual of the step's equations, C (T - Tprev)/dt + A T - b: what inexact solves leave in the balance */
  PetscCall(VecDuplicate(T, &F));
  PetscCall(VecWAXPY(sim->work, -1.0, sim->Tprev, T));
  PetscCall(VecScale(sim->work, 1.0 / dt));
  PetscCall(TSComputeIFunction(ts, t, theta, sim->work, F, PETSC_FALSE));
  PetscCall(VecSum(F, &rsum));
  PetscCall(VecDestroy(&F));
  sim->energy.residual += dt * PetscRealPart(rsum);
  PetscCall(VecCopy(T, sim->Tprev));
  PetscCall(PhThermalCheckState(sim->thermal, t, T));
  sim->steps++;
  sim->t = t;
  PetscCall(TSGetTimeStep(ts, &next));
  if (t < sim->segment_end - 1e-12 * PetscMax(1.0, t)) sim->dt_natural = next; /* steps cut short to land keep the natural size */
  PetscCall(PhSimProgress(sim, PETSC_FALSE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Before every step: a step that would stop short of the landing time by less than 0.1% of itself is stretched to land,
   so that rounding (0.0017 + 1e-4 vs 18 * 1e-4) never leaves a sliver step of 1e-19 s. */
static PetscErrorCode PhSimPreStep(TS ts)
{
  PetscReal t, dt, tmax;

  PetscFunctionBeginUser;
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetTimeStep(ts, &dt));
  PetscCall(TSGetMaxTime(ts, &tmax));
  if (t + dt < tmax && tmax - (t + dt) < 1e-3 * dt) PetscCall(TSSetTimeStep(ts, tmax - t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The next time the integrator must land on after t: a series sample, a snapshot, the end, or a change of any signal. */
static PetscErrorCode PhSimNextLanding(PhSim sim, PetscReal *t_next)
{
  PhCase    pb = sim->problem;
  PetscReal t  = sim->t, best;

  PetscFunctionBeginUser;
  best = PetscMin(pb->time.end, PetscMin(sim->next_series, sim->next_field));
  for (PetscInt s = 0; s < pb->nsources; s++) {
    PetscReal b;

    PetscCall(PhSignalNextBreak(&pb->sources[s].power, t, &b));
    best = PetscMin(best, b);
  }
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt q = 0; q < pb->boundaries[f].n; q++) {
      PetscReal b;

      PetscCall(PhSignalNextBreak(&pb->boundaries[f].conditions[q].value, t, &b));
      best = PetscMin(best, b);
    }
  *t_next = best;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSimTransient(PhSim sim)
{
  PhCase          pb = sim->problem;
  TSAdapt         adapt;
  PetscInt        nseries = 1, nfield = 1;
  const PetscReal eps = 1e-12 * PetscMax(1.0, pb->time.end);
  TSType          type;
  TSAdaptType     atype;

  PetscFunctionBeginUser;
  PetscCall(PhThermalReleaseSteady(sim->thermal));
  PetscCall(PhThermalCreateTS(sim->thermal, &sim->ts));
  PetscCall(TSSetApplicationContext(sim->ts, sim));
  PetscCall(TSSetPreStep(sim->ts, PhSimPreStep));
  PetscCall(TSSetPostStep(sim->ts, PhSimPostStep));
  PetscCall(TSSetTime(sim->ts, 0.0));
  PetscCall(TSGetAdapt(sim->ts, &adapt));
  PetscCall(TSAdaptSetStepLimits(adapt, PETSC_DEFAULT, pb->time.dt_max));
  PetscCall(TSSetFromOptions(sim->ts));
  PetscCall(TSGetType(sim->ts, &type));
  PetscCall(TSAdaptGetType(adapt, &atype));
  sim->energy.exact = (PetscBool)(!strcmp(type, TSBEULER)); /* end-point quadrature is the integrator's own for backward Euler */
  /* backward Euler's error estimate needs a previous step, so an adaptive run starts with a step 100 times smaller
     than time.dt (its error then 1e4 times smaller) and lets the adaptivity grow it; fixed steps keep time.dt */
  sim->dt_natural = strcmp(atype, TSADAPTNONE) ? pb->time.dt / 100 : pb->time.dt;
  PetscCall(TSSetTimeStep(sim->ts, sim->dt_natural));
  sim->next_series = pb->output.series_every;
  sim->next_field  = pb->output.fields_every;
  PetscCall(VecCopy(sim->T, sim->Tprev));
  while (sim->t < pb->time.end - eps) {
    PetscReal         t_next = 0, dt = 0;
    TSConvergedReason reason;

    PetscCall(PhSimNextLanding(sim, &t_next));
    sim->segment_end = t_next;
    PetscCall(TSGetTimeStep(sim->ts, &dt));
    PetscCall(TSSetTimeStep(sim->ts, PetscMax(dt, sim->dt_natural)));
    PetscCall(TSSetMaxTime(sim->ts, t_next));
    PetscCall(VecCopy(sim->T, sim->theta));
    PetscCall(VecShift(sim->theta, -sim->t_ref));
    PetscCall(TSSolve(sim->ts, sim->theta));
    PetscCall(TSGetConvergedReason(sim->ts, &reason));
    PetscCheck(reason >= 0, sim->comm, PETSC_ERR_NOT_CONVERGED,
               "the time integrator failed at t = %.6g s after %d steps (%s); try a smaller time.dt or -ts_type beuler", (double)sim->t,
               (int)sim->steps, TSConvergedReasons[reason]);
    PetscCall(TSGetTime(sim->ts, &sim->t));
    PetscCall(VecCopy(sim->theta, sim->T));
    PetscCall(VecShift(sim->T, sim->t_ref));
    if (PetscAbsReal(sim->t - sim->next_series) <= eps || sim->t >= pb->time.end - eps) {
      PetscCall(PhSimSample(sim));
      while (sim->next_series <= sim->t + eps) sim->next_series = pb->output.series_every * (PetscReal)(++nseries);
    }
    if (PetscAbsReal(sim->t - sim->next_field) <= eps || sim->t >= pb->time.end - eps) {
      PetscCall(PhOutputAppendSnapshot(sim->out, sim->t, sim->T));
      while (sim->next_field <= sim->t + eps) sim->next_field = pb->output.fields_every * (PetscReal)(++nfield);
    }
  }
  PetscCall(PhSimProgress(sim, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Run the case: initial state, steady solve or transient, series, snapshots, summary; write the result file.

  Collective. A run that fails returns a PETSc error (exit 1) and leaves its output under the temporary name.
**/
PetscErrorCode PhSimRun(PhSim sim)
{
  PhCase pb = sim->problem;
  DM     da;
  Vec    density;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&sim->wall_start));
  sim->progress_last = sim->wall_start;
  sim->tty           = (PetscBool)isatty(2);
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(PhOutputCreate(sim->comm, sim->options.output, pb, sim->mesh, da, sim->options.command_line, &sim->out));
  sim->series.nsrc = pb->nsources;
  sim->series.nblk = pb->nblocks;
  /* initial state */
  switch (pb->time.initial) {
  case PH_INITIAL_TEMPERATURE:
    PetscCall(VecSet(sim->T, pb->time.initial_temperature));
    break;
  case PH_INITIAL_FILE:
    PetscCall(PhSimReadInitial(sim, sim->T));
    break;
  default:
    PetscCall(VecSet(sim->T, 300.0));
    break;
  }
  /* mode: steady solves the steady state whatever the initial field (it is only the first guess) */
  if (pb->time.steady || pb->time.initial == PH_INITIAL_STEADY) PetscCall(PhOpticsSteady_Private(sim));
  PetscCall(VecCopy(sim->T, sim->T0));
  {
    PetscBool   from_boundaries;
    PetscScalar sum;
    PetscInt    n;

    PetscCall(PhThermalGetReference(sim->thermal, &sim->t_ref, &from_boundaries));
    if (!from_boundaries) { /* no ambient to measure rises from: the initial mean temperature */
      PetscCall(VecSum(sim->T, &sum));
      PetscCall(VecGetSize(sim->T, &n));
      sim->t_ref = PetscRealPart(sum) / n;
      PetscCall(PhThermalSetReference(sim->thermal, sim->t_ref));
    }
  }
  if (pb->time.steady || pb->time.initial == PH_INITIAL_STEADY) {
    PhHeatRates rates;
    Vec         r;
    PetscScalar rsum;

    /* the balance of a steady state: out = generated + flux in, up to the residual of the solve */
    PetscCall(PhThermalRates(sim->thermal, 0, sim->T, PETSC_FALSE, &rates));
    PetscCall(VecDuplicate(sim->T, &r));
    PetscCall(PhThermalSteadyResidual(sim->thermal, 0, sim->T, r));
    PetscCall(VecSum(r, &rsum));
    PetscCall(VecDestroy(&r));
    if (pb->time.steady) {
      sim->energy.generated = rates.generated;
      sim->energy.out       = rates.out;
      sim->energy.flux_in   = rates.flux_in;
      sim->energy.residual  = PetscRealPart(rsum);
      sim->energy.exact     = PETSC_TRUE;
    }
  }
  PetscCall(VecDuplicate(sim->T, &density));
  PetscCall(PhThermalPowerDensity(sim->thermal, 0, sim->T, density));
  PetscCall(PhOutputWriteField(sim->out, "/fields/power_density", density, 1.0, 0.0, "W/m^3",
                               "heat generated per unit volume in every cell at t = 0 [z][y][x]"));
  PetscCall(VecDestroy(&density));
  sim->t = 0;
  PetscCall(PhSimSample(sim));
  PetscCall(PhOutputAppendSnapshot(sim->out, 0.0, sim->T));
  if (!pb->time.steady) PetscCall(PhSimTransient(sim));
  PetscCall(PhSimWriteResults_Private(sim));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The thermal model of the run (borrowed).

  Not collective.
**/
PetscErrorCode PhSimGetThermal(PhSim sim, PhThermal *thermal)
{
  PetscFunctionBeginUser;
  *thermal = sim->thermal;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The current temperature field, K (borrowed).

  Not collective.
**/
PetscErrorCode PhSimGetSolution(PhSim sim, Vec *T)
{
  PetscFunctionBeginUser;
  *T = sim->T;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Destroy a run; NULL is accepted and *sim is NULL on return.

  Collective.
**/
PetscErrorCode PhSimDestroy(PhSim *sim_p)
{
  PhSim     sim = *sim_p;
  PhSeries *s;

  PetscFunctionBeginUser;
  if (sim == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  s = &sim->series;
  PetscCall(PhOpticsDestroy_Private(sim));
  PetscCall(PetscFree(s->time));
  PetscCall(PetscFree(s->energy_error));
  PetscCall(PetscFree(s->src_power));
  PetscCall(PetscFree(s->src_tmax));
  PetscCall(PetscFree(s->src_tmean));
  PetscCall(PetscFree(s->blk_tmax));
  PetscCall(PetscFree(s->blk_tmean));
  PetscCall(PetscFree(s->peak));
  PetscCall(PetscFree(s->peak_index));
  PetscCall(TSDestroy(&sim->ts));
  PetscCall(PhOutputDestroy(&sim->out));
  PetscCall(VecDestroy(&sim->T));
  PetscCall(VecDestroy(&sim->T0));
  PetscCall(VecDestroy(&sim->Tprev));
  PetscCall(VecDestroy(&sim->work));
  PetscCall(VecDestroy(&sim->theta));
  PetscCall(PhThermalDestroy(&sim->thermal));
  PetscCall(PetscFree(*sim_p));
  PetscFunctionReturn(PETSC_SUCCESS);
}
