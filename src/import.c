/* What the importers share: the package being built (PhImport), reading the other tools' text files, and the writer of
   the case file and its trace. */
#include "import_impl.h"

#include <photherm/units.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

PetscErrorCode PhImportCreate(PhImport **imp)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(imp));
  (*imp)->initial_steady = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhFreeLines(char ***lines, PetscInt n)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree((*lines)[i]));
  PetscCall(PetscFree(*lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhImportDestroy(PhImport **imp)
{
  PhImport *m = *imp;

  PetscFunctionBeginUser;
  if (m == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt i = 0; i < m->nmaterials; i++) {
    PetscCall(PetscFree(m->materials[i].name));
    PetscCall(PetscFree(m->materials[i].comment));
  }
  for (PetscInt i = 0; i < m->nlayers; i++) {
    for (PetscInt b = 0; b < m->layers[i].nblocks; b++) PetscCall(PetscFree(m->layers[i].blocks[b].name));
    PetscCall(PetscFree(m->layers[i].blocks));
    PetscCall(PetscFree(m->layers[i].name));
    PetscCall(PetscFree(m->layers[i].comment));
    PetscCall(PetscFree(m->layers[i].extra));
  }
  for (PetscInt i = 0; i < m->nsources; i++) {
    PetscCall(PetscFree(m->sources[i].name));
    PetscCall(PetscFree(m->sources[i].block));
    PetscCall(PetscFree(m->sources[i].values));
  }
  PetscCall(PetscFree(m->materials));
  PetscCall(PetscFree(m->layers));
  PetscCall(PetscFree(m->sources));
  PetscCall(PetscFree(m->name));
  PetscCall(PetscFree(m->description));
  PetscCall(PetscFree(m->grid_comment));
  PetscCall(PetscFree(m->time_comment));
  PetscCall(PetscFree(m->top.comment));
  PetscCall(PetscFree(m->bottom.comment));
  PetscCall(PhFreeLines(&m->header, m->nheader));
  PetscCall(PhFreeLines(&m->trace_names, m->ntrace_cols));
  PetscCall(PhFreeLines(&m->trace_header, m->ntrace_header));
  PetscCall(PhFreeLines(&m->notes, m->nnotes));
  PetscCall(PetscFree2(m->trace_times, m->trace_values));
  PetscCall(PetscFree(m->step_times));
  PetscCall(PetscFree(*imp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Grow an array of `size`-byte items to hold n + 1. */
static PetscErrorCode PhGrow(void **array, PetscInt n, size_t size)
{
  PetscFunctionBeginUser;
  if ((n & (n - 1)) == 0) { /* at 0, 1, 2, 4, 8, ...: double */
    void *bigger;

    PetscCall(PetscCalloc1((size_t)(n ? 2 * n : 1) * size, (char **)&bigger));
    if (n) PetscCall(PetscMemcpy(bigger, *array, (size_t)n * size));
    PetscCall(PetscFree(*array));
    *array = bigger;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhVFormat(char **s, const char format[], va_list ap)
{
  va_list ap2;
  int     n;

  PetscFunctionBeginUser;
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, format, ap2);
  va_end(ap2);
  PetscCheck(n >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "vsnprintf failed");
  PetscCall(PetscMalloc1((size_t)n + 1, s));
  (void)vsnprintf(*s, (size_t)n + 1, format, ap);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Replace *s by a formatted string (the arguments may include *s itself). */
PetscErrorCode PhImportSetString(char **s, const char format[], ...)
{
  va_list ap;
  char   *n;

  PetscFunctionBeginUser;
  va_start(ap, format);
  PetscCall(PhVFormat(&n, format, ap));
  va_end(ap);
  PetscCall(PetscFree(*s));
  *s = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Append a formatted line to a list of lines. */
PetscErrorCode PhImportAddLine(char ***lines, PetscInt *n, const char format[], ...)
{
  va_list ap;

  PetscFunctionBeginUser;
  PetscCall(PhGrow((void **)lines, *n, sizeof(char *)));
  va_start(ap, format);
  PetscCall(PhVFormat(&(*lines)[*n], format, ap));
  va_end(ap);
  (*n)++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhImportAddMaterial(PhImport *imp, const char name[], PetscReal kx, PetscReal ky, PetscReal kz, PetscReal cap, const char comment[],
                                   PetscInt *index)
{
  PhImpMaterial *m;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < imp->nmaterials; i++) { /* the same properties under one name are one material */
    m = &imp->materials[i];
    if (!strcmp(m->name, name) && m->k[0] == kx && m->k[1] == ky && m->k[2] == kz && m->cap == cap) {
      *index = i;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PhGrow((void **)&imp->materials, imp->nmaterials, sizeof(*imp->materials)));
  m       = &imp->materials[imp->nmaterials];
  m->name = NULL;
  for (PetscInt n = 1;; n++) { /* a name taken by other properties gets a number */
    PetscBool taken = PETSC_FALSE;

    if (n == 1) PetscCall(PetscStrallocpy(name, &m->name));
    else PetscCall(PhImportSetString(&m->name, "%s_%d", name, (int)n));
    for (PetscInt i = 0; i < imp->nmaterials; i++) taken = (PetscBool)(taken || !strcmp(imp->materials[i].name, m->name));
    if (!taken) break;
  }
  m->k[0] = kx;
  m->k[1] = ky;
  m->k[2] = kz;
  m->cap  = cap;
  PetscCall(PetscStrallocpy(comment, &m->comment));
  *index = imp->nmaterials++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhImportAddLayer(PhImport *imp, const char name[], PetscReal thickness, PetscInt material, PetscInt cells, const char comment[],
                                PetscInt *index)
{
  PhImpLayer *l;

  PetscFunctionBeginUser;
  PetscCall(PhGrow((void **)&imp->layers, imp->nlayers, sizeof(*imp->layers)));
  l = &imp->layers[imp->nlayers];
  PetscCall(PetscMemzero(l, sizeof(*l)));
  PetscCall(PetscStrallocpy(name, &l->name));
  l->thickness = thickness;
  l->material  = material;
  l->cells     = cells;
  PetscCall(PetscStrallocpy(comment, &l->comment));
  if (index != NULL) *index = imp->nlayers;
  imp->nlayers++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhImportAddBlock(PhImport *imp, PetscInt layer, const char name[], PetscInt material, PetscReal x0, PetscReal x1, PetscReal y0,
                                PetscReal y1)
{
  PhImpLayer *l = &imp->layers[layer];
  PhImpBlock *b;

  PetscFunctionBeginUser;
  PetscCall(PhGrow((void **)&l->blocks, l->nblocks, sizeof(*l->blocks)));
  b = &l->blocks[l->nblocks++];
  PetscCall(PetscStrallocpy(name, &b->name));
  b->material = material;
  b->x0       = x0;
  b->x1       = x1;
  b->y0       = y0;
  b->y1       = y1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhImportAddSource(PhImport *imp, const char name[], const char block[], PetscReal power, PetscInt column, const PetscReal values[])
{
  PhImpSource *s;

  PetscFunctionBeginUser;
  PetscCall(PhGrow((void **)&imp->sources, imp->nsources, sizeof(*imp->sources)));
  s = &imp->sources[imp->nsources++];
  PetscCall(PetscStrallocpy(name, &s->name));
  PetscCall(PetscStrallocpy(block, &s->block));
  s->power  = power;
  s->column = column;
  s->values = NULL;
  if (values != NULL) {
    PetscCall(PetscMalloc1(imp->nsteps, &s->values));
    PetscCall(PetscArraycpy(s->values, values, imp->nsteps));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A name photherm accepts (letters, digits, _ - .; the other characters become _), unique among the blocks of the
   import; a taken name gets `prefix` in front, then a number. */
PetscErrorCode PhImportUniqueName(PhImport *imp, const char wanted[], const char prefix[], char **name)
{
  char *clean;

  PetscFunctionBeginUser;
  PetscCall(PetscStrallocpy(wanted[0] ? wanted : "block", &clean));
  for (char *c = clean; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.') *c = '_';
  *name = NULL;
  for (PetscInt attempt = 0;; attempt++) {
    PetscBool taken = PETSC_FALSE;

    if (attempt == 0) PetscCall(PetscStrallocpy(clean, name));
    else if (attempt == 1 && prefix != NULL) PetscCall(PhImportSetString(name, "%s%s", prefix, clean));
    else PetscCall(PhImportSetString(name, "%s%s_%d", prefix != NULL ? prefix : "", clean, (int)attempt));
    for (PetscInt l = 0; l < imp->nlayers && !taken; l++)
      for (PetscInt b = 0; b < imp->layers[l].nblocks && !taken; b++) taken = (PetscBool)!strcmp(imp->layers[l].blocks[b].name, *name);
    if (!taken) break;
  }
  PetscCall(PetscFree(clean));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Reading text files                                                                                                 */

/**
  @brief Read a whole input file (a regular file of at most PH_IMPORT_MAX_BYTES); a file that cannot be read is a
  problem at `named_at` (where its name was given) with the key `key`.

  Collective on `comm`.
**/
PetscErrorCode PhImpFileRead(MPI_Comm comm, const char path[], PhDiag diag, PhSourceLoc named_at, const char key[], PhImpFile *f, PetscBool *ok)
{
  char reason[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(f, sizeof(*f)));
  PetscCall(PetscStrallocpy(path, &f->path));
  PetscCall(PhReadFileBroadcast(comm, path, PH_IMPORT_MAX_BYTES, &f->text, &f->len, reason, sizeof(reason)));
  *ok = (PetscBool)(f->text != NULL);
  if (!*ok) PetscCall(PhDiagAdd(diag, named_at, key, "cannot read %s: %s", path, reason));
  else if (memchr(f->text, '\0', f->len) != NULL) {
    *ok = PETSC_FALSE;
    PetscCall(PhDiagAdd(diag, named_at, key, "%s is not a text file (it holds NUL bytes)", path));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhImpFileFree(PhImpFile *f)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(f->path));
  PetscCall(PetscFree(f->text));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhImpLinesInit(PhImpLines *ls, const PhImpFile *f)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(ls, sizeof(*ls)));
  ls->file = f;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhImpLinesFree(PhImpLines *ls)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(ls->buf));
  PetscCall(PetscFree(ls->words));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The next line with at least one word that is not a `#` comment, split into whitespace-separated words with
  their columns. A line longer than PH_IMPORT_MAX_LINE characters is reported once and skipped.

  Not collective.
**/
static PetscErrorCode PhImpLinesNext(PhImpLines *ls, PhDiag diag, PetscBool *more)
{
  const PhImpFile *f = ls->file;

  PetscFunctionBeginUser;
  *more = PETSC_FALSE;
  while (ls->pos < f->len) {
    const char *start = f->text + ls->pos, *nl = memchr(start, '\n', f->len - ls->pos);
    size_t      n = nl != NULL ? (size_t)(nl - start) : f->len - ls->pos;

    ls->pos += n + (nl != NULL);
    ls->lineno++;
    if (n > PH_IMPORT_MAX_LINE) {
      PhSourceLoc loc = {f->path, ls->lineno, 1};

      PetscCall(PhDiagAdd(diag, loc, NULL, "line of %zu characters, longer than the %d a line may have", n, PH_IMPORT_MAX_LINE));
      continue;
    }
    if (n + 1 > ls->cap) {
      PetscCall(PetscFree(ls->buf));
      ls->cap = 2 * n + 64;
      PetscCall(PetscMalloc1(ls->cap, &ls->buf));
    }
    PetscCall(PetscMemcpy(ls->buf, start, n));
    ls->buf[n] = '\0';
    ls->nwords = 0;
    for (size_t i = 0; i < n;) {
      if (isspace((unsigned char)ls->buf[i]) || ls->buf[i] == '\0') {
        ls->buf[i++] = '\0';
        continue;
      }
      if (ls->nwords == 0 && ls->buf[i] == '#') break; /* a comment line */
      if (ls->nwords == ls->wcap) {
        PhImpWord *bigger;

        ls->wcap = ls->wcap ? 2 * ls->wcap : 16;
        PetscCall(PetscMalloc1(ls->wcap, &bigger));
        if (ls->nwords) PetscCall(PetscArraycpy(bigger, ls->words, ls->nwords));
        PetscCall(PetscFree(ls->words));
        ls->words = bigger;
      }
      ls->words[ls->nwords].s   = ls->buf + i;
      ls->words[ls->nwords].col = (PetscInt)i + 1;
      ls->nwords++;
      while (i < n && !isspace((unsigned char)ls->buf[i])) i++;
    }
    if (ls->nwords > 0) {
      *more = PETSC_TRUE;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read an input file line by line, the one reader of the line-based formats (HotSpot's files): `line` is called
  with every line that has a word and is not a `#` comment line, split into words with their columns, then once more
  with no word (`ls->nwords == 0`) at the end of the file, `ls->lineno` then being the number of its last line. A file
  that cannot be read is a problem at `named_at` (where its name was given) with the key `key`, and `line` is not called.
  `ls->file->path` lives only during the call: a location kept after it names the file by the caller's `path`.

  Collective on `comm` (the file is read once and broadcast).
**/
PetscErrorCode PhImpEachLine(MPI_Comm comm, const char path[], PhDiag diag, PhSourceLoc named_at, const char key[], PhImpLineFn line, void *ctx)
{
  PhImpFile  f;
  PhImpLines ls;
  PetscBool  ok, more = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(PhImpFileRead(comm, path, diag, named_at, key, &f, &ok));
  if (ok) {
    PetscCall(PhImpLinesInit(&ls, &f));
    while (more) {
      PetscCall(PhImpLinesNext(&ls, diag, &more));
      if (!more) ls.nwords = 0;
      PetscCall(line(&ls, ctx));
    }
    PetscCall(PhImpLinesFree(&ls));
  }
  PetscCall(PhImpFileFree(&f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A finite decimal number (no hexadecimal, inf or nan). */
PetscBool PhImpNumber(const char s[], PetscReal *v)
{
  double d;

  if (!PhUnitsIsDecimal(s)) return PETSC_FALSE;
  errno = 0;
  d     = strtod(s, NULL);
  if (!isfinite(d) || (errno == ERANGE && d != 0)) return PETSC_FALSE;
  *v = (PetscReal)d;
  return PETSC_TRUE;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Writing the case                                                                                                   */

typedef struct {
  char  *s;
  size_t n, cap;
} PhText;

static PetscErrorCode PhTextAdd(PhText *t, const char format[], ...) PETSC_ATTRIBUTE_FORMAT(2, 3);
static PetscErrorCode PhTextAdd(PhText *t, const char format[], ...)
{
  va_list ap;
  char   *piece;
  size_t  len;

  PetscFunctionBeginUser;
  va_start(ap, format);
  PetscCall(PhVFormat(&piece, format, ap));
  va_end(ap);
  len = strlen(piece);
  if (t->n + len + 1 > t->cap) {
    char *bigger;

    t->cap = 2 * (t->n + len + 1) + 4096;
    PetscCall(PetscMalloc1(t->cap, &bigger));
    if (t->n) PetscCall(PetscMemcpy(bigger, t->s, t->n));
    PetscCall(PetscFree(t->s));
    t->s = bigger;
  }
  PetscCall(PetscMemcpy(t->s + t->n, piece, len + 1));
  t->n += len;
  PetscCall(PetscFree(piece));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A length in mm with 12 significant digits (exact for the um and nm of the inputs). */
static const char *PhMm(PetscReal v, char *buf, size_t len)
{
  (void)snprintf(buf, len, "%.12g mm", (double)(v * 1e3));
  return buf;
}

/* A comment after a value, or nothing. */
static const char *PhComment(const char *c, char *buf, size_t len)
{
  if (c == NULL || !c[0]) return "";
  (void)snprintf(buf, len, "  # %s", c);
  return buf;
}

static PetscErrorCode PhWriteBoundary(PhText *t, const char face[], const PhImpBoundary *b)
{
  char c[1024], a[64], x0[64], x1[64], y0[64], y1[64];

  PetscFunctionBeginUser;
  if (!b->present) PetscFunctionReturn(PETSC_SUCCESS);
  if (b->region)
    PetscCall(PhTextAdd(t, "  %s: {type: convection, h: %.12g W/m^2/K, ambient: %.12g K, region: {x: [%s, %s], y: [%s, %s]}}%s\n", face, (double)b->h,
                        (double)b->ambient, PhMm(b->x0, x0, sizeof(x0)), PhMm(b->x1, x1, sizeof(x1)), PhMm(b->y0, y0, sizeof(y0)),
                        PhMm(b->y1, y1, sizeof(y1)), PhComment(b->comment, c, sizeof(c))));
  else
    PetscCall(PhTextAdd(t, "  %s: {type: convection, h: %.12g W/m^2/K, ambient: %.12g K}%s\n", face, (double)b->h, (double)b->ambient,
                        PhComment(b->comment, c, sizeof(c))));
  (void)a;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhImportYaml(const PhImport *imp, const char trace_file[], PhText *t)
{
  char c[1024], a[64], b[64], d[64], e[64];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < imp->nheader; i++) PetscCall(PhTextAdd(t, "# %s\n", imp->header[i]));
  PetscCall(PhTextAdd(t, "version: 1\nname: %s\n", imp->name));
  if (imp->description) PetscCall(PhTextAdd(t, "description: \"%s\"\n", imp->description));
  PetscCall(PhTextAdd(t, "materials:  # rho * cp is the volumetric heat capacity of the source (rho 1000 kg/m^3 times cp)\n"));
  for (PetscInt i = 0; i < imp->nmaterials; i++) {
    const PhImpMaterial *m = &imp->materials[i];

    if (m->k[0] == m->k[1] && m->k[1] == m->k[2])
      PetscCall(PhTextAdd(t, "  %s: {k: %.12g W/m/K, rho: 1000 kg/m^3, cp: %.12g J/kg/K}%s\n", m->name, (double)m->k[0], (double)(m->cap / 1000),
                          PhComment(m->comment, c, sizeof(c))));
    else
      PetscCall(PhTextAdd(t, "  %s: {k: [%.12g W/m/K, %.12g W/m/K, %.12g W/m/K], rho: 1000 kg/m^3, cp: %.12g J/kg/K}%s\n", m->name, (double)m->k[0],
                          (double)m->k[1], (double)m->k[2], (double)(m->cap / 1000), PhComment(m->comment, c, sizeof(c))));
  }
  PetscCall(PhTextAdd(t, "footprint: {x: [%s, %s], y: [%s, %s]}\n", PhMm(imp->fx0, a, sizeof(a)), PhMm(imp->fx1, b, sizeof(b)),
                      PhMm(imp->fy0, d, sizeof(d)), PhMm(imp->fy1, e, sizeof(e))));
  if (imp->max_cell_xy > 0 && imp->refine_xy > 0)
    PetscCall(PhTextAdd(t, "grid: {max_cell_xy: %.12g um, refine: {x: [%s, %s], y: [%s, %s], max_cell_xy: %.12g um}}%s\n",
                        (double)(imp->max_cell_xy * 1e6), PhMm(imp->rx0, a, sizeof(a)), PhMm(imp->rx1, b, sizeof(b)), PhMm(imp->ry0, d, sizeof(d)),
                        PhMm(imp->ry1, e, sizeof(e)), (double)(imp->refine_xy * 1e6), PhComment(imp->grid_comment, c, sizeof(c))));
  else if (imp->max_cell_xy > 0)
    PetscCall(PhTextAdd(t, "grid: {max_cell_xy: %.12g um}%s\n", (double)(imp->max_cell_xy * 1e6), PhComment(imp->grid_comment, c, sizeof(c))));
  PetscCall(PhTextAdd(t, "stack:  # bottom (z = 0) to top\n"));
  for (PetscInt i = 0; i < imp->nlayers; i++) {
    const PhImpLayer *l = &imp->layers[i];

    PetscCall(PhTextAdd(t, "  - name: %s%s\n    thickness: %.12g um\n    material: %s\n", l->name, PhComment(l->comment, c, sizeof(c)),
                        (double)(l->thickness * 1e6), imp->materials[l->material].name));
    if (l->cells > 0) PetscCall(PhTextAdd(t, "    cells: %d\n", (int)l->cells));
    if (l->extra) PetscCall(PhTextAdd(t, "%s", l->extra));
    if (l->nblocks) PetscCall(PhTextAdd(t, "    blocks:\n"));
    for (PetscInt k = 0; k < l->nblocks; k++) {
      const PhImpBlock *bl = &l->blocks[k];

      PetscCall(PhTextAdd(t, "      - {name: %s, material: %s, x: [%s, %s], y: [%s, %s]}\n", bl->name, imp->materials[bl->material].name,
                          PhMm(bl->x0, a, sizeof(a)), PhMm(bl->x1, b, sizeof(b)), PhMm(bl->y0, d, sizeof(d)), PhMm(bl->y1, e, sizeof(e))));
    }
  }
  PetscCall(PhTextAdd(t, "boundaries:  # faces not named are adiabatic\n"));
  PetscCall(PhWriteBoundary(t, "top", &imp->top));
  PetscCall(PhWriteBoundary(t, "bottom", &imp->bottom));
  if (imp->nsources) PetscCall(PhTextAdd(t, "sources:\n"));
  for (PetscInt i = 0; i < imp->nsources; i++) {
    const PhImpSource *s = &imp->sources[i];

    if (s->column >= 0)
      PetscCall(PhTextAdd(t, "  - {name: %s, block: %s, power: {trace: %s, column: %s}}\n", s->name, s->block, trace_file,
                          imp->trace_names[s->column]));
    else if (s->values != NULL) {
      PetscCall(PhTextAdd(t, "  - {name: %s, block: %s, power: {pattern: steps, times: [", s->name, s->block));
      for (PetscInt k = 0; k < imp->nsteps; k++) PetscCall(PhTextAdd(t, "%s%.12g s", k ? ", " : "", (double)imp->step_times[k]));
      PetscCall(PhTextAdd(t, "], values: ["));
      for (PetscInt k = 0; k < imp->nsteps; k++) PetscCall(PhTextAdd(t, "%s%.12g W", k ? ", " : "", (double)s->values[k]));
      PetscCall(PhTextAdd(t, "]}}\n"));
    } else PetscCall(PhTextAdd(t, "  - {name: %s, block: %s, power: %.12g W}\n", s->name, s->block, (double)s->power));
  }
  if (imp->time_comment) PetscCall(PhTextAdd(t, "# %s\n", imp->time_comment));
  if (imp->steady) PetscCall(PhTextAdd(t, "time: {mode: steady}\n"));
  else {
    PetscCall(PhTextAdd(t, "time:\n  end: %.12g s\n", (double)imp->end));
    if (imp->dt > 0) PetscCall(PhTextAdd(t, "  dt: %.12g s\n", (double)imp->dt));
    if (imp->dt_max > 0) PetscCall(PhTextAdd(t, "  dt_max: %.12g s\n", (double)imp->dt_max));
    if (imp->initial_steady) PetscCall(PhTextAdd(t, "  initial: steady\n"));
    else PetscCall(PhTextAdd(t, "  initial: %.12g K\n", (double)imp->initial));
    PetscCall(PhTextAdd(t, "output:\n"));
    if (imp->series_every > 0) PetscCall(PhTextAdd(t, "  series_every: %.12g s\n", (double)imp->series_every));
    if (imp->fields_every > 0) PetscCall(PhTextAdd(t, "  fields_every: %.12g s\n", (double)imp->fields_every));
  }
  for (PetscInt i = 0; i < imp->nnotes; i++) PetscCall(PhTextAdd(t, "# %s\n", imp->notes[i]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhImportCsv(const PhImport *imp, PhText *t)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < imp->ntrace_header; i++) PetscCall(PhTextAdd(t, "# %s\n", imp->trace_header[i]));
  PetscCall(PhTextAdd(t, "time [s]"));
  for (PetscInt c = 0; c < imp->ntrace_cols; c++) PetscCall(PhTextAdd(t, ",%s [W]", imp->trace_names[c]));
  PetscCall(PhTextAdd(t, "\n"));
  for (PetscInt r = 0; r < imp->ntrace_rows; r++) {
    PetscCall(PhTextAdd(t, "%.12g", (double)imp->trace_times[r]));
    for (PetscInt c = 0; c < imp->ntrace_cols; c++) PetscCall(PhTextAdd(t, ",%.12g", (double)imp->trace_values[r * imp->ntrace_cols + c]));
    PetscCall(PhTextAdd(t, "\n"));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Write text to path on rank 0; a failure is an I/O error of the run (exit 1). */
static PetscErrorCode PhWriteFile(MPI_Comm comm, const char path[], const PhText *t)
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    FILE *fp = fopen(path, "w");

    if (fp == NULL) err = errno ? errno : EIO;
    else {
      if (fwrite(t->s, 1, t->n, fp) != t->n) err = errno ? errno : EIO;
      if (fclose(fp) != 0 && !err) err = errno ? errno : EIO;
    }
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", path, strerror(err));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write the case (and its trace beside it, `<case without .yaml>.csv`), after checking that photherm loads it.
  A case photherm refuses (an input it cannot represent that the importer did not catch) is reported with exit 2 and
  nothing is left behind.

  Collective on `comm`.
**/
PetscErrorCode PhImportWrite(MPI_Comm comm, PhImport *imp, const char output[], PhDiag diag, int *exit_code)
{
  PhText      yaml = {NULL, 0, 0}, check = {NULL, 0, 0}, csv = {NULL, 0, 0};
  char       *trace_path = NULL, *trace_base = NULL, *partial = NULL, *partial_base = NULL;
  const char *slash;
  PhCase      problem = NULL;
  PetscInt    nerrors;
  PetscMPIInt rank;
  size_t      len = strlen(output);

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (imp->ntrace_cols > 0) { /* checked as <case>.csv.partial, renamed when the case is valid: no file is overwritten before */
    if (len > 5 && !strcmp(output + len - 5, ".yaml")) len -= 5;
    else if (len > 4 && !strcmp(output + len - 4, ".yml")) len -= 4;
    PetscCall(PhImportSetString(&trace_path, "%.*s.csv", (int)len, output));
    PetscCall(PhImportSetString(&partial, "%s.partial", trace_path));
    slash = strrchr(trace_path, '/');
    PetscCall(PetscStrallocpy(slash ? slash + 1 : trace_path, &trace_base));
    PetscCall(PhImportSetString(&partial_base, "%s.partial", trace_base));
    PetscCall(PhImportCsv(imp, &csv));
    PetscCall(PhWriteFile(comm, partial, &csv));
  }
  PetscCall(PhImportYaml(imp, trace_base, &yaml));
  PetscCall(PhImportYaml(imp, partial_base, &check));
  PetscCall(PhCaseLoadString(comm, output, check.s, 0, NULL, diag, &problem));
  PetscCall(PhDiagGetCount(diag, &nerrors, NULL));
  if (nerrors > 0 || problem == NULL) {
    if (partial && rank == 0) (void)unlink(partial);
    PetscCall(PhDiagPrint(diag, comm, stderr));
    PetscCall(PetscFPrintf(comm, stderr, "photherm: error: the converted case is not valid (above); nothing was written\n"));
    *exit_code = PH_EXIT_BAD_INPUT;
  } else {
    int err = 0;

    if (partial && rank == 0 && rename(partial, trace_path) != 0) err = errno ? errno : EIO;
    PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
    PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s: %s", partial, trace_path, strerror(err));
    PetscCall(PhWriteFile(comm, output, &yaml));
    PetscCall(PhDiagPrint(diag, comm, stderr)); /* warnings */
    PetscCall(PetscPrintf(comm, "wrote %s%s%s: %d layers, %d blocks, %d sources; run it with: photherm run %s\n", output, trace_path ? " and " : "",
                          trace_path ? trace_path : "", (int)problem->nlayers, (int)problem->nblocks, (int)problem->nsources, output));
  }
  PetscCall(PhCaseDestroy(&problem));
  PetscCall(PetscFree(yaml.s));
  PetscCall(PetscFree(check.s));
  PetscCall(PetscFree(csv.s));
  PetscCall(PetscFree(trace_path));
  PetscCall(PetscFree(trace_base));
  PetscCall(PetscFree(partial));
  PetscCall(PetscFree(partial_base));
  PetscFunctionReturn(PETSC_SUCCESS);
}
