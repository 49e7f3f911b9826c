/*
  The coupling of a run to the optics (PHYSICS §2-§4): ring and laser temperatures from the field, locking at every
  series sample, heater and laser heat fed back into the mesh until the next sample, the steady fixed point, the
  self-response R_ii of each ring slice, and the optics series.
*/
#include "sim_impl.h"

#include <photherm/units.h>

#define PH_FIXED_POINT_ITERATIONS 50
#define PH_FIXED_POINT_TOLERANCE  1e-6 /* W: heater and laser powers that change by less have settled (PHYSICS §3) */

/* Register a series of `width` columns so that it grows and is freed with the others. */
static void PhOpticsColumn(PhOpticsRun *op, PetscReal **data, PetscInt width)
{
  op->cols[op->ncols]  = data;
  op->width[op->ncols] = width;
  op->ncols++;
}

/* The owned cells of every device with their overlap volumes: ring slices (exact overlap fractions along the slicing
   axis), then the blocks of lasers with one. */
static PetscErrorCode PhOpticsBuildEntries(PhSim sim, PhOpticsRun *op)
{
  PhCase           pb = sim->problem;
  DM               da;
  DMDALocalInfo    in;
  const PetscReal *line[3];
  PetscInt         cap = 0;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(DMDAGetLocalInfo(da, &in));
  PetscCall(PhMeshGetLines(sim->mesh, &line[0], &line[1], &line[2]));
  for (PetscInt pass = 0; pass < 2; pass++) { /* count, then fill */
    op->nentry = 0;
    for (PetscInt dev = 0; dev < op->ndev; dev++) {
      PetscInt   block, axis = 0, g = -1, ring = 0;
      PetscReal  lo = 0, hi = 0;
      PhIndexBox box;

      if (dev < op->nring) {
        while (op->group_first[g + 1] <= dev) g++;
        ring  = dev - op->group_first[g];
        block = pb->optics.rings[g].block;
        PhRingSlice(pb, g, ring, &axis, &lo, &hi);
      } else {
        const PhLaser *ls = &pb->optics.lasers[dev - op->nring];

        if (ls->type == PH_LASER_EXTERNAL || ls->block < 0) continue;
        block = ls->block;
      }
      PetscCall(PhMeshGetBlockBox(sim->mesh, block, &box));
      for (PetscInt k = PetscMax(box.lo[2], in.zs); k < PetscMin(box.hi[2], in.zs + in.zm); k++)
        for (PetscInt j = PetscMax(box.lo[1], in.ys); j < PetscMin(box.hi[1], in.ys + in.ym); j++)
          for (PetscInt i = PetscMax(box.lo[0], in.xs); i < PetscMin(box.hi[0], in.xs + in.xm); i++) {
            PetscReal w[3]   = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};
            PetscInt  idx[3] = {i, j, k};

            if (g >= 0) w[axis] = PetscMin(hi, line[axis][idx[axis] + 1]) - PetscMax(lo, line[axis][idx[axis]]);
            if (w[axis] <= 0) continue;
            if (pass == 1) {
              op->entry_cell[op->nentry] = ((k - in.zs) * in.ym + (j - in.ys)) * in.xm + (i - in.xs);
              op->entry_dev[op->nentry]  = dev;
              op->entry_w[op->nentry]    = w[0] * w[1] * w[2];
              op->dev_w[dev] += op->entry_w[op->nentry];
            }
            op->nentry++;
          }
    }
    if (pass == 0) {
      cap = op->nentry;
      PetscCall(PetscMalloc3(PetscMax(cap, 1), &op->entry_cell, PetscMax(cap, 1), &op->entry_dev, PetscMax(cap, 1), &op->entry_w));
    }
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, op->dev_w, (PetscMPIInt)op->ndev, MPIU_REAL, MPIU_SUM, sim->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* heat = sum over devices of power[dev] spread over its cells by overlap volume. */
static PetscErrorCode PhOpticsSpread(PhOpticsRun *op, const PetscReal power[], Vec heat)
{
  PetscScalar *h;

  PetscFunctionBeginUser;
  PetscCall(VecGetArray(heat, &h));
  for (PetscInt e = 0; e < op->nentry; e++) h[op->entry_cell[e]] = 0;
  for (PetscInt e = 0; e < op->nentry; e++) {
    PetscInt d = op->entry_dev[e];

    if (op->dev_w[d] > 0) h[op->entry_cell[e]] += power[d] * op->entry_w[e] / op->dev_w[d];
  }
  PetscCall(VecRestoreArray(heat, &h));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Volume-weighted mean temperature of every device over its cells: one reduction for all of them. */
static PetscErrorCode PhOpticsDeviceTemperatures(PhSim sim, PhOpticsRun *op, Vec T)
{
  const PetscScalar *tv;

  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < op->ndev; d++) op->dev_t[d] = 0;
  PetscCall(VecGetArrayRead(T, &tv));
  for (PetscInt e = 0; e < op->nentry; e++) op->dev_t[op->entry_dev[e]] += op->entry_w[e] * PetscRealPart(tv[op->entry_cell[e]]);
  PetscCall(VecRestoreArrayRead(T, &tv));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, op->dev_t, (PetscMPIInt)op->ndev, MPIU_REAL, MPIU_SUM, sim->comm));
  for (PetscInt d = 0; d < op->ndev; d++) op->dev_t[d] = op->dev_w[d] > 0 ? op->dev_t[d] / op->dev_w[d] : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  R_ii, the steady self-response of every ring slice with heater feedback (PHYSICS §2): one solve with 1 W in every
  other slice of each group, one with the rest; neighbours' share is neglected.
*/
static PetscErrorCode PhOpticsProbe(PhSim sim, PhOpticsRun *op)
{
  PhCase     pb = sim->problem;
  PetscReal *power;
  Vec        rise;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(op->ndev, &power));
  PetscCall(VecDuplicate(op->heat, &rise));
  for (PetscInt parity = 0; parity < 2; parity++) {
    PetscBool any = PETSC_FALSE;

    for (PetscInt g = 0; g < pb->optics.nrings; g++)
      for (PetscInt i = 0; i < pb->optics.rings[g].count; i++) {
        PetscInt d = op->group_first[g] + i;

        power[d] = (pb->optics.rings[g].heater_feedback && i % 2 == parity) ? 1.0 : 0.0;
        any      = (PetscBool)(any || power[d] > 0);
      }
    if (!any) continue;
    PetscCall(VecSet(op->heat, 0.0));
    PetscCall(PhOpticsSpread(op, power, op->heat));
    PetscCall(PhThermalSolveResponse(sim->thermal, op->heat, rise));
    PetscCall(PhOpticsDeviceTemperatures(sim, op, rise));
    for (PetscInt d = 0; d < op->nring; d++)
      if (power[d] > 0) op->self[d] = op->dev_t[d];
  }
  PetscCall(VecSet(op->heat, 0.0));
  for (PetscInt g = 0; g < pb->optics.nrings; g++) {
    const PhRingGroup *rg = &pb->optics.rings[g];

    for (PetscInt i = 0; i < rg->count && rg->heater_feedback; i++)
      op->self_share = PetscMax(op->self_share, rg->drift * op->self[op->group_first[g] + i] / rg->heater_efficiency);
  }
  PetscCall(VecDestroy(&rise));
  PetscCall(PetscFree(power));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Set up the optics of a run: devices, their cells, the heat vector and, with heater feedback, R_ii by probing.
**/
PetscErrorCode PhOpticsCreate_Private(PhSim sim)
{
  PhCase       pb = sim->problem;
  PhOptics    *po = &pb->optics;
  PhOpticsRun *op;
  PetscBool    feedback = PETSC_FALSE;

  PetscFunctionBeginUser;
  sim->optics = NULL;
  if (po->nlinks == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscNew(&op));
  sim->optics = op;
  PetscCall(PetscMalloc2(po->nrings + 1, &op->group_first, po->nlinks + 1, &op->link_first));
  op->group_first[0] = 0;
  for (PetscInt g = 0; g < po->nrings; g++) op->group_first[g + 1] = op->group_first[g] + po->rings[g].count;
  op->link_first[0] = 0;
  for (PetscInt l = 0; l < po->nlinks; l++) op->link_first[l + 1] = op->link_first[l] + po->lasers[po->links[l].laser].lines;
  op->nring = op->group_first[po->nrings];
  op->nline = op->link_first[po->nlinks];
  op->ndev  = op->nring + po->nlasers;
  PetscCall(PetscCalloc5(op->ndev, &op->dev_w, op->nring, &op->self, op->ndev, &op->applied, op->ndev, &op->next, op->ndev, &op->dev_t));
  PetscCall(PetscCalloc5(op->nring, &op->was_locked, op->nring, &op->was_order, po->nrings, &op->rotation, op->nline, &op->down_until, op->nring,
                         &op->locks));
  PetscCall(PetscMalloc2(op->nring + op->nline + 1, &op->wl, op->nring + 1, &op->res));
  for (PetscInt g = 0; g < po->nrings; g++) op->rotation[g] = -1;
  for (PetscInt g = 0; g < po->nrings; g++) feedback = (PetscBool)(feedback || po->rings[g].heater_feedback);
  for (PetscInt l = 0; l < po->nlasers; l++) op->heats = (PetscBool)(op->heats || (po->lasers[l].type != PH_LASER_EXTERNAL && po->lasers[l].heat));
  op->heats = (PetscBool)(op->heats || feedback);
  PetscCall(VecDuplicate(sim->T, &op->heat));
  PetscCall(VecSet(op->heat, 0.0));
  PetscCall(PhOpticsBuildEntries(sim, op));
  if (feedback) PetscCall(PhOpticsProbe(sim, op));
  if (op->heats) PetscCall(PhThermalSetExtraHeat(sim->thermal, op->heat));
  PhOpticsColumn(op, &op->laser_t, po->nlasers);
  PhOpticsColumn(op, &op->laser_wl, po->nlasers);
  PhOpticsColumn(op, &op->laser_dbm, po->nlasers);
  PhOpticsColumn(op, &op->laser_elec, po->nlasers);
  PhOpticsColumn(op, &op->ring_t, op->nring);
  PhOpticsColumn(op, &op->ring_slice_t, op->nring);
  PhOpticsColumn(op, &op->ring_shift, op->nring);
  PhOpticsColumn(op, &op->ring_power, op->nring);
  PhOpticsColumn(op, &op->ring_res, op->nring);
  PhOpticsColumn(op, &op->ring_locked, op->nring);
  PhOpticsColumn(op, &op->ring_order, op->nring);
  PhOpticsColumn(op, &op->ring_line, op->nring);
  PhOpticsColumn(op, &op->ring_relock, op->nring);
  PhOpticsColumn(op, &op->ring_sat, op->nring);
  PhOpticsColumn(op, &op->line_margin, op->nline);
  PhOpticsColumn(op, &op->line_up, op->nline);
  PhOpticsColumn(op, &op->line_ok, op->nline);
  PhOpticsColumn(op, &op->line_down, op->nline);
  PhOpticsColumn(op, &op->link_tp, po->nlinks);
  PhOpticsColumn(op, &op->link_tune, po->nlinks);
  PhOpticsColumn(op, &op->link_laser, po->nlinks);
  PhOpticsColumn(op, &op->link_min_margin, po->nlinks);
  PhOpticsColumn(op, &op->link_up, po->nlinks);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Lock every link at the field T and time t (PHYSICS §2-§4): the heat every device asks for goes to op->next. With
  `record`, the sample is appended to the series, relocks are counted and outages started; otherwise (the steady
  iteration) only the rotations carry over.
*/
static PetscErrorCode PhOpticsEvaluate(PhSim sim, Vec T, PetscReal t, PetscBool record)
{
  PhCase       pb  = sim->problem;
  PhOptics    *po  = &pb->optics;
  PhOpticsRun *op  = sim->optics;
  PetscInt     row = sim->series.n - 1;
  PetscReal    t0  = po->reference_temperature;

  PetscFunctionBeginUser;
  PetscCall(PhOpticsDeviceTemperatures(sim, op, T));
  if (record && row >= op->cap) {
    op->cap = PetscMax(2 * op->cap, 256);
    for (PetscInt c = 0; c < op->ncols; c++) PetscCall(PetscRealloc(op->cap * PetscMax(op->width[c], 1) * sizeof(PetscReal), op->cols[c]));
  }
  for (PetscInt d = 0; d < op->ndev; d++) op->next[d] = 0;
  for (PetscInt l = 0; l < po->nlinks; l++) {
    const PhLink  *lk = &po->links[l];
    const PhLaser *ls = &po->lasers[lk->laser];
    PetscInt       n = ls->lines, grp[2] = {lk->tx, lk->rx}, rot[2], lf = op->link_first[l];
    PhLaserState   st;
    PetscReal      tune = 0, min_margin = PETSC_MAX_REAL;
    PetscInt       up = 0;

    PhLaserEvaluate(ls, t0, ls->type == PH_LASER_EXTERNAL || ls->block < 0 ? ls->temperature : op->dev_t[op->nring + lk->laser], &st);
    if (ls->type != PH_LASER_EXTERNAL && ls->heat) op->next[op->nring + lk->laser] = st.electrical - st.optical;
    for (PetscInt j = 0; j < n; j++) op->wl[j] = PhLaserLine(ls, &st, j);
    for (PetscInt side = 0; side < 2; side++) {
      const PhRingGroup *g     = &po->rings[grp[side]];
      PetscInt           first = op->group_first[grp[side]], prev = op->rotation[grp[side]];

      for (PetscInt i = 0; i < n; i++) {
        PetscInt  d     = first + i;
        PetscReal slice = op->dev_t[d], tr = slice - op->self[d] * op->applied[d];

        op->res[i] = PhRingResonance(g, i, g->offsets != NULL ? g->offsets[i] : 0, t0, tr);
        if (record) {
          op->ring_t[row * op->nring + d]       = tr;
          op->ring_slice_t[row * op->nring + d] = slice;
        }
      }
      rot[side] = PhLockGroup(g, lk->lock, op->wl, op->res, prev, op->locks + first);
      for (PetscInt i = 0; i < n; i++) {
        PetscInt          d  = first + i;
        const PhRingLock *lc = &op->locks[d];
        PetscBool         relock;

        tune += lc->power;
        if (g->heater_feedback) op->next[d] = lc->power;
        if (!record) continue;
        relock = (PetscBool)(op->started && lc->locked && (!op->was_locked[d] || op->was_order[d] != lc->order || rot[side] != prev));
        if (relock) op->down_until[lf + lc->line] = PetscMax(op->down_until[lf + lc->line], t + lk->relock_time);
        op->was_locked[d]                    = lc->locked;
        op->was_order[d]                     = lc->order;
        op->ring_shift[row * op->nring + d]  = lc->shift;
        op->ring_power[row * op->nring + d]  = lc->power;
        op->ring_res[row * op->nring + d]    = lc->residual;
        op->ring_locked[row * op->nring + d] = lc->locked;
        op->ring_order[row * op->nring + d]  = (PetscReal)lc->order;
        op->ring_line[row * op->nring + d]   = (PetscReal)lc->line;
        op->ring_relock[row * op->nring + d] = relock;
        op->ring_sat[row * op->nring + d]    = lc->saturated;
      }
      op->rotation[grp[side]] = rot[side];
    }
    if (!record) continue;
    for (PetscInt j = 0; j < n; j++) {
      PetscReal margin = st.power_dbm - lk->loss - lk->sensitivity;
      PetscBool ok;

      for (PetscInt side = 0; side < 2; side++) {
        const PhRingGroup *g = &po->rings[grp[side]];
        PetscInt           i = ((j - rot[side]) % n + n) % n; /* the ring serving line j */

        margin -= PhDetuningPenalty(op->locks[op->group_first[grp[side]] + i].residual, g->wavelength / g->q);
      }
      ok                                        = (PetscBool)(margin >= lk->margin_threshold);
      op->line_margin[row * op->nline + lf + j] = margin;
      op->line_ok[row * op->nline + lf + j]     = ok;
      op->line_down[row * op->nline + lf + j]   = op->down_until[lf + j];
      op->line_up[row * op->nline + lf + j]     = ok && !(t < op->down_until[lf + j]);
      up += ok && !(t < op->down_until[lf + j]);
      min_margin = PetscMin(min_margin, margin);
    }
    op->laser_t[row * po->nlasers + lk->laser]    = st.temperature;
    op->laser_wl[row * po->nlasers + lk->laser]   = st.wavelength;
    op->laser_dbm[row * po->nlasers + lk->laser]  = st.power_dbm;
    op->laser_elec[row * po->nlasers + lk->laser] = st.electrical;
    op->link_tp[row * po->nlinks + l]             = lk->rate * (PetscReal)up;
    op->link_tune[row * po->nlinks + l]           = tune;
    op->link_laser[row * po->nlinks + l]          = st.electrical;
    op->link_min_margin[row * po->nlinks + l]     = min_margin;
    op->link_up[row * po->nlinks + l]             = (PetscReal)up;
  }
  if (record) op->started = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Hold the heat of the last evaluation until the next sample. */
static PetscErrorCode PhOpticsApply(PhOpticsRun *op)
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < op->ndev; d++) op->applied[d] = op->next[d];
  if (op->heats) PetscCall(PhOpticsSpread(op, op->applied, op->heat));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The steady state at t = 0 (DESIGN §3.7). With heaters or lasers that heat the mesh, thermal solve and locking are
  iterated until their powers change by less than 1 uW (PHYSICS §3); the field is left at the solve of the last
  powers held, which the first sample then locks to.
**/
PetscErrorCode PhOpticsSteady_Private(PhSim sim)
{
  PhOpticsRun *op = sim->optics;

  PetscFunctionBeginUser;
  if (op == NULL || !op->heats) {
    PetscCall(PhThermalSolveSteady(sim->thermal, 0, sim->T));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt it = 0;; it++) {
    PetscReal change = 0;

    PetscCall(PhThermalSolveSteady(sim->thermal, 0, sim->T));
    PetscCall(PetscLogEventBegin(PH_EVENT_OPTICS, 0, 0, 0, 0));
    PetscCall(PhOpticsEvaluate(sim, sim->T, 0, PETSC_FALSE));
    PetscCall(PetscLogEventEnd(PH_EVENT_OPTICS, 0, 0, 0, 0));
    for (PetscInt d = 0; d < op->ndev; d++) change = PetscMax(change, PetscAbsReal(op->next[d] - op->applied[d]));
    if (change < PH_FIXED_POINT_TOLERANCE) break;
    PetscCheck(
      it + 1 < PH_FIXED_POINT_ITERATIONS, sim->comm, PETSC_ERR_NOT_CONVERGED,
      "steady state: heater and laser powers still change by %.3g mW after %d iterations of thermal solve and locking (PHYSICS §3); the heaters "
      "may be chasing their own crosstalk or a laser running away thermally",
      (double)(change * 1e3), PH_FIXED_POINT_ITERATIONS);
    PetscCall(PhOpticsApply(op));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Continue the optics of an earlier result whose snapshot at t_snap (s) is this run's initial field (DESIGN §3.7,
  time.initial: {file, time}). Restored from its last sample strictly before t_snap: the heater and laser heat held
  over the interval that ends at t_snap (which R_ii * P_i subtracts and which heats the mesh), the lock state that
  relocks are judged against (locked, order, rotation), and the relock outages still running at t_snap, moved to this
  run's clock. This run's first sample then repeats the earlier run's sample at t_snap with the same inputs, so that a
  run continued from a snapshot on a sample follows the uninterrupted run. A result with no sample before t_snap
  (steady: one sample at t = 0) gives the state of its sample at t_snap; a result without optics series leaves the
  state fresh. The optics of both runs must have the same rings and lasers.

  Collective (every rank reads the file).
**/
PetscErrorCode PhOpticsRestore_Private(PhSim sim, hid_t file, const char name[], PetscReal t_snap)
{
  PhOptics    *po       = &sim->problem->optics;
  PhOpticsRun *op       = sim->optics;
  const char  *paths[6] = {"/series/rings/heater_power", "/series/rings/locked", "/series/rings/order",
                           "/series/rings/line",         "/series/rings/relock", "/series/lasers/temperature"};
  PetscReal   *time = NULL, *tab[6] = {NULL};
  PetscInt     ns, rows[6], cols[6], p = -1;
  PetscBool    ok, all = PETSC_TRUE;

  PetscFunctionBeginUser;
  if (op == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhH5ReadReals(file, "/series/time", &ns, &time, &ok));
  all = ok;
  for (PetscInt k = 0; k < 6; k++) {
    PetscCall(PhH5ReadRealTable(file, paths[k], &rows[k], &cols[k], &tab[k], &ok));
    all = (PetscBool)(all && ok && rows[k] == ns);
  }
  if (all) {
    PetscCheck(cols[0] == op->nring && cols[5] == po->nlasers, sim->comm, PETSC_ERR_FILE_UNEXPECTED,
               "time.initial: %s has %d rings and %d lasers in its optics series, this case %d and %d: continue only with the same optics", name,
               (int)cols[0], (int)cols[5], (int)op->nring, (int)po->nlasers);
    for (PetscInt s = 0; s < ns; s++)
      if (time[s] < t_snap - 1e-9 * PetscMax(1.0, PetscAbsReal(t_snap))) p = s;
    if (p < 0 && ns > 0 && PetscAbsReal(time[0] - t_snap) <= 1e-9 * PetscMax(1.0, PetscAbsReal(t_snap))) p = 0;
  }
  if (p >= 0) {
    for (PetscInt g = 0; g < po->nrings; g++) {
      const PhRingGroup *rg    = &po->rings[g];
      const PhLink      *lk    = &po->links[rg->link];
      PetscInt           first = op->group_first[g];

      op->rotation[g] = (PetscInt)PetscFloorReal(tab[3][p * op->nring + first] + 0.5); /* ring 0 serves line r */
      for (PetscInt i = 0; i < rg->count; i++) {
        PetscInt d = first + i;

        op->applied[d]    = rg->heater_feedback ? 1e-3 * tab[0][p * op->nring + d] : 0;
        op->was_locked[d] = (PetscBool)(tab[1][p * op->nring + d] > 0.5);
        op->was_order[d]  = (PetscInt)PetscFloorReal(tab[2][p * op->nring + d] + 0.5);
        for (PetscInt s = 0; s <= p && time[s] < t_snap - 1e-9 * PetscMax(1.0, PetscAbsReal(t_snap)); s++) {
          PetscInt line = op->link_first[rg->link] + (PetscInt)PetscFloorReal(tab[3][s * op->nring + d] + 0.5);

          if (tab[4][s * op->nring + d] > 0.5) op->down_until[line] = PetscMax(op->down_until[line], time[s] + lk->relock_time - t_snap);
        }
      }
    }
    for (PetscInt l = 0; l < po->nlasers; l++) {
      const PhLaser *ls = &po->lasers[l];
      PhLaserState   st;

      if (ls->type == PH_LASER_EXTERNAL || !ls->heat) continue;
      PhLaserEvaluate(ls, po->reference_temperature, tab[5][p * po->nlasers + l] + PH_ZERO_CELSIUS, &st);
      op->applied[op->nring + l] = st.electrical - st.optical;
    }
    op->started = PETSC_TRUE;
    if (op->heats) PetscCall(PhOpticsSpread(op, op->applied, op->heat));
  }
  PetscCall(PetscFree(time));
  for (PetscInt k = 0; k < 6; k++) PetscCall(PetscFree(tab[k]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Lock at the sample just recorded by the run, record the optics series, and hold the new heat until the next sample.
**/
PetscErrorCode PhOpticsSample_Private(PhSim sim)
{
  PetscFunctionBeginUser;
  if (sim->optics == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscLogEventBegin(PH_EVENT_OPTICS, 0, 0, 0, 0));
  PetscCall(PhOpticsEvaluate(sim, sim->T, sim->t, PETSC_TRUE));
  PetscCall(PhOpticsApply(sim->optics));
  PetscCall(PetscLogEventEnd(PH_EVENT_OPTICS, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhOpticsDestroy_Private(PhSim sim)
{
  PhOpticsRun *op = sim->optics;

  PetscFunctionBeginUser;
  if (op == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt c = 0; c < op->ncols; c++) PetscCall(PetscFree(*op->cols[c]));
  PetscCall(PetscFree3(op->entry_cell, op->entry_dev, op->entry_w));
  PetscCall(PetscFree2(op->group_first, op->link_first));
  PetscCall(PetscFree5(op->dev_w, op->self, op->applied, op->next, op->dev_t));
  PetscCall(PetscFree5(op->was_locked, op->was_order, op->rotation, op->down_until, op->locks));
  PetscCall(PetscFree2(op->wl, op->res));
  PetscCall(VecDestroy(&op->heat));
  PetscCall(PetscFree(sim->optics));
  PetscFunctionReturn(PETSC_SUCCESS);
}
