/* The coupling of the run to the optics (PHYSICS.md): with no lasers or rings, the steady state is a thermal solve. */
#include "sim_impl.h"

PetscErrorCode PhOpticsCreate_Private(PhSim sim)
{
  PetscFunctionBeginUser;
  sim->optics = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The steady state at t = 0 (DESIGN §3.7). */
PetscErrorCode PhOpticsSteady_Private(PhSim sim)
{
  PetscFunctionBeginUser;
  PetscCall(PhThermalSolveSteady(sim->thermal, 0, sim->T));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhOpticsBeforeSegment_Private(PhSim sim)
{
  PetscFunctionBeginUser;
  (void)sim;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhOpticsSample_Private(PhSim sim)
{
  PetscFunctionBeginUser;
  (void)sim;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhOpticsWrite_Private(PhSim sim)
{
  PetscFunctionBeginUser;
  (void)sim;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhOpticsDestroy_Private(PhSim sim)
{
  PetscFunctionBeginUser;
  (void)sim;
  PetscFunctionReturn(PETSC_SUCCESS);
}
