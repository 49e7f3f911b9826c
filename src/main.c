/* photherm: parallel finite-volume heat flow in chip-package stacks with co-packaged optics. The program entry only. */
#include <photherm/cli.h>
#include <photherm/sys.h>

static const char help[] = "photherm: heat flow in chip-package stacks with co-packaged optics. Run photherm --help for its usage.\n";

int main(int argc, char **argv)
{
  PhCliArgs args;
  int       exit_code = PH_EXIT_SUCCESS;

  if (PhCliParse(argc, argv, &args) != 0) return PH_EXIT_FAILURE;
  PhMPISingletonIsolated();
  if (PetscInitialize(&args.petsc_argc, &args.petsc_argv, NULL, help) != PETSC_SUCCESS) return PH_EXIT_FAILURE;
  PhBlasOneThread();
  if (PetscPushErrorHandler(PhCliErrorHandler, NULL) != PETSC_SUCCESS) return PH_EXIT_FAILURE;
  /* PhCliRun() sets PH_EXIT_BAD_INPUT after printing every diagnostic; a PETSc error means the run failed. */
  if (PhCliRun(&args, &exit_code) != PETSC_SUCCESS) exit_code = PH_EXIT_FAILURE;
  if (PetscPopErrorHandler() != PETSC_SUCCESS) exit_code = PH_EXIT_FAILURE;
  if (PetscFinalize() != PETSC_SUCCESS) exit_code = PH_EXIT_FAILURE;
  PhCliArgsFree(&args);
  return exit_code;
}
