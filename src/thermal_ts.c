/* The transient: PETSc TS on C dT/dt + A(T) T - b(t, T) = 0, and the linear solver defaults (DESIGN §5). */
#include "thermal_impl.h"

/**
  Defaults of every linear solve: CG on the unpreconditioned residual with the multigrid preconditioner chosen by the
  benchmarks (benchmarks/README.md); every -ksp_ and -pc_ option overrides them.
**/
PetscErrorCode PhThermalConfigureKSP_Private(PhThermal th, KSP ksp)
{
  PC pc;

  PetscFunctionBeginUser;
  PetscCall(KSPSetType(ksp, KSPCG));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ksp, 1e-10, 1e-300, PETSC_DEFAULT, 1000));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PhThermalSetUpMG_Private(th, pc));
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
  (void)t;
  (void)thetadot;
  (void)Amat;
  (void)Pmat;
  PetscCall(TSGetSNES(ts, &snes));
  PetscCall(SNESSetLagPreconditioner(snes, rebuild ? -2 : -1));
  if (rebuild) th->pc_shift = shift;
  if (th->nonlinear_k) {
    PetscCall(VecCopy(theta, th->Tabs));
    PetscCall(VecShift(th->Tabs, th->t_ref));
    PetscCall(PhThermalAssemble_Private(th, th->Tabs));
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

/**
  @brief Create the time integrator: backward Euler with basic adaptivity (absolute 0.01 K, relative 1e-3 of the rise),
  a linear solve per step unless k(T) or leakage make it nonlinear (then Picard iterations to 1e-9). Its state is the
  rise T - T_ref (PhThermalSetReference()). Linear solves stop at -ksp_rtol (1e-5) of the step's initial residual or
  at -ph_ksp_floor (1e-6) of the step's heat. Every -ts_, -snes_, -ksp_ and -pc_ option overrides the defaults.

  Collective.
**/
PetscErrorCode PhThermalCreateTS(PhThermal th, TS *ts_out)
{
  TS        ts;
  TSAdapt   adapt;
  SNES      snes;
  KSP       ksp;
  PetscBool nonlinear = (PetscBool)(th->nonlinear_k || th->leakage);

  PetscFunctionBeginUser;
  PetscCall(TSCreate(th->comm, &ts));
  PetscCall(TSSetDM(ts, th->da));
  PetscCall(TSSetProblemType(ts, nonlinear ? TS_NONLINEAR : TS_LINEAR));
  PetscCall(TSSetType(ts, TSBEULER));
  PetscCall(TSSetIFunction(ts, NULL, PhIFunction, th));
  PetscCall(TSSetIJacobian(ts, th->A, th->A, PhIJacobian, th));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetMaxSteps(ts, PETSC_MAX_INT));
  PetscCall(TSSetTolerances(ts, 0.01, NULL, 1e-3, NULL));
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
  PetscCall(PhThermalConfigureKSP_Private(th, ksp));
  PetscCall(KSPSetTolerances(ksp, 1e-5, 1e-300, PETSC_DEFAULT, 1000));
  {
    PhConvergedCtx *c;

    PetscCall(PetscNew(&c));
    c->th    = th;
    c->floor = 1e-6;
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-ph_ksp_floor", &c->floor, NULL));
    PetscCall(KSPConvergedDefaultCreate(&c->dctx));
    PetscCall(KSPSetConvergenceTest(ksp, PhKSPConverged, c, PhKSPConvergedDestroy));
    if (nonlinear) PetscCall(SNESSetConvergenceTest(snes, PhSNESConverged, c, NULL));
  }
  *ts_out = ts;
  PetscFunctionReturn(PETSC_SUCCESS);
}
