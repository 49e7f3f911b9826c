/* photherm import 3dice: a 3D-ICE 4 stack description and its floorplans as a photherm case (cases/README.md 19.2). */
#include "import_impl.h"

PetscErrorCode PhImport3DIce(MPI_Comm comm, int argc, char **argv, const char output[], int *exit_code)
{
  PetscFunctionBeginUser;
  (void)argc;
  (void)argv;
  (void)output;
  PetscCall(PetscFPrintf(comm, stderr, "photherm: error: import 3dice is not available yet\n"));
  *exit_code = PH_EXIT_BAD_INPUT;
  PetscFunctionReturn(PETSC_SUCCESS);
}
