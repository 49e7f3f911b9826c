/* tests/fuzz/fuzz_trace.c - libFuzzer harness of the CSV trace parser: the input is the text of a trace, written to a
   private temporary file that a minimal case names as the power of its source, column taken from the input's header
   (its second field), so that the parser, the header units, the row checks and the signal built from them all run. */
#include "fuzz.h"

#include <photherm/case.h>
#include <unistd.h>

static char path[512];

static void Cleanup(void)
{
  (void)unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  const char *dir = getenv("TMPDIR");

  (void)snprintf(path, sizeof(path), "%s/photherm-fuzz-trace-%ld.csv", dir != NULL && dir[0] ? dir : "/tmp", (long)getpid());
  (void)atexit(Cleanup);
  return PhFuzzInitialize(argc, argv);
}

/* The second field of the first line that is neither empty nor a comment, without its [unit]: a column to ask for. */
static void Column(const char *text, char *column, size_t len)
{
  const char *line = text, *c, *end;
  size_t      n;

  (void)snprintf(column, len, "power");
  while (*line == '#' || *line == '\n' || *line == '\r' || *line == ' ') {
    line += strcspn(line, "\n");
    if (*line) line++;
  }
  c = strchr(line, ',');
  if (c == NULL || c > line + strcspn(line, "\n")) return;
  c++;
  while (*c == ' ') c++;
  end = c + strcspn(c, ",[\r\n\"\\'");
  while (end > c && end[-1] == ' ') end--;
  n = (size_t)(end - c);
  if (n == 0 || n >= len) return;
  memcpy(column, c, n);
  column[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char  *text = PhFuzzString(data, size), column[64], *yaml;
  FILE  *fp   = fopen(path, "wb");
  PhDiag diag;
  PhCase problem = NULL;

  if (fp == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) abort();
  Column(text, column, sizeof(column));
  yaml = malloc(strlen(path) + 1024);
  if (yaml == NULL) abort();
  (void)sprintf(yaml,
                "version: 1\nname: fuzz\nmaterials: {si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}\n"
                "footprint: {x: [0, 1 mm], y: [0, 1 mm]}\nstack: [{name: die, thickness: 100 um, material: si}]\n"
                "boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 25 C}}\n"
                "sources: [{name: s, layer: die, x: [0, 1 mm], y: [0, 1 mm], power: {trace: \"%s\", column: \"%s\", repeat: %s}}]\n"
                "time: {end: 10 ms}\n",
                path, column, size % 2 ? "true" : "false");
  PH_FUZZ_CALL(PhDiagCreate(&diag));
  PH_FUZZ_CALL(PhCaseLoadString(PETSC_COMM_SELF, "fuzz.yaml", yaml, 0, NULL, diag, &problem));
  if (problem != NULL) { /* a trace the loader accepted: the signal built from it is evaluated and searched */
    for (PetscInt s = 0; s < problem->nsources; s++) {
      PetscReal t = 0, next;

      for (int i = 0; i < 64 && t < PETSC_INFINITY; i++) {
        (void)PhSignalEvaluate(&problem->sources[s].power, t);
        PH_FUZZ_CALL(PhSignalNextBreak(&problem->sources[s].power, t, &next));
        if (!(next > t)) break;
        t = next;
      }
    }
  }
  PH_FUZZ_CALL(PhCaseDestroy(&problem));
  PH_FUZZ_CALL(PhDiagDestroy(&diag));
  free(yaml);
  free(text);
  return 0;
}
