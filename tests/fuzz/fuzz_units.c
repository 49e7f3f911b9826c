/* tests/fuzz/fuzz_units.c - libFuzzer harness of the units and expression parser: the first byte picks the quantity a
   key expects, the rest is the value as written (with ${a}, ${t} and ${self} as parameters); the value is parsed,
   converted, formatted, and read as a trace header unit. */
#include "fuzz.h"

#include <photherm/units.h>

/* ${a} is 2 mm, ${t} 25 C; ${self} evaluates its own text again (bounded: a parameter of a parameter...). */
static PetscErrorCode Lookup(void *ctx, const char name[], PhQuantity *q, PetscBool *found, PetscBool *valid, char *reason, size_t reason_len)
{
  int *depth = (int *)ctx;

  PetscFunctionBeginUser;
  *found = PETSC_TRUE;
  *valid = PETSC_TRUE;
  if (!strcmp(name, "a")) PetscCall(PhUnitsEvaluate("2 mm", NULL, NULL, q, valid, reason, reason_len));
  else if (!strcmp(name, "t")) PetscCall(PhUnitsEvaluate("25 C", NULL, NULL, q, valid, reason, reason_len));
  else if (!strcmp(name, "self") && *depth < 3) {
    (*depth)++;
    PetscCall(PhUnitsEvaluate("${a} * 2 + 1 um", Lookup, ctx, q, valid, reason, reason_len));
    (*depth)--;
  } else *found = PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return PhFuzzInitialize(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  PhQuantityType type = size > 0 ? (PhQuantityType)(data[0] % PH_QT_COUNT_) : PH_QT_LENGTH;
  char          *text = PhFuzzString(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0);
  char           reason[600], buf[128];
  PhQuantity     q;
  PetscReal      value, scale, offset;
  PetscBool      valid;
  int            depth = 0;

  PH_FUZZ_CALL(PhUnitsParse(text, type, Lookup, &depth, &q, &value, &valid, reason, sizeof(reason)));
  if (valid) {
    PH_FUZZ_CALL(PhUnitsFormat(value, type, buf, sizeof(buf)));
    PH_FUZZ_CALL(PhUnitsFormatQuantity(&q, buf, sizeof(buf)));
  }
  PH_FUZZ_CALL(PhUnitsAffine(text, type, &scale, &offset, &valid, reason, sizeof(reason)));
  free(text);
  return 0;
}
