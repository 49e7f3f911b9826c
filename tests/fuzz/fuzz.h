/*
  tests/fuzz/fuzz.h - what the libFuzzer harnesses share: PETSc started once, without its signal handler (so that the
  sanitizers see a crash first), and the rule that bad input is never a PETSc error.

  Each harness is one LLVMFuzzerTestOneInput() over one parser; `make fuzz` builds them with clang and runs each.
*/
#pragma once

#include <petscsys.h>
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A PETSc error from a parser is a bug (bad input must become diagnostics), so it ends the run as a crash. */
#define PH_FUZZ_CALL(call) \
  do { \
    if ((call) != 0) { \
      fprintf(stderr, "fuzz: %s failed with a PETSc error: bad input must be a diagnostic\n", #call); \
      abort(); \
    } \
  } while (0)

/* PETSc (and MPI as a singleton) once per process; no PETSc signal handler, no malloc tracing. */
static inline int PhFuzzInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  (void)setenv("OMPI_MCA_btl", "self", 0); /* no shared-memory or network transports for a one-process job */
  __lsan_disable();                        /* what MPI allocates at start-up lives as long as the process: not a leak of photherm's */
  if (PetscOptionsSetValue(NULL, "-no_signal_handler", NULL) || PetscInitializeNoArguments()) abort();
  __lsan_enable();
  return 0;
}

/* The input as a NUL-terminated string (cut at its first NUL, as a C parser sees it); free() it. */
static inline char *PhFuzzString(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);

  if (s == NULL) abort();
  memcpy(s, data, size);
  s[size] = '\0';
  return s;
}
