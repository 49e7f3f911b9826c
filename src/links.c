/*
  The coupling of a run to the optics (PHYSICS §2-§4): ring and laser temperatures from the field, locking at every
  series sample, heater and laser heat fed back into the mesh until the next sample, the steady fixed point, the
  self-response R_ii of each ring slice, and the state a continued run restores.
*/
#include "links_impl.h"

#include <photherm/units.h>

#define PH_FIXED_POINT_ITERATIONS 50
#define PH_FIXED_POINT_TOLERANCE  1e-6 /* W: heater and laser powers that change by less have settled (PHYSICS §3) */

/* The owned cells of every device with their overlap volumes, declared to the thermal model as its heat inputs: ring
   slices (exact overlap fractions along the slicing axis), then the blocks of lasers with one. */
static PetscErrorCode PhLinksDeclareInputs(PhLinks op)
{
  PhCase           pb = op->problem;
  PhIndexBox       owned;
  const PetscReal *line[3];
  PetscInt         nentry = 0, *cell = NULL, *dev_of = NULL;
  PetscReal       *weight = NULL;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetOwnedBox(op->thermal, &owned));
  PetscCall(PhMeshGetLines(op->mesh, &line[0], &line[1], &line[2]));
  for (PetscInt pass = 0; pass < 2; pass++) { /* count, then fill */
    if (pass == 1) PetscCall(PetscMalloc3(PetscMax(nentry, 1), &cell, PetscMax(nentry, 1), &dev_of, PetscMax(nentry, 1), &weight));
    nentry = 0;
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
      PetscCall(PhMeshGetBlockBox(op->mesh, block, &box));
      box = PhIndexBoxIntersect(&box, &owned);
      PH_BOX_FOR(box, i, j, k) {
        PetscReal w[3]   = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};
        PetscInt  idx[3] = {i, j, k};

        if (g >= 0) w[axis] = PetscMin(hi, line[axis][idx[axis] + 1]) - PetscMax(lo, line[axis][idx[axis]]);
        if (w[axis] <= 0) continue;
        if (pass == 1) {
          cell[nentry]   = PhIndexBoxOffset(&owned, i, j, k); /* the local index of the Vec arrays */
          dev_of[nentry] = dev;
          weight[nentry] = w[0] * w[1] * w[2];
        }
        nentry++;
      }
    }
  }
  {
    PetscReal *magnitude; /* the most heat each device can put into the mesh */

    PetscCall(PetscCalloc1(op->ndev + 1, &magnitude));
    for (PetscInt g = 0; g < pb->optics.nrings; g++)
      for (PetscInt i = 0; i < pb->optics.rings[g].count && pb->optics.rings[g].heater_feedback; i++)
        magnitude[op->group_first[g] + i] = pb->optics.rings[g].heater_max_power;
    for (PetscInt l = 0; l < pb->optics.nlasers; l++) {
      const PhLaser *ls = &pb->optics.lasers[l];
      PhLaserState   st;

      if (ls->type == PH_LASER_EXTERNAL || !ls->heat) continue;
      PhLaserEvaluate(ls, pb->optics.reference_temperature, pb->optics.reference_temperature, &st);
      magnitude[op->nring + l] = st.electrical - st.optical;
    }
    PetscCall(PhThermalSetHeatInputs(op->thermal, op->ndev, nentry, cell, dev_of, weight, magnitude));
    PetscCall(PetscFree(magnitude));
  }
  PetscCall(PetscFree3(cell, dev_of, weight));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  R_ii, the steady self-response of every ring slice with heater feedback (PHYSICS §2): one solve with 1 W in every
  other slice of each group, one with the rest; neighbours' share is neglected.
*/
static PetscErrorCode PhLinksProbe(PhLinks op)
{
  PhCase     pb = op->problem;
  PetscReal *power;
  Vec        T, rise;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(op->ndev, &power));
  PetscCall(PhThermalGetTemperature(op->thermal, &T));
  PetscCall(VecDuplicate(T, &rise));
  for (PetscInt parity = 0; parity < 2; parity++) {
    PetscBool any = PETSC_FALSE;

    for (PetscInt g = 0; g < pb->optics.nrings; g++)
      for (PetscInt i = 0; i < pb->optics.rings[g].count; i++) {
        PetscInt d = op->group_first[g] + i;

        power[d] = (pb->optics.rings[g].heater_feedback && i % 2 == parity) ? 1.0 : 0.0;
        any      = (PetscBool)(any || power[d] > 0);
      }
    if (!any) continue;
    PetscCall(PhThermalSolveInputResponse(op->thermal, power, rise));
    PetscCall(PhThermalInputMeans(op->thermal, rise, op->dev_t));
    for (PetscInt d = 0; d < op->nring; d++)
      if (power[d] > 0) op->self[d] = op->dev_t[d];
  }
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
  @brief Set up the optics of a run: devices, their cells, the heat vector handed to the thermal model, its columns of
  the series table and, with heater feedback, R_ii by probing (two steady solves). *links is NULL without links.

  Collective on `comm`.
**/
PetscErrorCode PhLinksCreate(MPI_Comm comm, PhCase pb, PhMesh mesh, PhThermal thermal, PhSeries series, PhLinks *links)
{
  PhOptics *po = &pb->optics;
  PhLinks   op;
  PetscBool feedback = PETSC_FALSE;

  PetscFunctionBeginUser;
  *links = NULL;
  if (po->nlinks == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscNew(&op));
  op->comm    = comm;
  op->problem = pb;
  op->mesh    = mesh;
  op->thermal = thermal;
  op->series  = series;
  PetscCall(PetscMalloc2(po->nrings + 1, &op->group_first, po->nlinks + 1, &op->link_first));
  op->group_first[0] = 0;
  for (PetscInt g = 0; g < po->nrings; g++) op->group_first[g + 1] = op->group_first[g] + po->rings[g].count;
  op->link_first[0] = 0;
  for (PetscInt l = 0; l < po->nlinks; l++) op->link_first[l + 1] = op->link_first[l] + po->lasers[po->links[l].laser].lines;
  op->nring = op->group_first[po->nrings];
  op->nline = op->link_first[po->nlinks];
  op->ndev  = op->nring + po->nlasers;
  PetscCall(PetscCalloc4(op->nring, &op->self, op->ndev, &op->applied, op->ndev, &op->next, op->ndev, &op->dev_t));
  PetscCall(PetscCalloc5(op->nring, &op->was_locked, op->nring, &op->was_order, po->nrings, &op->rotation, op->nline, &op->down_until, op->nring,
                         &op->locks));
  PetscCall(PetscMalloc2(op->nring + op->nline + 1, &op->wl, op->nring + 1, &op->res));
  for (PetscInt g = 0; g < po->nrings; g++) op->rotation[g] = -1;
  for (PetscInt g = 0; g < po->nrings; g++) feedback = (PetscBool)(feedback || po->rings[g].heater_feedback);
  for (PetscInt l = 0; l < po->nlasers; l++) op->heats = (PetscBool)(op->heats || (po->lasers[l].type != PH_LASER_EXTERNAL && po->lasers[l].heat));
  op->heats = (PetscBool)(op->heats || feedback);
  PetscCall(PhLinksDeclareInputs(op));
  if (feedback) PetscCall(PhLinksProbe(op));
  if (op->heats) PetscCall(PhThermalSetHeatPowers(thermal, op->applied));
  PetscCall(PhLinksRegisterColumns_Private(op));
  *links = op;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Lock every link at the field T (NULL: the thermal model's state) and time t (PHYSICS §2-§4): the heat every device asks for goes to op->next. With
  `record`, the sample is appended to the series, relocks are counted and outages started; otherwise (the steady
  iteration) only the rotations carry over.
*/
static PetscErrorCode PhLinksEvaluate(PhLinks op, Vec T, PetscReal t, PetscBool record)
{
  PhOptics  *po = &op->problem->optics;
  PetscReal  t0 = po->reference_temperature;
  PetscReal *r[PH_LC_NCOLUMNS]; /* the row of the sample to record, per column */

  PetscFunctionBeginUser;
  PetscCall(PhThermalInputMeans(op->thermal, T, op->dev_t));
  for (PetscInt c = 0; c < PH_LC_NCOLUMNS; c++) r[c] = record ? PhSeriesRow(op->series, op->col[c], -1) : NULL;
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
          r[PH_LC_RING_T][d]       = tr;
          r[PH_LC_RING_SLICE_T][d] = slice;
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
        op->was_locked[d]       = lc->locked;
        op->was_order[d]        = lc->order;
        r[PH_LC_RING_SHIFT][d]  = lc->shift;
        r[PH_LC_RING_POWER][d]  = lc->power;
        r[PH_LC_RING_RES][d]    = lc->residual;
        r[PH_LC_RING_LOCKED][d] = lc->locked;
        r[PH_LC_RING_ORDER][d]  = (PetscReal)lc->order;
        r[PH_LC_RING_LINE][d]   = (PetscReal)lc->line;
        r[PH_LC_RING_RELOCK][d] = relock;
        r[PH_LC_RING_SAT][d]    = lc->saturated;
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
      ok                           = (PetscBool)(margin >= lk->margin_threshold);
      r[PH_LC_LINE_MARGIN][lf + j] = margin;
      r[PH_LC_LINE_OK][lf + j]     = ok;
      r[PH_LC_LINE_DOWN][lf + j]   = op->down_until[lf + j];
      r[PH_LC_LINE_UP][lf + j]     = ok && !(t < op->down_until[lf + j]);
      up += ok && !(t < op->down_until[lf + j]);
      min_margin = PetscMin(min_margin, margin);
    }
    r[PH_LC_LASER_T][lk->laser]    = st.temperature;
    r[PH_LC_LASER_WL][lk->laser]   = st.wavelength;
    r[PH_LC_LASER_DBM][lk->laser]  = st.power_dbm;
    r[PH_LC_LASER_ELEC][lk->laser] = st.electrical;
    r[PH_LC_LINK_TP][l]            = lk->rate * (PetscReal)up;
    r[PH_LC_LINK_TUNE][l]          = tune;
    r[PH_LC_LINK_LASER][l]         = st.electrical;
    r[PH_LC_LINK_MIN_MARGIN][l]    = min_margin;
    r[PH_LC_LINK_UP][l]            = (PetscReal)up;
  }
  if (record) op->started = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Hold the heat of the last evaluation until the next sample. */
static PetscErrorCode PhLinksApply(PhLinks op)
{
  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < op->ndev; d++) op->applied[d] = op->next[d];
  if (op->heats) PetscCall(PhThermalSetHeatPowers(op->thermal, op->applied));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The steady state at t = 0 (DESIGN §3.7) into the thermal field. With heaters or lasers that heat the mesh, thermal solve and locking are
  iterated until their powers change by less than 1 uW (PHYSICS §3); the field is left at the solve of the last
  powers held, which the first sample then locks to.
**/
PetscErrorCode PhLinksSolveSteady(PhLinks op, PhThermal thermal)
{
  Vec T;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetTemperature(thermal, &T));
  if (op == NULL || !op->heats) {
    PetscCall(PhThermalSolveSteady(thermal, 0, T));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt it = 0;; it++) {
    PetscReal change = 0;

    PetscCall(PhThermalSolveSteady(thermal, 0, T));
    PetscCall(PetscLogEventBegin(PH_EVENT_OPTICS, 0, 0, 0, 0));
    PetscCall(PhLinksEvaluate(op, T, 0, PETSC_FALSE));
    PetscCall(PetscLogEventEnd(PH_EVENT_OPTICS, 0, 0, 0, 0));
    for (PetscInt d = 0; d < op->ndev; d++) change = PetscMax(change, PetscAbsReal(op->next[d] - op->applied[d]));
    if (change < PH_FIXED_POINT_TOLERANCE) break;
    PetscCheck(
      it + 1 < PH_FIXED_POINT_ITERATIONS, op->comm, PETSC_ERR_NOT_CONVERGED,
      "steady state: heater and laser powers still change by %.3g mW after %d iterations of thermal solve and locking (README.md, Heater feedback); the heaters "
      "may be chasing their own crosstalk or a laser running away thermally",
      (double)(change * 1e3), PH_FIXED_POINT_ITERATIONS);
    PetscCall(PhLinksApply(op));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Continue the optics of an earlier result whose snapshot at t_snap (s) is this run's initial field (DESIGN §3.7,
  time.initial: {file, time}). Restored from its last sample strictly before t_snap: the heater and laser heat held
  over the interval that ends at t_snap (which R_ii * P_i subtracts and which heats the mesh), the lock state that
  relocks are judged against (locked, order, rotation), and the relock outages still running at t_snap, moved to this
  run's clock. This run's first sample then repeats the earlier run's sample at t_snap with the same inputs, so that a
  run continued from a snapshot on a sample follows the uninterrupted run. A result with no sample before t_snap
  (steady: one sample at t = 0) gives the state of its sample at t_snap; a result without optics series leaves the
  state fresh. The optics of both runs must have the same rings and lasers.

  Collective (every rank reads the file).
**/
PetscErrorCode PhLinksRestore(PhLinks op, hid_t file, const char name[], PetscReal t_snap)
{
  static const PhLinksColumn which[6] = {PH_LC_RING_POWER, PH_LC_RING_LOCKED, PH_LC_RING_ORDER, PH_LC_RING_LINE, PH_LC_RING_RELOCK, PH_LC_LASER_T};
  PhOptics                  *po;
  PetscReal                 *time = NULL, *tab[6] = {NULL};
  PetscInt                   ns, rows[6], cols[6], p = -1, tcols;
  PetscBool                  ok, all = PETSC_TRUE;

  PetscFunctionBeginUser;
  if (op == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  po = &op->problem->optics;
  PetscCall(PhSeriesReadColumn(op->series, PH_SERIES_TIME, file, &ns, &tcols, &time, &ok));
  all = ok;
  for (PetscInt k = 0; k < 6; k++) {
    PetscCall(PhSeriesReadColumn(op->series, op->col[which[k]], file, &rows[k], &cols[k], &tab[k], &ok));
    all = (PetscBool)(all && ok && rows[k] == ns);
  }
  if (all) {
    PetscCheck(cols[0] == op->nring && cols[5] == po->nlasers, op->comm, PETSC_ERR_FILE_UNEXPECTED,
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

        op->applied[d]    = rg->heater_feedback ? tab[0][p * op->nring + d] : 0;
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
      PhLaserEvaluate(ls, po->reference_temperature, tab[5][p * po->nlasers + l], &st);
      op->applied[op->nring + l] = st.electrical - st.optical;
    }
    op->started = PETSC_TRUE;
    if (op->heats) PetscCall(PhThermalSetHeatPowers(op->thermal, op->applied));
  }
  PetscCall(PetscFree(time));
  for (PetscInt k = 0; k < 6; k++) PetscCall(PetscFree(tab[k]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Lock at the sample just appended to the series table (time t, s) from the thermal field, record the optics
  columns of that sample, and hold the new heat until the next sample.

  Collective.
**/
PetscErrorCode PhLinksSample(PhLinks op, PetscReal t)
{
  PetscFunctionBeginUser;
  if (op == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscLogEventBegin(PH_EVENT_OPTICS, 0, 0, 0, 0));
  PetscCall(PhLinksEvaluate(op, NULL, t, PETSC_TRUE));
  PetscCall(PhLinksApply(op));
  PetscCall(PetscLogEventEnd(PH_EVENT_OPTICS, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Destroy the optics of a run; NULL is accepted and *links is NULL on return.

  Collective.
**/
PetscErrorCode PhLinksDestroy(PhLinks *links)
{
  PhLinks op = *links;

  PetscFunctionBeginUser;
  if (op == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree2(op->group_first, op->link_first));
  PetscCall(PetscFree4(op->self, op->applied, op->next, op->dev_t));
  PetscCall(PetscFree5(op->was_locked, op->was_order, op->rotation, op->down_until, op->locks));
  PetscCall(PetscFree2(op->wl, op->res));
  PetscCall(PetscFree(*links));
  PetscFunctionReturn(PETSC_SUCCESS);
}
