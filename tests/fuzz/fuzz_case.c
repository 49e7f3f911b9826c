/* tests/fuzz/fuzz_case.c - libFuzzer harness of the case loader: the input is the YAML text of a case, loaded from
   memory (PhCaseLoadString), validated, and freed; every problem must be a diagnostic, never a crash or a PETSc error. */
#include "fuzz.h"

#include <photherm/case.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return PhFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char  *text = PhFuzzString(data, size);
  PhDiag diag;
  PhCase problem = NULL;

  PH_FUZZ_CALL(PhDiagCreate(&diag));
  PH_FUZZ_CALL(PhCaseLoadString(PETSC_COMM_SELF, "fuzz.yaml", text, 0, NULL, diag, &problem));
  PH_FUZZ_CALL(PhCaseDestroy(&problem));
  PH_FUZZ_CALL(PhDiagDestroy(&diag));
  free(text);
  return 0;
}
