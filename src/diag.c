/* Diagnostics collector for bad input: one line per problem, all reported at once, sorted by position. */
#include <photherm/diag.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  char     *file;    /* NULL for problems without a file */
  PetscInt  line;    /* 1-based, 0 when unknown */
  PetscInt  column;  /* 1-based */
  PetscInt  order;   /* insertion order, for a stable sort */
  PetscInt  file_id; /* order in which files first appeared */
  PetscBool warning;
  char     *text; /* the whole line as printed */
} PhDiagEntry;

struct _p_PhDiag {
  PhDiagEntry *entries;
  PetscInt     n, cap;
  PetscInt     nerrors, nwarnings;
};

/**
  @brief Create an empty collector.

  Not collective.
**/
PetscErrorCode PhDiagCreate(PhDiag *diag)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(diag));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Copy s to out with every control character written as an escape (\n, \t, \r, \xNN), so that a value echoed
  in a message can neither split its line nor send a terminal escape sequence; UTF-8 (bytes >= 0x80) is kept. Every
  message photherm prints about its input or a failure passes through here (diagnostics, PETSc errors, warnings).

  Not collective.
**/
void PhDiagEscape(const char *s, char *out, size_t len)
{
  size_t o = 0;

  for (; *s && o + 5 < len; s++) {
    unsigned char c = (unsigned char)*s;

    if (c >= 0x20 && c != 0x7f) out[o++] = (char)c;
    else if (c == '\n') o += (size_t)snprintf(out + o, len - o, "\\n");
    else if (c == '\t') o += (size_t)snprintf(out + o, len - o, "\\t");
    else if (c == '\r') o += (size_t)snprintf(out + o, len - o, "\\r");
    else o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
  }
  out[o] = '\0';
}

static PetscErrorCode PhDiagAddV_Private(PhDiag diag, PetscBool warning, PhSourceLoc loc, const char key_path[], const char format[], va_list ap)
{
  char         message[1024], location[1200], raw[2600], text[4 * 2600];
  PhDiagEntry *e;
  PetscInt     file_id = diag->n;

  PetscFunctionBeginUser;
  (void)vsnprintf(message, sizeof(message), format, ap);
  if (loc.file != NULL && loc.line > 0) (void)snprintf(location, sizeof(location), "%s:%d:%d: ", loc.file, (int)loc.line, (int)loc.column);
  else if (loc.file != NULL) (void)snprintf(location, sizeof(location), "%s: ", loc.file);
  else location[0] = '\0';
  (void)snprintf(raw, sizeof(raw), "photherm: %s: %s%s%s%s", warning ? "warning" : "error", location, key_path != NULL && key_path[0] ? key_path : "",
                 key_path != NULL && key_path[0] ? ": " : "", message);
  PhDiagEscape(raw, text, sizeof(text));
  for (PetscInt i = 0; i < diag->n; i++) {
    if (strcmp(diag->entries[i].text, text) == 0) PetscFunctionReturn(PETSC_SUCCESS); /* reported once */
    if (loc.file != NULL && diag->entries[i].file != NULL && strcmp(diag->entries[i].file, loc.file) == 0)
      file_id = PetscMin(file_id, diag->entries[i].file_id);
  }
  if (diag->n == diag->cap) {
    PhDiagEntry *bigger;

    diag->cap = diag->cap ? 2 * diag->cap : 16;
    PetscCall(PetscCalloc1(diag->cap, &bigger));
    if (diag->n) PetscCall(PetscMemcpy(bigger, diag->entries, diag->n * sizeof(*bigger)));
    PetscCall(PetscFree(diag->entries));
    diag->entries = bigger;
  }
  e = &diag->entries[diag->n];
  PetscCall(PetscStrallocpy(loc.file, &e->file));
  e->line    = loc.line;
  e->column  = loc.column;
  e->order   = diag->n;
  e->file_id = file_id;
  e->warning = warning;
  PetscCall(PetscStrallocpy(text, &e->text));
  diag->n++;
  if (warning) diag->nwarnings++;
  else diag->nerrors++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Record one problem: `photherm: error: FILE:LINE:COL: key.path: message`.

  Not collective; every rank records the same problems because every rank validates the same input.

  @param[in] diag     collector
  @param[in] loc      position of the offending value (file NULL or line 0 when unknown)
  @param[in] key_path dotted key path such as "stack[2].thickness", or NULL
  @param[in] format   printf-style message: what is wrong and what was expected
**/
PetscErrorCode PhDiagAdd(PhDiag diag, PhSourceLoc loc, const char key_path[], const char format[], ...)
{
  va_list ap;

  PetscFunctionBeginUser;
  va_start(ap, format);
  PetscCall(PhDiagAddV_Private(diag, PETSC_FALSE, loc, key_path, format, ap));
  va_end(ap);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Record a warning: printed like an error but does not make the input invalid.

  Not collective.
**/
PetscErrorCode PhDiagWarn(PhDiag diag, PhSourceLoc loc, const char key_path[], const char format[], ...)
{
  va_list ap;

  PetscFunctionBeginUser;
  va_start(ap, format);
  PetscCall(PhDiagAddV_Private(diag, PETSC_TRUE, loc, key_path, format, ap));
  va_end(ap);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Number of errors and warnings recorded so far (either pointer may be NULL).

  Not collective.
**/
PetscErrorCode PhDiagGetCount(PhDiag diag, PetscInt *errors, PetscInt *warnings)
{
  PetscFunctionBeginUser;
  if (errors != NULL) *errors = diag->nerrors;
  if (warnings != NULL) *warnings = diag->nwarnings;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The printed line of entry `index` (insertion order); the string belongs to the collector.

  Not collective.
**/
PetscErrorCode PhDiagGetMessage(PhDiag diag, PetscInt index, const char **message)
{
  PetscFunctionBeginUser;
  PetscCheck(index >= 0 && index < diag->n, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "diagnostic %d out of range [0, %d)", (int)index,
             (int)diag->n);
  *message = diag->entries[index].text;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int PhDiagCompare_Private(const void *a, const void *b)
{
  const PhDiagEntry *x = (const PhDiagEntry *)a, *y = (const PhDiagEntry *)b;

  if (x->file_id != y->file_id) return x->file_id < y->file_id ? -1 : 1;
  if (x->line != y->line) return x->line < y->line ? -1 : 1;
  if (x->column != y->column) return x->column < y->column ? -1 : 1;
  return x->order < y->order ? -1 : (x->order > y->order ? 1 : 0);
}

/**
  @brief Print every entry, one line each, sorted by file, line and column, on rank 0 of `comm`.

  Collective on `comm` (only rank 0 writes).
**/
PetscErrorCode PhDiagPrint(PhDiag diag, MPI_Comm comm, FILE *stream)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (diag->n > 1) qsort(diag->entries, (size_t)diag->n, sizeof(*diag->entries), PhDiagCompare_Private);
  for (PetscInt i = 0; i < diag->n; i++) diag->entries[i].order = i;
  if (rank == 0) {
    for (PetscInt i = 0; i < diag->n; i++) (void)fprintf(stream, "%s\n", diag->entries[i].text);
    (void)fflush(stream);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Destroy a collector; NULL is accepted and *diag is NULL on return.

  Not collective.
**/
PetscErrorCode PhDiagDestroy(PhDiag *diag)
{
  PetscFunctionBeginUser;
  if (*diag == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt i = 0; i < (*diag)->n; i++) {
    PetscCall(PetscFree((*diag)->entries[i].file));
    PetscCall(PetscFree((*diag)->entries[i].text));
  }
  PetscCall(PetscFree((*diag)->entries));
  PetscCall(PetscFree(*diag));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Print one line (the format gives no newline) on `stream` from the first rank of `comm`, escaped with
  PhDiagEscape(): for messages outside the collector that echo user strings (paths, option names).

  Collective on `comm`.
**/
PetscErrorCode PhDiagFPrintf(MPI_Comm comm, FILE *stream, const char format[], ...)
{
  char    raw[2600], text[4 * 2600];
  va_list ap;

  PetscFunctionBeginUser;
  va_start(ap, format);
  (void)vsnprintf(raw, sizeof(raw), format, ap);
  va_end(ap);
  PhDiagEscape(raw, text, sizeof(text));
  PetscCall(PetscFPrintf(comm, stream, "%s\n", text));
  PetscFunctionReturn(PETSC_SUCCESS);
}
