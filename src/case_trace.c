/* CSV power traces (DESIGN §3.6): comments, a header naming the columns with optional [units], time first, rows of numbers. */
#include "case_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *PhTrim(char *s)
{
  char *e;

  while (isspace((unsigned char)*s)) s++;
  e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
  return s;
}

PetscErrorCode PhTraceFree_Private(PhTraceTable *t)
{
  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < t->ncols; c++) {
    PetscCall(PetscFree(t->names[c]));
    PetscCall(PetscFree(t->units[c]));
  }
  PetscCall(PetscFree2(t->names, t->units));
  PetscCall(PetscFree3(t->header_columns, t->unit_ok, t->reported));
  PetscCall(PetscFree(t->data));
  PetscCall(PetscFree(t->lines));
  PetscCall(PetscFree(t->columns));
  PetscCall(PetscFree(t->path));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The shortest form of x that reads back as x: what the file said, for messages (1.0000000000000002, not 1). */
static void PhFormatShortest(double x, char *buf, size_t len)
{
  for (int digits = 1; digits <= 17; digits++) {
    (void)snprintf(buf, len, "%.*g", digits, x);
    if (strtod(buf, NULL) == x) return;
  }
}

/*
  The units of the header: every bracketed unit must be a unit, and the time column's a time. Checked once per file,
  at the header cell; whether a value column's unit fits the key that names it is checked where it is used.
*/
static PetscErrorCode PhTraceCheckUnits(PhLoader *ld, PhTraceTable *t, const char key_path[])
{
  PetscFunctionBeginUser;
  t->tscale  = 1;
  t->toffset = 0;
  for (PetscInt c = 0; c < t->ncols; c++) {
    PhSourceLoc loc = {t->path, t->header_line, t->header_columns[c]};
    char        reason[512], text[160];
    PhQuantity  q;
    PetscBool   valid = PETSC_TRUE;

    t->unit_ok[c] = PETSC_TRUE;
    if (t->units[c] == NULL) continue;
    if (c == 0) PetscCall(PhUnitsAffine(t->units[0], PH_QT_TIME, &t->tscale, &t->toffset, &valid, reason, sizeof(reason)));
    else {
      (void)snprintf(text, sizeof(text), "1 %s", t->units[c]);
      PetscCall(PhUnitsEvaluate(text, NULL, NULL, &q, &valid, reason, sizeof(reason)));
      if (valid && q.bare) {
        valid = PETSC_FALSE;
        (void)snprintf(reason, sizeof(reason), "unknown unit \"%s\"", t->units[c]);
      }
    }
    if (!valid) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "column \"%s\" [%s]: %s", t->names[c], t->units[c], reason));
      t->unit_ok[c] = PETSC_FALSE;
      if (c == 0) t->ok = PETSC_FALSE; /* no time axis */
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Parse the bytes of a trace into `t`; every problem is a diagnostic at FILE:LINE:COL with the referencing key path. */
static PetscErrorCode PhTraceParse(PhLoader *ld, PhTraceTable *t, char *bytes, const char key_path[])
{
  char     *line, *next;
  PetscInt  lineno = 0, cap = 0, header_column = 1;
  PetscBool header = PETSC_FALSE, ok = PETSC_TRUE;

  PetscFunctionBeginUser;
  for (line = bytes; line != NULL && ok; line = next) {
    char       *nl = strchr(line, '\n'), *body;
    PhSourceLoc loc;

    next = NULL;
    if (nl != NULL) {
      *nl  = '\0';
      next = nl + 1;
    }
    lineno++;
    if (nl != NULL && nl > line && nl[-1] == '\r') nl[-1] = '\0';
    body       = PhTrim(line);
    loc.file   = t->path;
    loc.line   = lineno;
    loc.column = (PetscInt)(body - line) + 1;
    if (body[0] == '\0' || body[0] == '#') continue;
    if (!header) {
      char    *save = NULL, *field;
      PetscInt n    = 1;

      header         = PETSC_TRUE;
      t->header_line = lineno;
      header_column  = loc.column;
      for (const char *c = body; *c; c++)
        if (*c == ',') n++;
      if (n < 2) {
        PetscCall(PhDiagAdd(ld->diag, loc, key_path,
                            "the header must name a time column and at least one value column, such as \"time [ms],asic [W]\""));
        ok = PETSC_FALSE;
        break;
      }
      PetscCall(PetscCalloc2(n, &t->names, n, &t->units));
      PetscCall(PetscCalloc3(n, &t->header_columns, n, &t->unit_ok, n, &t->reported));
      t->ncols = n;
      n        = 0;
      for (char *p = body;; p = NULL) {
        char *open, *close, *name;

        field = strtok_r(p, ",", &save);
        if (field == NULL) break;
        loc.column = (PetscInt)(PhTrim(field) - line) + 1;
        open       = strchr(field, '[');
        close      = strchr(field, ']');
        if (open != NULL) {
          if (close == NULL || close < open || *PhTrim(close + 1) != '\0') {
            PetscCall(PhDiagAdd(ld->diag, loc, key_path, "bad column header \"%s\": a unit is written in brackets after the name, \"asic [W]\"",
                                PhTrim(field)));
            ok = PETSC_FALSE;
            break;
          }
          *close = '\0';
          *open  = '\0';
          PetscCall(PetscStrallocpy(PhTrim(open + 1), &t->units[n]));
        }
        name = PhTrim(field);
        if (name[0] == '\0' || (unsigned char)name[0] < 32) {
          PetscCall(PhDiagAdd(ld->diag, loc, key_path, "empty column name in the header"));
          ok = PETSC_FALSE;
          break;
        }
        if (isdigit((unsigned char)name[0]) || name[0] == '-' || name[0] == '.') {
          PetscCall(PhDiagAdd(ld->diag, loc, key_path, "the first line that is not a # comment must be a header naming the columns, got \"%s\"",
                              name));
          ok = PETSC_FALSE;
          break;
        }
        for (PetscInt c = 0; c < n; c++)
          if (!strcmp(t->names[c], name)) {
            PetscCall(PhDiagAdd(ld->diag, loc, key_path, "column \"%s\" appears twice in the header", name));
            ok = PETSC_FALSE;
          }
        PetscCall(PetscStrallocpy(name, &t->names[n]));
        t->header_columns[n] = loc.column;
        n++;
      }
      if (ok && n != t->ncols) {
        PetscCall(PhDiagAdd(ld->diag, loc, key_path, "empty column name in the header"));
        ok = PETSC_FALSE;
      }
      continue;
    }
    /* a data row */
    if (t->nrows == PH_MAX_TRACE_ROWS) { /* before more room is allocated */
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "more than the %d rows a trace may have", PH_MAX_TRACE_ROWS));
      ok = PETSC_FALSE;
      break;
    }
    if (t->nrows == cap) {
      PetscReal *d;
      PetscInt  *l, *col;

      cap = cap ? 2 * cap : 256;
      PetscCall(PetscMalloc1(cap * t->ncols, &d));
      PetscCall(PetscMalloc1(cap, &l));
      PetscCall(PetscMalloc1(cap * t->ncols, &col));
      if (t->nrows) {
        PetscCall(PetscMemcpy(d, t->data, t->nrows * t->ncols * sizeof(*d)));
        PetscCall(PetscMemcpy(l, t->lines, t->nrows * sizeof(*l)));
        PetscCall(PetscMemcpy(col, t->columns, t->nrows * t->ncols * sizeof(*col)));
      }
      PetscCall(PetscFree(t->data));
      PetscCall(PetscFree(t->lines));
      PetscCall(PetscFree(t->columns));
      t->data    = d;
      t->lines   = l;
      t->columns = col;
    }
    {
      PetscInt c     = 0;
      char    *field = body;

      while (field != NULL && ok) {
        char  *comma = strchr(field, ',');
        char  *trimmed;
        double v = 0;

        if (comma != NULL) *comma = '\0';
        trimmed    = PhTrim(field);
        loc.column = (PetscInt)(trimmed - line) + 1;
        if (c >= t->ncols) {
          PetscCall(PhDiagAdd(ld->diag, loc, key_path, "more values than the %d columns of the header", (int)t->ncols));
          ok = PETSC_FALSE;
          break;
        }
        if (PhUnitsIsDecimal(trimmed)) v = strtod(trimmed, NULL);
        if (!PhUnitsIsDecimal(trimmed) || !isfinite(v)) {
          PetscCall(PhDiagAdd(ld->diag, loc, key_path, "column \"%s\": expected a decimal number, got \"%s\"%s", t->names[c], trimmed,
                              PhUnitsIsDecimal(trimmed) ? " (number out of range)" : ""));
          ok = PETSC_FALSE;
          break;
        }
        t->data[t->nrows * t->ncols + c]    = v;
        t->columns[t->nrows * t->ncols + c] = loc.column;
        c++;
        field = comma != NULL ? comma + 1 : NULL;
      }
      if (ok && c < t->ncols) {
        PetscCall(PhDiagAdd(ld->diag, loc, key_path, "%d values where the header has %d columns", (int)c, (int)t->ncols));
        ok = PETSC_FALSE;
      }
      if (ok && t->nrows > 0 && !(t->data[t->nrows * t->ncols] > t->data[(t->nrows - 1) * t->ncols])) {
        loc.column = t->columns[t->nrows * t->ncols];
        PetscCall(PhDiagAdd(ld->diag, loc, key_path, "times must strictly increase: %g follows %g (line %d)", t->data[t->nrows * t->ncols],
                            t->data[(t->nrows - 1) * t->ncols], (int)t->lines[t->nrows - 1]));
        ok = PETSC_FALSE;
      }
      t->lines[t->nrows] = lineno;
      if (ok) t->nrows++;
    }
  }
  if (ok && !header) {
    PetscCall(PhDiagAdd(ld->diag, (PhSourceLoc){t->path, 1, 1}, key_path, "the trace has no header line (such as \"time [ms],asic [W]\")"));
    ok = PETSC_FALSE;
  }
  if (ok && t->nrows == 0) {
    PetscCall(PhDiagAdd(ld->diag, (PhSourceLoc){t->path, t->header_line, header_column}, key_path, "the trace has a header but no rows of values"));
    ok = PETSC_FALSE;
  }
  t->ok = ok;
  if (ok) PetscCall(PhTraceCheckUnits(ld, t, key_path));
  for (PetscInt r = 0; r < t->nrows && t->ok; r++) { /* times the integrator can resolve (PH_MAX_TIME) */
    PetscReal time = t->tscale * t->data[r * t->ncols] + t->toffset;

    if (PetscAbsReal(time) > PH_MAX_TIME) {
      PetscCall(PhDiagAdd(ld->diag, (PhSourceLoc){t->path, t->lines[r], t->columns[r * t->ncols]}, key_path,
                          "time %g s is more than the %g s (about 32 years) a time may be", (double)time, PH_MAX_TIME));
      t->ok = PETSC_FALSE;
    }
  }
  for (PetscInt r = 1; r < t->nrows && t->ok; r++) { /* rows the time loop can tell apart (PhTimeResolution) */
    PetscReal prev = t->tscale * t->data[(r - 1) * t->ncols] + t->toffset, time = t->tscale * t->data[r * t->ncols] + t->toffset;

    if (!(time - prev >= PhTimeResolution(time))) {
      char        written[32], before[32];
      const char *unit = t->units[0] != NULL ? t->units[0] : "s";

      PhFormatShortest(t->data[r * t->ncols], written, sizeof(written));
      PhFormatShortest(t->data[(r - 1) * t->ncols], before, sizeof(before));
      PetscCall(PhDiagAdd(ld->diag, (PhSourceLoc){t->path, t->lines[r], t->columns[r * t->ncols]}, key_path,
                          "time %s %s is %.3g s after the %s %s of line %d: rows closer than 1 ns (or 1e-9 of their time beyond 1 s) "
                          "are one instant to the time loop",
                          written, unit, (double)(time - prev), before, unit, (int)t->lines[r - 1]));
      t->ok = PETSC_FALSE;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Load a trace named by `file_node` (relative to the file that names it), once per path: later references share it.
  *table is NULL when the file cannot be read; table->ok is false when it has problems (already reported).
**/
PetscErrorCode PhTraceLoad_Private(PhLoader *ld, const PhNode *file_node, const char key_path[], PhTraceTable **table)
{
  char         *path, *bytes, reason[256];
  size_t        length;
  PhTraceTable *t;

  PetscFunctionBeginUser;
  *table = NULL;
  /* relative to the file that names it; a -P value (no position) is relative to the current directory */
  if (file_node->loc.line > 0) PetscCall(PhPathJoin(file_node->loc.file, file_node->value, &path));
  else PetscCall(PetscStrallocpy(file_node->value, &path));
  for (PetscInt i = 0; i < ld->ntraces; i++) {
    if (!strcmp(ld->traces[i].path, path)) {
      *table = &ld->traces[i];
      PetscCall(PetscFree(path));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PhReadFileBroadcast(ld->comm, path, PH_MAX_TRACE_BYTES, &bytes, &length, reason, sizeof(reason)));
  if (bytes == NULL) {
    PetscCall(PhDiagAdd(ld->diag, file_node->loc, key_path, "cannot read trace \"%s\": %s", path, reason));
    PetscCall(PetscFree(path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (memchr(bytes, '\0', length) != NULL) {
    PetscCall(PhDiagAdd(ld->diag, file_node->loc, key_path, "trace \"%s\" is not a text file", path));
    PetscCall(PetscFree(bytes));
    PetscCall(PetscFree(path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  {
    PhTraceTable *bigger;

    PetscCall(PetscCalloc1(ld->ntraces + 1, &bigger));
    if (ld->ntraces) PetscCall(PetscMemcpy(bigger, ld->traces, ld->ntraces * sizeof(*bigger)));
    PetscCall(PetscFree(ld->traces));
    ld->traces = bigger;
  }
  t       = &ld->traces[ld->ntraces++];
  t->path = path;
  PetscCall(PhTraceParse(ld, t, bytes, key_path));
  PetscCall(PetscFree(bytes));
  *table = t;
  PetscFunctionReturn(PETSC_SUCCESS);
}
