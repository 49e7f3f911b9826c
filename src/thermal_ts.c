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

/* F = C Tdot + A(T) T - b(t, T) */
static PetscErrorCode PhIFunction(TS ts, PetscReal t, Vec T, Vec Tdot, Vec F, void *ctx)
{
  PhThermal th = (PhThermal)ctx;

  PetscFunctionBeginUser;
  (void)ts;
  if (th->nonlinear_k) PetscCall(PhThermalAssemble_Private(th, T));
  PetscCall(MatMult(th->A, T, F));
  PetscCall(VecPointwiseMult(th->work, th->capacity, Tdot));
  PetscCall(VecAXPY(F, 1.0, th->work));
  PetscCall(PhThermalRHS_Private(th, t, T, PETSC_TRUE, th->rhs));
  PetscCall(VecAXPY(F, -1.0, th->rhs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  J = shift C + A(T); leakage is left out (Picard). J is rebuilt only when the shift or k(T) changes, and the
  preconditioner is reused while the shift stays within a factor 2 of the one it was built for (DESIGN §5).
*/
static PetscErrorCode PhIJacobian(TS ts, PetscReal t, Vec T, Vec Tdot, PetscReal shift, Mat Amat, Mat Pmat, void *ctx)
{
  PhThermal th = (PhThermal)ctx;
  SNES      snes;

  PetscFunctionBeginUser;
  (void)t;
  (void)Tdot;
  (void)Amat;
  (void)Pmat;
  PetscCall(TSGetSNES(ts, &snes));
  /* SNES decides about the preconditioner after this callback: -2 rebuilds it once, -1 keeps it */
  if (th->pc_shift > 0 && shift <= 2 * th->pc_shift && shift >= 0.5 * th->pc_shift) PetscCall(SNESSetLagPreconditioner(snes, -1));
  else {
    PetscCall(SNESSetLagPreconditioner(snes, -2));
    th->pc_shift = shift;
  }
  if (!th->nonlinear_k && shift == th->jac_shift) PetscFunctionReturn(PETSC_SUCCESS);
  if (th->nonlinear_k) PetscCall(PhThermalAssemble_Private(th, T));
  PetscCall(MatCopy(th->A, th->J, SAME_NONZERO_PATTERN));
  PetscCall(VecCopy(th->capacity, th->work));
  PetscCall(VecScale(th->work, shift));
  PetscCall(MatDiagonalSet(th->J, th->work, ADD_VALUES));
  th->jac_shift = shift;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Create the time integrator: backward Euler with basic adaptivity (absolute 0.01 K, relative 1e-3), a linear
  solve per step unless k(T) or leakage make it nonlinear (then Picard iterations to 1e-9). Every -ts_, -snes_,
  -ksp_ and -pc_ option overrides the defaults.

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
  PetscCall(TSSetIJacobian(ts, th->J, th->J, PhIJacobian, th));
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
  } else PetscCall(SNESSetType(snes, SNESKSPONLY));
  PetscCall(SNESSetLagPreconditionerPersists(snes, PETSC_TRUE));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(PhThermalConfigureKSP_Private(th, ksp));
  PetscCall(KSPSetTolerances(ksp, 1e-8, 1e-300, PETSC_DEFAULT, 1000));
  *ts_out = ts;
  PetscFunctionReturn(PETSC_SUCCESS);
}
