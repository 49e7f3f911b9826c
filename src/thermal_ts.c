/*
  The transient: PETSc TS on C dT/dt + A(T) T - b(t, T) = 0, created and configured here only; the landing on every
  change of an input; the energy integrals by the integrator's own quadrature; the linear solver defaults and the
  thermal options (DESIGN §5).
*/
#include "thermal_impl.h"

#include <string.h>

/**
  Defaults of every linear solve: CG on the unpreconditioned residual with the multigrid preconditioner chosen by the
  benchmarks (benchmarks/README.md); every -ksp_ and -pc_ option overrides them. Without `with_pc` the preconditioner is
  left to the caller (one shared with another solver).
**/
PetscErrorCode PhThermalConfigureKSP_Private(PhThermal th, KSP ksp, PetscBool with_pc)
{
  PC pc;

  PetscFunctionBeginUser;
  if (th->nplates > 0 ||
      th->ncavities > 0) { /* the coolant makes the operator non-symmetric: GMRES, right-preconditioned so that it tests the true residual */
    PetscCall(KSPSetType(ksp, KSPGMRES));
    PetscCall(KSPSetPCSide(ksp, PC_RIGHT));
  } else PetscCall(KSPSetType(ksp, KSPCG));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ksp, 1e-10, 1e-300, PETSC_DEFAULT, 1000));
  if (!with_pc) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(KSPGetPC(ksp, &pc));
  if (th->ncavities > 0) PetscCall(PhThermalSetUpCoolantPC_Private(th, pc)); /* sweep, multigrid, sweep (thermal_channel.c) */
  else PetscCall(PhThermalSetUpMG_Private(th, pc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The integrator's state is the rise theta = T - T_ref, so that its relative tolerance acts on rises, not on kelvin:
  F = C theta' + A(T) T - b(t, T) with T = theta + T_ref. The scale of the heat, ||b - A 1 T_ref||, is kept for the
  linear convergence test.
*/
static PetscErrorCode PhIFunction(TS ts, PetscReal t, Vec theta, Vec thetadot, Vec F, void *ctx)
{
  PhThermal th = (PhThermal)ctx;

  PetscFunctionBeginUser;
  (void)ts;
  PetscCall(VecCopy(theta, th->Tabs));
  PetscCall(VecShift(th->Tabs, th->t_ref));
  if (th->nonlinear_k) PetscCall(PhThermalApplyNonlinear_Private(th, th->Tabs, F)); /* k(T) at these temperatures, unassembled */
  else PetscCall(PhThermalMultA_Private(th, th->Tabs, F));
  PetscCall(VecPointwiseMult(th->work, th->capacity, thetadot));
  PetscCall(VecAXPY(F, 1.0, th->work));
  PetscCall(PhThermalRHS_Private(th, t, th->Tabs, PETSC_TRUE, th->rhs));
  PetscCall(VecAXPY(F, -1.0, th->rhs));
  PetscCall(VecAXPY(th->rhs, -th->t_ref, th->gbc));
  PetscCall(VecNorm(th->rhs, NORM_2, &th->bnorm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  J = shift C + A(T), put on A's diagonal; leakage is left out (Picard). The preconditioner is reused while the shift
  stays within a factor 2 of the one it was built for (DESIGN §5): SNES decides after this callback, from its lag
  setting, so -2 rebuilds it once and -1 keeps it.
*/
static PetscErrorCode PhIJacobian(TS ts, PetscReal t, Vec theta, Vec thetadot, PetscReal shift, Mat Amat, Mat Pmat, void *ctx)
{
  PhThermal th      = (PhThermal)ctx;
  PetscBool rebuild = (PetscBool) !(th->pc_shift > 0 && shift <= 2 * th->pc_shift && shift >= 0.5 * th->pc_shift);
  SNES      snes;

  PetscFunctionBeginUser;
  th->plate_t    = t; /* the coolant flow of the step, in J */
  th->plate_left = PETSC_TRUE;
  (void)thetadot;
  (void)Amat;
  (void)Pmat;
  PetscCall(TSGetSNES(ts, &snes));
  PetscCall(SNESSetLagPreconditioner(snes, rebuild ? -2 : -1));
  if (rebuild) th->pc_shift = shift;
  if (th->nonlinear_k) {
    PetscReal drift;

    PetscCall(VecCopy(theta, th->Tabs));
    PetscCall(VecShift(th->Tabs, th->t_ref));
    PetscCall(PhThermalConductanceDrift_Private(th, th->Tabs, &drift));
    if (drift > th->k_lag) { /* otherwise J keeps the conductances of an earlier step: Picard converges to the same answer */
      PetscCall(PhThermalAssemble_Private(th, th->Tabs));
    }
  }
  PetscCall(PhThermalSetShift_Private(th, shift));
  if (rebuild) {
    KSP ksp;
    PC  pc;

    PetscCall(SNESGetKSP(snes, &ksp));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PhThermalUpdateMG_Private(th, pc));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Converged when the residual falls below rtol times its initial norm (-ksp_rtol) or below -ph_ksp_floor (1e-6) times
  the heat the step carries: once the temperatures have settled, a step's residual is already tiny, and iterating it
  down by rtol again would buy accuracy far below the integrator's own tolerance.
*/
typedef struct {
  PhThermal th;
  void     *dctx;
  PetscReal floor;
} PhConvergedCtx;

static PetscErrorCode PhKSPConverged(KSP ksp, PetscInt it, PetscReal rnorm, KSPConvergedReason *reason, void *ctx)
{
  PhConvergedCtx *c = (PhConvergedCtx *)ctx;

  PetscFunctionBeginUser;
  PetscCall(KSPConvergedDefault(ksp, it, rnorm, reason, c->dctx));
  if (*reason == KSP_CONVERGED_ITERATING && rnorm <= c->floor * c->th->bnorm) *reason = KSP_CONVERGED_ATOL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The nonlinear iteration (k(T), leakage) stops at 1e-9 of its initial residual or at twice the linear floor, below
   which a Picard iteration makes no further progress. */
static PetscErrorCode PhSNESConverged(SNES snes, PetscInt it, PetscReal xnorm, PetscReal snorm, PetscReal fnorm, SNESConvergedReason *reason,
                                      void *ctx)
{
  PhConvergedCtx *c = (PhConvergedCtx *)ctx;

  PetscFunctionBeginUser;
  PetscCall(SNESConvergedDefault(snes, it, xnorm, snorm, fnorm, reason, NULL));
  if (*reason == SNES_CONVERGED_ITERATING && it > 0 && fnorm <= 2 * c->floor * c->th->bnorm) *reason = SNES_CONVERGED_FNORM_ABS;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhKSPConvergedDestroy(void *ctx)
{
  PhConvergedCtx *c = (PhConvergedCtx *)ctx;

  PetscFunctionBeginUser;
  PetscCall(KSPConvergedDefaultDestroy(c->dctx));
  PetscCall(PetscFree(c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Whether the step is fixed (-ts_adapt_type none): then it is time.dt between landings (PhPreStep). */
static PetscErrorCode PhFixedStep(TS ts, PetscBool *fixed)
{
  TSAdapt     adapt;
  TSAdaptType type;

  PetscFunctionBeginUser;
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(TSAdaptGetType(adapt, &type));
  *fixed = (PetscBool)!strcmp(type, TSADAPTNONE);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* After every accepted step: energy integrals by the integrator's own quadrature (end point for backward Euler). */
static PetscErrorCode PhPostStep(TS ts)
{
  PhThermal   th;
  PetscBool   fixed;
  PetscReal   t, tprev, dt, next;
  PhHeatRates rates;
  Vec         theta, T, F;
  PetscScalar rsum;

  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &th));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetPrevTime(ts, &tprev));
  PetscCall(TSGetSolution(ts, &theta));
  T = th->T;
  PetscCall(VecCopy(theta, T));
  PetscCall(VecShift(T, th->t_ref));
  dt = t - tprev;
  PetscCall(PhThermalRates(th, t, T, PETSC_TRUE, &rates));
  th->energy.generated += dt * rates.generated;
  th->energy.out += dt * rates.out;
  th->energy.flux_in += dt * rates.flux_in;
  /* the residual of the step's equations, C (T - Tprev)/dt + A T - b: what inexact solves leave in the balance */
  PetscCall(VecDuplicate(T, &F));
  PetscCall(VecWAXPY(th->rate, -1.0, th->Tprev, T));
  PetscCall(VecScale(th->rate, 1.0 / dt));
  PetscCall(TSComputeIFunction(ts, t, theta, th->rate, F, PETSC_FALSE));
  PetscCall(VecSum(F, &rsum));
  PetscCall(VecDestroy(&F));
  th->energy.residual += dt * PetscRealPart(rsum);
  PetscCall(VecCopy(T, th->Tprev));
  PetscCall(PhThermalCheckState_Private(th, t, T));
  th->steps++;
  th->t = t;
  PetscCall(TSGetTimeStep(ts, &next));
  PetscCall(PhFixedStep(ts, &fixed));
  if (!fixed && t < th->segment_end - 1e-12 * PetscMax(1.0, t)) th->dt_natural = next; /* steps cut short to land keep the natural size */
  if (th->monitor != NULL) PetscCall(th->monitor(th->monitor_ctx, th->t, th->steps));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Before every step: a step that would stop short of the landing time by less than 0.1% of itself is stretched to land,
   so that rounding (0.0017 + 1e-4 vs 18 * 1e-4) never leaves a sliver step of 1e-19 s. A fixed step is time.dt
   whatever the step before it was (PETSc halves the step when less than two remain before a landing, and a landing
   cuts one short): only the step that lands differs. */
static PetscErrorCode PhPreStep(TS ts)
{
  PhThermal th;
  PetscReal t, dt, tmax;
  PetscBool fixed;

  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &th));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetTimeStep(ts, &dt));
  PetscCall(TSGetMaxTime(ts, &tmax));
  PetscCall(PhFixedStep(ts, &fixed));
  if (fixed) {
    dt = th->problem->time.dt;
    PetscCall(TSSetTimeStep(ts, t + dt > tmax - 1e-3 * dt ? tmax - t : dt));
  } else if (t + dt < tmax && tmax - (t + dt) < 1e-3 * dt) PetscCall(TSSetTimeStep(ts, tmax - t));
  PetscCall(TSGetTimeStep(ts, &dt));
  PetscCheck(t + dt > t, th->comm, PETSC_ERR_NOT_CONVERGED, "the time loop made no progress at t = %.17g s: a step of %.3g s does not change t",
             (double)t, (double)dt);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The scale of the case's temperature rise, K, for the integrator's absolute tolerance: the larger of the initial
  field's largest rise over T_ref and the rise that every source at its largest power (leakage at its p_ref), every
  heat input at its magnitude and every flux face at its largest value would cause together: their steady rise (one
  steady solve, boundaries at their ambient), or, when no boundary takes heat out, the mean rise their heat would
  cause by time.end. 0 when nothing heats the case and it starts at T_ref.
*/
static PetscErrorCode PhThermalRiseScale(PhThermal th, PetscReal *rise)
{
  PhCase      pb = th->problem;
  PetscReal  *power, lo, hi;
  PetscScalar gsum, heat, ***qv;
  Vec         q, x;

  PetscFunctionBeginUser;
  PetscCall(VecMax(th->T, NULL, &hi));
  PetscCall(VecMin(th->T, NULL, &lo));
  *rise = PetscMax(hi - th->t_ref, th->t_ref - lo);
  if (*rise <= 1e-9 * PetscMax(PetscAbsReal(hi), PetscAbsReal(lo))) *rise = 0; /* a uniform start: its rise is rounding */
  PetscCall(VecDuplicate(th->T, &q));
  PetscCall(VecDuplicate(th->T, &x));
  PetscCall(VecSet(q, 0));
  PetscCall(PetscMalloc1(PetscMax(pb->nsources, 1), &power));
  for (PetscInt s = 0; s < pb->nsources; s++)
    power[s] = PhSignalMaxAbs(&pb->sources[s].power) + (pb->sources[s].has_leakage ? pb->sources[s].leak_p_ref : 0);
  PetscCall(PhThermalAddSourceHeat_Private(th, power, q));
  PetscCall(PetscFree(power));
  if (th->ninput > 0) {
    PetscCall(VecSet(x, 0));
    PetscCall(PhThermalSpreadInputs_Private(th, th->input_amp, x));
    PetscCall(VecAXPY(q, 1.0, x));
  }
  PetscCall(DMDAVecGetArray(th->da, q, &qv));
  for (PetscInt p = 0; p < th->npatches; p++) {
    const PhPatch  *pa = &th->patches[p];
    const PetscReal v  = PhSignalMaxAbs(&pa->bc->value);

    if (pa->bc->type != PH_BC_FLUX) continue;
    for (PetscInt c = 0; c < pa->n; c++) qv[pa->cell[c][2]][pa->cell[c][1]][pa->cell[c][0]] += pa->g[c] * v;
  }
  PetscCall(DMDAVecRestoreArray(th->da, q, &qv));
  PetscCall(VecSum(q, &heat));
  PetscCall(VecSum(th->gbc, &gsum));
  if (PetscRealPart(heat) > 0 && PetscRealPart(gsum) > 0) {
    PetscReal steady;

    PetscCall(PhThermalSolveResponse(th, q, x));
    PetscCall(VecMax(x, NULL, &steady));
    *rise = PetscMax(*rise, steady);
  } else if (PetscRealPart(heat) > 0) {
    PetscScalar capacity;

    PetscCall(VecSum(th->capacity, &capacity));
    *rise = PetscMax(*rise, PetscRealPart(heat) * pb->time.end / PetscRealPart(capacity));
  }
  PetscCall(VecDestroy(&q));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The time integrator: backward Euler with basic adaptivity (absolute tolerance -ph_atol_fraction (1e-4) of the case's rise
  scale, PhThermalRiseScale(), or 0.01 K when it has none; relative 1e-3 of the rise), each step's solve starting from
  the extrapolation of the previous step (-ts_theta_initial_guess_extrapolate: 6% fewer preconditioner applications
  on the examples, benchmarks/README.md section 10), a linear
  solve per step unless k(T) or leakage make it nonlinear (then Picard iterations to 1e-9). Its state is the rise
  T - T_ref. Linear solves stop at -ksp_rtol (1e-5) of the step's initial residual or at -ph_ksp_floor (1e-6) of the
  step's heat. Steps are at most time.dt_max; an adaptive run starts with time.dt / 100, a fixed one (-ts_adapt_type
  none) keeps time.dt. Every -ts_, -snes_, -ksp_ and -pc_ option overrides the defaults.
*/
PetscErrorCode PhThermalCreateTS_Private(PhThermal th, PetscReal rise)
{
  TS          ts;
  TSAdapt     adapt;
  SNES        snes;
  KSP         ksp;
  PetscBool   nonlinear = (PetscBool)(th->nonlinear_k || th->leakage);
  TSType      type;
  TSAdaptType atype;
  PetscBool   guess_set;

  PetscFunctionBeginUser;
  PetscCall(TSCreate(th->comm, &ts));
  th->ts = ts;
  PetscCall(TSSetDM(ts, th->da));
  PetscCall(TSSetProblemType(ts, nonlinear ? TS_NONLINEAR : TS_LINEAR));
  PetscCall(TSSetType(ts, TSBEULER));
  PetscCall(TSSetIFunction(ts, NULL, PhIFunction, th));
  {
    Mat op;

    PetscCall(PhThermalOperator_Private(th, 0.0, PETSC_TRUE, &op));
    PetscCall(TSSetIJacobian(ts, op, th->A, PhIJacobian, th));
  }
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetMaxSteps(ts, PETSC_MAX_INT));
  th->atol = rise > 0 ? th->atol_fraction * rise : 0.01;
  PetscCall(PetscInfo(NULL, "time integrator: absolute tolerance %g K (rise scale %g K)\n", (double)th->atol, (double)rise));
  PetscCall(TSSetTolerances(ts, th->atol, NULL, 1e-3, NULL));
  PetscCall(TSSetMaxSNESFailures(ts, 20));
  PetscCall(TSSetMaxStepRejections(ts, 50));
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTBASIC));
  PetscCall(TSGetSNES(ts, &snes));
  if (nonlinear) {
    SNESLineSearch ls;

    PetscCall(SNESSetType(snes, SNESNEWTONLS));
    PetscCall(SNESGetLineSearch(snes, &ls));
    PetscCall(SNESLineSearchSetType(ls, SNESLINESEARCHBASIC));
    PetscCall(SNESSetTolerances(snes, 1e-50, 1e-9, 1e-12, 50, PETSC_MAX_INT));
    PetscCall(SNESSetLagJacobian(snes, 1000)); /* Picard: J = shift C + A(T) at each step's first iterate, kept for the step */
  } else PetscCall(SNESSetType(snes, SNESKSPONLY));
  PetscCall(SNESSetLagPreconditionerPersists(snes, PETSC_TRUE));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(PhThermalConfigureKSP_Private(th, ksp, PETSC_TRUE));
  PetscCall(KSPSetTolerances(ksp, 1e-5, 1e-300, PETSC_DEFAULT, 1000));
  {
    PhConvergedCtx *c;

    PetscCall(PetscNew(&c));
    c->th    = th;
    c->floor = th->ksp_floor;
    PetscCall(KSPConvergedDefaultCreate(&c->dctx));
    PetscCall(KSPSetConvergenceTest(ksp, PhKSPConverged, c, PhKSPConvergedDestroy));
    if (nonlinear) PetscCall(SNESSetConvergenceTest(snes, PhSNESConverged, c, NULL));
  }
  PetscCall(TSSetApplicationContext(ts, th));
  PetscCall(TSSetPreStep(ts, PhPreStep));
  PetscCall(TSSetPostStep(ts, PhPostStep));
  PetscCall(TSSetTime(ts, 0.0));
  PetscCall(TSAdaptSetStepLimits(adapt, PETSC_DEFAULT, th->problem->time.dt_max));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_theta_initial_guess_extrapolate", &guess_set));
  if (!guess_set) PetscCall(PetscOptionsSetValue(NULL, "-ts_theta_initial_guess_extrapolate", "true"));
  PetscCall(TSSetFromOptions(ts));
  if (!guess_set) PetscCall(PetscOptionsClearValue(NULL, "-ts_theta_initial_guess_extrapolate")); /* not a user's unused option with -ts_type bdf */
  PetscCall(TSGetType(ts, &type));
  PetscCall(TSAdaptGetType(adapt, &atype));
  th->energy.exact = (PetscBool)(!strcmp(type, TSBEULER)); /* end-point quadrature is the integrator's own for backward Euler */
  /* backward Euler's error estimate needs a previous step, so an adaptive run starts with a step 100 times smaller
     than time.dt (its error then 1e4 times smaller) and lets the adaptivity grow it; fixed steps keep time.dt */
  th->dt_natural = strcmp(atype, TSADAPTNONE) ? th->problem->time.dt / 100 : th->problem->time.dt;
  PetscCall(TSSetTimeStep(ts, th->dt_natural));
  PetscCall(VecCopy(th->T, th->Tprev));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The next time after t at which an input changes: a source power or a boundary value (DESIGN §3.6). */
PetscErrorCode PhThermalNextInputChange_Private(PhThermal th, PetscReal t, PetscReal *t_next)
{
  PhCase    pb   = th->problem;
  PetscReal best = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
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
      if (pb->boundaries[f].conditions[q].type != PH_BC_COLD_PLATE) continue;
      PetscCall(PhSignalNextBreak(&pb->boundaries[f].conditions[q].flow, t, &b));
      best = PetscMin(best, b);
    }
  *t_next = best;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The time loop never stalls: an interval to the next landing, or a step, that does not move the time forward (a NaN
  or past landing, a step below the resolution of t) is an error (exit 1) that names t and the reason, instead of a run
  that never ends. The loader keeps inputs from causing it (PhSignalCheckTiming, cases/README.md section 18).
*/
static PetscErrorCode PhThermalCheckProgress(PhThermal th, PetscReal t0, PetscReal t1, const char reason[])
{
  PetscFunctionBeginUser;
  PetscCheck(t1 > t0, th->comm, PETSC_ERR_NOT_CONVERGED, "the time loop made no progress at t = %.17g s (to %.17g s): %s", (double)t0, (double)t1,
             reason);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Advance the temperature field from its time to t_land (s), landing on every change of an input in between.
  The first call frees the steady solver and sets up the integrator (options -ts_, -snes_, -ksp_, -pc_).

  Collective. Fails (exit 1) when the integrator fails or the field runs away.
**/
PetscErrorCode PhThermalAdvance(PhThermal th, PetscReal t_land)
{
  const PetscReal eps = 1e-12 * PetscMax(1.0, th->problem->time.end);

  PetscFunctionBeginUser;
  if (th->reduce) {
    if (th->reduced == NULL) PetscCall(PhThermalReducedBuild_Private(th));
    while (th->t < t_land - eps) {
      PetscReal t_next, t0 = th->t;

      PetscCall(PhThermalNextInputChange_Private(th, th->t, &t_next));
      PetscCall(PhThermalCheckProgress(th, t0, PetscMin(t_next, t_land), "the next landing is not after it"));
      PetscCall(PhThermalReducedAdvance_Private(th, PetscMin(t_next, t_land)));
      PetscCall(PhThermalCheckProgress(th, t0, th->t, "the reduced model's step did not advance the time"));
      if (th->monitor != NULL) PetscCall(th->monitor(th->monitor_ctx, th->t, th->steps));
    }
    if (th->check != NULL) PetscCall(PhThermalReducedCheck_Private(th));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (th->ts == NULL) {
    PetscReal rise = 0;

    PetscCall(PhThermalRiseScale(th, &rise));
    PetscCall(KSPDestroy(&th->ksp)); /* the steady solver's multigrid hierarchy is no longer needed */
    PetscCall(PhThermalCreateTS_Private(th, rise));
  }
  while (th->t < t_land - eps) {
    PetscReal         t_next = 0, dt = 0, t0 = th->t;
    TSConvergedReason reason;

    PetscCall(PhThermalNextInputChange_Private(th, th->t, &t_next));
    t_next = PetscMin(t_next, t_land);
    PetscCall(PhThermalCheckProgress(th, t0, t_next, "the next landing is not after it"));
    th->segment_end = t_next;
    PetscCall(TSGetTimeStep(th->ts, &dt));
    PetscCall(TSSetTimeStep(th->ts, PetscMax(dt, th->dt_natural)));
    PetscCall(TSSetMaxTime(th->ts, t_next));
    PetscCall(VecCopy(th->T, th->theta));
    PetscCall(VecShift(th->theta, -th->t_ref));
    PetscCall(TSSolve(th->ts, th->theta));
    PetscCall(TSGetConvergedReason(th->ts, &reason));
    PetscCheck(reason >= 0, th->comm, PETSC_ERR_NOT_CONVERGED,
               "the time integrator failed at t = %.6g s after %d steps (%s); try a smaller time.dt or -ts_type beuler", (double)th->t,
               (int)th->steps, TSConvergedReasons[reason]);
    PetscCall(TSGetTime(th->ts, &th->t));
    PetscCall(VecCopy(th->theta, th->T));
    PetscCall(VecShift(th->T, th->t_ref));
    PetscCall(PhThermalCheckProgress(th, t0, th->t, "the integrator ended the interval without advancing the time"));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read the thermal options: -ph_ksp_floor (linear solves of a step stop at this fraction of its heat, 1e-6),
  -ph_reduced_check WINDOW (the reduced model checked against the full one over [0, WINDOW] s, 0 for the whole run)
  and -ph_mg_coarsen_factor (cells merged per direction by the multigrid, 3). Listed by -help.

  Collective.
**/
PetscErrorCode PhThermalSetFromOptions(PhThermal th)
{
  PetscFunctionBeginUser;
  PetscOptionsBegin(th->comm, NULL, "photherm thermal solver", "PhThermal");
  PetscCall(PetscOptionsReal("-ph_ksp_floor", "linear solves of a time step stop at this fraction of the heat the step carries", "PhThermalAdvance",
                             th->ksp_floor, &th->ksp_floor, NULL));
  PetscCall(PetscOptionsReal(
    "-ph_reduced_check", "with time.method: reduced, also run the full model over [0, window] s and report the largest difference (0: the whole run)",
    "PhThermalAdvance", th->check_window, &th->check_window, NULL));
  {
    char      path[PETSC_MAX_PATH_LEN];
    PetscBool set;

    PetscCall(PetscOptionsString("-ph_reduced_model", "with time.method: reduced, the model file of photherm reduce to use", "PhThermalAdvance", "",
                                 path, sizeof(path), &set));
    if (set) {
      PetscCall(PetscFree(th->model_path));
      PetscCall(PetscStrallocpy(path, &th->model_path));
    }
    PetscCall(PetscOptionsString("-ph_reduced_cache",
                                 "with time.method: reduced, a directory of models: reuse the one built for the same mesh, materials, "
                                 "boundaries and sources, or build it and leave it there",
                                 "PhThermalAdvance", "", path, sizeof(path), &set));
    if (set) {
      PetscCall(PetscFree(th->cache_dir));
      PetscCall(PetscStrallocpy(path, &th->cache_dir));
      th->any_trace = PETSC_TRUE; /* the model serves other runs */
    }
    PetscCall(PetscOptionsBool("-ph_reduced_any_trace",
                               "with time.method: reduced, check the basis in time for every trace the inputs could follow (as for a model "
                               "that photherm reduce or -ph_reduced_cache keeps for other runs) rather than for the run's own inputs",
                               "PhThermalAdvance", th->any_trace, &th->any_trace, NULL));
  }
  PetscCall(PetscOptionsReal("-ph_atol_fraction",
                             "the time integrator's absolute tolerance as a fraction of the case's rise scale (-ts_atol sets it in kelvin instead)",
                             "PhThermalAdvance", th->atol_fraction, &th->atol_fraction, NULL));
  PetscCall(PetscOptionsReal("-ph_reduced_k_lag",
                             "with time.method: reduced and k(T): re-form the reduced operator at the present field when some conductance may "
                             "have moved by more than this since it was last frozen (default: derived from the freeze bound and the tolerance; 0: "
                             "frozen once, at the mean power)",
                             "PhThermalAdvance", th->reduced_k_lag, &th->reduced_k_lag, NULL));
  PetscCall(PetscOptionsInt("-ph_reduced_k_tiles",
                            "with time.method: reduced and k(T): the conductivity of each k(T) block, layer and material follows the mean "
                            "temperature of each of up to N x N lateral tiles of it, as a correction of the frozen operator at every sample "
                            "(0: re-form the operator instead, -ph_reduced_k_lag)",
                            "PhThermalAdvance", th->reduced_k_tiles, &th->reduced_k_tiles, NULL));
  PetscCall(PetscOptionsInt("-ph_reduced_k_bins",
                            "with time.method: reduced and k(T): the regions of -ph_reduced_k_tiles are also split into N bins of the steady "
                            "temperature at the highest powers",
                            "PhThermalAdvance", th->reduced_k_bins, &th->reduced_k_bins, NULL));
  PetscCall(PetscOptionsReal("-ph_k_lag",
                             "with k(T), the time integrator's Jacobian keeps its conductances until one has changed by more than this fraction "
                             "(the residual always uses k at the current temperatures)",
                             "PhThermalAdvance", th->k_lag, &th->k_lag, NULL));
  {
    PetscBool stencil = (PetscBool)(th->sg != NULL);

    PetscCall(PetscOptionsBool("-ph_stencil",
                               "without coolant, the linear solves apply the conductance operator as a 7-point stencil (false: the assembled "
                               "sparse matrix, the same entries)",
                               "PhThermalSetFromOptions", stencil, &stencil, NULL));
    if (!stencil) PetscCall(PhThermalStencilDestroy_Private(th));
  }
  PetscCall(PetscOptionsInt("-ph_mg_coarsen_factor", "cells merged per direction from one multigrid level to the next", "PhThermalSetFromOptions",
                            th->mg_coarsen_factor, &th->mg_coarsen_factor, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Call `monitor` after every accepted step (NULL: none).

  Logically collective.
**/
PetscErrorCode PhThermalSetMonitor(PhThermal th, PhThermalMonitorFn *monitor, void *ctx)
{
  PetscFunctionBeginUser;
  th->monitor     = monitor;
  th->monitor_ctx = ctx;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The time of the temperature field (s) and the steps accepted so far; either may be NULL.

  Not collective.
**/
PetscErrorCode PhThermalGetTime(PhThermal th, PetscReal *t, PetscInt *steps)
{
  PetscFunctionBeginUser;
  if (t != NULL) *t = th->t;
  if (steps != NULL) *steps = th->steps;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalDestroyState_Private(PhThermal th)
{
  PetscFunctionBeginUser;
  PetscCall(TSDestroy(&th->ts));
  PetscCall(VecDestroy(&th->T));
  PetscCall(VecDestroy(&th->T0));
  PetscCall(VecDestroy(&th->Tprev));
  PetscCall(VecDestroy(&th->theta));
  PetscCall(VecDestroy(&th->rate));
  PetscFunctionReturn(PETSC_SUCCESS);
}
