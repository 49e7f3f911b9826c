/* The temperature field of the thermal model: its start, and the statistics that need its grid (box maxima and means,
   the peak with its tie rule, the energy balance). */
#include "thermal_impl.h"

#define PH_ENERGY_WARN      1e-6 /* relative energy-balance error beyond the linear residuals that is reported */
#define PH_ENERGY_TOLERANCE 1e-3 /* relative energy-balance error at the end of a run beyond which its result is refused */

/**
  @brief The temperature field, K (borrowed). Write the initial field into it before PhThermalStart(); afterwards it
  is read-only for the caller and changes with PhThermalSolveSteady() and PhThermalAdvance(). With the reduced model
  the field is reconstructed here, when asked for (snapshots); the statistics below do not need it.

  Collective.
**/
PetscErrorCode PhThermalGetTemperature(PhThermal th, Vec *T)
{
  PetscFunctionBeginUser;
  if (th->reduced != NULL) PetscCall(PhThermalReducedField_Private(th));
  *T = th->T;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Start the run at t = 0 from the current field: it becomes the origin of the stored energy; a case without an
  ambient or surface temperature measures its rises from the mean initial temperature. A `steady` run's energy
  balance is that of its steady state: out = generated + flux in, up to the residual of the solve.

  Collective.
**/
PetscErrorCode PhThermalStart(PhThermal th, PetscBool steady)
{
  PetscFunctionBeginUser;
  PetscCall(VecCopy(th->T, th->T0));
  if (!th->t_ref_from_boundaries) {
    PetscScalar sum;
    PetscInt    n;

    PetscCall(VecSum(th->T, &sum));
    PetscCall(VecGetSize(th->T, &n));
    th->t_ref = PetscRealPart(sum) / n;
  }
  th->t     = 0;
  th->steps = 0;
  if (steady) {
    PhHeatRates rates;
    PetscScalar rsum;

    PetscCall(PhThermalRates(th, 0, th->T, PETSC_FALSE, &rates));
    PetscCall(PhThermalSteadyResidual(th, 0, th->T, th->rate));
    PetscCall(VecSum(th->rate, &rsum));
    th->energy.generated = rates.generated;
    th->energy.out       = rates.out;
    th->energy.flux_in   = rates.flux_in;
    th->energy.residual  = PetscRealPart(rsum);
    th->energy.exact     = PETSC_TRUE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Declare the boxes whose highest and mean temperatures are reported at every sample (PhThermalReportStats()):
  with the reduced model their means are reduced rows and their maxima reconstruct only their cells. Copied.

  Not collective.
**/
PetscErrorCode PhThermalSetReportBoxes(PhThermal th, PetscInt nbox, const PhIndexBox boxes[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(th->report));
  th->nreport = nbox;
  PetscCall(PetscMalloc1(nbox + 1, &th->report));
  PetscCall(PetscArraycpy(th->report, boxes, nbox));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Highest and volume-weighted mean temperature (K) of the state over each report box: two reductions for all.

  Collective.
**/
PetscErrorCode PhThermalReportStats(PhThermal th, PetscReal tmax[], PetscReal tmean[])
{
  PetscFunctionBeginUser;
  if (th->reduced != NULL) PetscCall(PhThermalReducedReportStats_Private(th, tmax, tmean));
  else PetscCall(PhThermalFieldBoxStats_Private(th, th->T, th->nreport, th->report, tmax, tmean));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Highest and volume-weighted mean value of the field T over each box. */
PetscErrorCode PhThermalFieldBoxStats_Private(PhThermal th, Vec T, PetscInt nbox, const PhIndexBox boxes[], PetscReal tmax[], PetscReal tmean[])
{
  PetscScalar ***tv, ***vol;
  PetscReal     *sums;
  PhIndexBox     owned;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetOwnedBox(th, &owned));
  PetscCall(PetscCalloc1(2 * nbox + 1, &sums));
  PetscCall(DMDAVecGetArrayRead(th->da, T, &tv));
  PetscCall(DMDAVecGetArrayRead(th->da, th->volume, &vol));
  for (PetscInt b = 0; b < nbox; b++) {
    PhIndexBox mine = PhIndexBoxIntersect(&boxes[b], &owned);

    tmax[b] = PETSC_MIN_REAL;
    PH_BOX_FOR(mine, i, j, k) {
      PetscReal t = PetscRealPart(tv[k][j][i]);

      tmax[b] = PetscMax(tmax[b], t);
      sums[2 * b] += t * PetscRealPart(vol[k][j][i]);
      sums[2 * b + 1] += PetscRealPart(vol[k][j][i]);
    }
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, th->volume, &vol));
  PetscCall(DMDAVecRestoreArrayRead(th->da, T, &tv));
  if (nbox > 0) {
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, tmax, (PetscMPIInt)nbox, MPIU_REAL, MPIU_MAX, th->comm));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)(2 * nbox), MPIU_REAL, MPIU_SUM, th->comm));
  }
  for (PetscInt b = 0; b < nbox; b++) tmean[b] = sums[2 * b] / sums[2 * b + 1];
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The hottest cell: its temperature (K) and natural index (k * ny + j) * nx + i. Cells within 1e-9 of the rise
  of the maximum count as tied (solves leave differences far larger than rounding between rank counts) and the tie
  goes to the lowest natural index (DESIGN §5). With the reduced model: the hottest cell of the report boxes.

  Collective.
**/
PetscErrorCode PhThermalPeak(PhThermal th, PetscReal *value, PetscInt *natural)
{
  PetscScalar ***tv;
  PetscReal      tie;
  PetscInt       idx = PETSC_MAX_INT;
  PhIndexBox     owned;

  PetscFunctionBeginUser;
  if (th->reduced != NULL) {
    PetscCall(PhThermalReducedPeak_Private(th, value, natural));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhThermalGetOwnedBox(th, &owned));
  PetscCall(VecMax(th->T, NULL, value));
  tie = *value - 1e-9 * PetscMax(PetscAbsReal(*value - th->t_ref), 1e-3);
  PetscCall(DMDAVecGetArrayRead(th->da, th->T, &tv));
  PH_BOX_FOR(owned, i, j, k) {
    if (PetscRealPart(tv[k][j][i]) >= tie) idx = PetscMin(idx, (k * th->info.my + j) * th->info.mx + i);
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, th->T, &tv));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &idx, 1, MPIU_INT, MPI_MIN, th->comm));
  *natural = idx;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The relative energy-balance error from the start to now, |stored + out - generated - flux in| / max(generated
  + flux in, |out|, |stored|), with a warning (once) when it exceeds what the residuals of the linear solves explain
  by more than 1e-6.

  Collective.
**/
PetscErrorCode PhThermalEnergyError(PhThermal th, PetscReal *error)
{
  PhEnergyIntegrals *e = &th->energy;
  PetscScalar        stored;
  PetscReal          gap, denom;

  PetscFunctionBeginUser;
  if (th->reduced != NULL) PetscCall(PhThermalReducedStored_Private(th, &stored));
  else {
    PetscCall(VecWAXPY(th->rate, -1.0, th->T0, th->T));
    PetscCall(VecDot(th->rate, th->capacity, &stored));
  }
  e->stored_last = PetscRealPart(stored);
  gap            = PetscRealPart(stored) + e->out - e->generated - e->flux_in;
  denom          = PetscMax(PetscMax(e->generated + e->flux_in, PetscAbsReal(e->out)), PetscAbsReal(PetscRealPart(stored)));
  *error         = denom > 0 ? PetscAbsReal(gap) / denom : 0;
  e->unexplained = denom > 0 ? PetscAbsReal(gap - e->residual) / denom : 0;
  if (denom > 0 && e->exact && PetscAbsReal(gap - e->residual) / denom > PH_ENERGY_WARN && !e->warned) {
    PetscCall(PetscFPrintf(
      th->comm, stderr,
      "photherm: warning: energy balance at t = %.6g s: relative error %.3g, of which the linear residuals explain %.3g; the difference exceeds %.6g\n",
      (double)th->t, (double)*error, (double)(PetscAbsReal(e->residual) / denom), PH_ENERGY_WARN));
    e->warned = PETSC_TRUE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Fail the run (exit 1, its file left under the temporary name) when the relative energy-balance error at its
  end, beyond what the residuals of the linear solves account for, exceeds PH_ENERGY_TOLERANCE (1e-3; a run at the
  default tolerances closes to about 1e-6): a field whose heat does not balance, such as every cell at ambient under a
  power the solves cannot resolve (1e-15 W on copper), is not a result. Judged where the energy integrals are the
  integrator's own quadrature (backward Euler, steady, reduced) and hold all the heat: not yet with optics heat inputs
  (ring heaters, lasers), which PhThermalRates() does not count.

  Collective.
**/
PetscErrorCode PhThermalEnergyCheck(PhThermal th)
{
  PetscReal error;

  PetscFunctionBeginUser;
  PetscCall(PhThermalEnergyError(th, &error));
  if (th->ninput > 0) PetscFunctionReturn(PETSC_SUCCESS); /* the heat of ring heaters and lasers is not in the balance yet */
  PetscCheck(!th->energy.exact || th->energy.unexplained <= PH_ENERGY_TOLERANCE, th->comm, PETSC_ERR_NOT_CONVERGED,
             "the energy balance does not close at t = %.6g s: relative error %.3g, %.3g beyond the residuals of the solves, above the tolerance "
             "%g (generated %.3g, stored %.3g, out %.3g; J, or W for a steady state): the temperatures are not a solution; check the powers, h "
             "and the material properties for implausible values",
             (double)th->t, (double)error, (double)th->energy.unexplained, PH_ENERGY_TOLERANCE, (double)(th->energy.generated + th->energy.flux_in),
             (double)th->energy.stored_last, (double)th->energy.out);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Declare the heat inputs beside the sources (ring heaters, lasers): each is a distribution over cells, given as
  entries (owned cell by its local index, input, weight such as an overlap volume, m^3); an input puts the share
  weight / (sum of its weights over all ranks) of its power into each of its cells. PhThermalSetHeatPowers() sets
  their powers; PhThermalInputMeans() gives the weighted mean temperature over each of them. The arrays are copied.

  Collective.
**/
PetscErrorCode PhThermalSetHeatInputs(PhThermal th, PetscInt ninput, PetscInt nentry, const PetscInt cell[], const PetscInt input[],
                                      const PetscReal weight[], const PetscReal magnitude[])
{
  PetscFunctionBeginUser;
  PetscCheck(th->ninput == 0, th->comm, PETSC_ERR_ORDER, "the heat inputs are declared once");
  th->ninput = ninput;
  th->nentry = nentry;
  PetscCall(PetscMalloc3(PetscMax(nentry, 1), &th->entry_cell, PetscMax(nentry, 1), &th->entry_input, PetscMax(nentry, 1), &th->entry_w));
  PetscCall(PetscCalloc3(PetscMax(ninput, 1), &th->input_w, PetscMax(ninput, 1), &th->input_power, PetscMax(ninput, 1), &th->input_amp));
  if (magnitude != NULL) PetscCall(PetscArraycpy(th->input_amp, magnitude, ninput));
  PetscCall(PetscArraycpy(th->entry_cell, cell, nentry));
  PetscCall(PetscArraycpy(th->entry_input, input, nentry));
  PetscCall(PetscArraycpy(th->entry_w, weight, nentry));
  for (PetscInt e = 0; e < nentry; e++) th->input_w[input[e]] += weight[e];
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, th->input_w, (PetscMPIInt)ninput, MPIU_REAL, MPIU_SUM, th->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* heat = sum over inputs of power[i] spread over its cells by weight. */
PetscErrorCode PhThermalSpreadInputs_Private(PhThermal th, const PetscReal power[], Vec heat)
{
  PetscScalar *h;

  PetscFunctionBeginUser;
  PetscCall(VecGetArray(heat, &h));
  for (PetscInt e = 0; e < th->nentry; e++) h[th->entry_cell[e]] = 0;
  for (PetscInt e = 0; e < th->nentry; e++) {
    PetscInt d = th->entry_input[e];

    if (th->input_w[d] > 0) h[th->entry_cell[e]] += power[d] * th->entry_w[e] / th->input_w[d];
  }
  PetscCall(VecRestoreArray(heat, &h));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Set the power of every heat input (W), held until the next call; the run's heat balance and the power
  density include them from then on.

  Collective.
**/
PetscErrorCode PhThermalSetHeatPowers(PhThermal th, const PetscReal power[])
{
  PetscFunctionBeginUser;
  if (th->extra == NULL) {
    PetscCall(VecDuplicate(th->capacity, &th->extra));
    PetscCall(VecSet(th->extra, 0.0));
  }
  PetscCall(PetscArraycpy(th->input_power, power, th->ninput));
  PetscCall(PhThermalSpreadInputs_Private(th, power, th->extra));
  if (th->check != NULL) PetscCall(PhThermalSetHeatPowers(th->check, power));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Volume-weighted mean of the field T (K, or a rise; NULL: the state) over each heat input's cells (0 for an
  input without cells): one reduction for all.

  Collective.
**/
PetscErrorCode PhThermalInputMeans(PhThermal th, Vec T, PetscReal mean[])
{
  const PetscScalar *tv;

  PetscFunctionBeginUser;
  if (T == NULL && th->reduced != NULL) {
    PetscCall(PhThermalReducedInputMeans_Private(th, mean));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (T == NULL) T = th->T;
  for (PetscInt d = 0; d < th->ninput; d++) mean[d] = 0;
  PetscCall(VecGetArrayRead(T, &tv));
  for (PetscInt e = 0; e < th->nentry; e++) mean[th->entry_input[e]] += th->entry_w[e] * PetscRealPart(tv[th->entry_cell[e]]);
  PetscCall(VecRestoreArrayRead(T, &tv));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mean, (PetscMPIInt)th->ninput, MPIU_REAL, MPIU_SUM, th->comm));
  for (PetscInt d = 0; d < th->ninput; d++) mean[d] = th->input_w[d] > 0 ? mean[d] / th->input_w[d] : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The steady rise (K) that the heat inputs at `power` (W) alone cause, as in PhThermalSolveResponse().

  Collective.
**/
PetscErrorCode PhThermalSolveInputResponse(PhThermal th, const PetscReal power[], Vec rise)
{
  Vec heat;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(th->capacity, &heat));
  PetscCall(VecSet(heat, 0.0));
  PetscCall(PhThermalSpreadInputs_Private(th, power, heat));
  PetscCall(PhThermalSolveResponse(th, heat, rise));
  PetscCall(VecDestroy(&heat));
  PetscFunctionReturn(PETSC_SUCCESS);
}
