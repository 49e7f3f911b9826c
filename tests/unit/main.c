/* tests/unit/main.c - one runner for every suite. PETSc is initialised once; Check must not fork after MPI_Init. */
#include "ph_test.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
  SRunner *runner;
  int      failed;

  if (PetscInitialize(&argc, &argv, NULL, NULL) != PETSC_SUCCESS) return EXIT_FAILURE;
  runner = srunner_create(ph_units_suite());
  srunner_add_suite(runner, ph_signal_suite());
  srunner_add_suite(runner, ph_case_suite());
  srunner_add_suite(runner, ph_mesh_suite());
  srunner_add_suite(runner, ph_thermal_suite());
  srunner_add_suite(runner, ph_optics_suite());
  srunner_set_fork_status(runner, CK_NOFORK);
  srunner_run_all(runner, CK_NORMAL); /* CK_RUN_SUITE=units or CK_RUN_CASE=parse narrows the run; CK_TAP_LOG_FILE_NAME writes TAP */
  failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  if (PetscFinalize() != PETSC_SUCCESS) return EXIT_FAILURE;
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
