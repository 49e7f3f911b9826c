/* The schema of the case file (DESIGN §3): typed getters that record every problem, and the thermal sections. */
#include "case_impl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <photherm/h5.h>
#include <string.h>

#define PH_REASON_LEN 600

PetscErrorCode PhSchemaPath_Private(char *buf, size_t len, const char parent[], const char key[], PetscInt index)
{
  PetscFunctionBeginUser;
  if (key != NULL) (void)snprintf(buf, len, "%s%s%s", parent != NULL ? parent : "", parent != NULL && parent[0] ? "." : "", key);
  else (void)snprintf(buf, len, "%s[%d]", parent != NULL ? parent : "", (int)index);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Edit distance with adjacent transpositions counted once (optimal string alignment), case-insensitive. */
static PetscInt PhLevenshtein(const char *a, const char *b)
{
  PetscInt la = (PetscInt)strlen(a), lb = (PetscInt)strlen(b), d[64][64];

  if (la >= 63 || lb >= 63) return 1000;
  for (PetscInt i = 0; i <= la; i++) d[i][0] = i;
  for (PetscInt j = 0; j <= lb; j++) d[0][j] = j;
  for (PetscInt i = 1; i <= la; i++) {
    for (PetscInt j = 1; j <= lb; j++) {
      PetscInt cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);

      d[i][j] = PetscMin(PetscMin(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
          tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]))
        d[i][j] = PetscMin(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[la][lb];
}

/* The closest candidate within a distance that reads as a typo (a third of the word, at least 1), or NULL. */
PetscErrorCode PhLevenshteinSuggest_Private(const char word[], PetscInt n, const char *const candidates[], const char **best)
{
  PetscInt best_d = 1000, limit = PetscMax(1, (PetscInt)strlen(word) / 3);

  PetscFunctionBeginUser;
  *best = NULL;
  for (PetscInt i = 0; i < n; i++) {
    PetscInt d;

    if (candidates[i] == NULL) continue; /* a name that was itself reported */
    d = PhLevenshtein(word, candidates[i]);

    if (d < best_d && d <= limit) {
      best_d = d;
      *best  = candidates[i];
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaCheckKeys_Private(PhLoader *ld, const PhNode *map, const char path[], const char *const allowed[])
{
  PetscInt n = 0;

  PetscFunctionBeginUser;
  if (map == NULL || map->type != PH_NODE_MAP) PetscFunctionReturn(PETSC_SUCCESS);
  while (allowed[n] != NULL) n++;
  for (PetscInt i = 0; i < map->n; i++) {
    const char *key   = map->keys[i]->value, *best;
    PetscBool   known = PETSC_FALSE;
    char        sub[512];

    for (PetscInt j = 0; j < n; j++)
      if (!strcmp(key, allowed[j])) known = PETSC_TRUE;
    if (known || map->keys[i]->bad) continue;
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
    PetscCall(PhLevenshteinSuggest_Private(key, n, allowed, &best));
    if (best != NULL) {
      PetscCall(PhDiagAdd(ld->diag, map->keys[i]->loc, sub, "unknown key \"%s\"; did you mean \"%s\"?", key, best));
      if (ld->nsuggested == ld->suggested_cap) {
        PhSuggestion *bigger;

        ld->suggested_cap = ld->suggested_cap ? 2 * ld->suggested_cap : 16;
        PetscCall(PetscMalloc1(ld->suggested_cap, &bigger));
        if (ld->nsuggested) PetscCall(PetscMemcpy(bigger, ld->suggested, ld->nsuggested * sizeof(*bigger)));
        PetscCall(PetscFree(ld->suggested));
        ld->suggested = bigger;
      }
      ld->suggested[ld->nsuggested].map   = map;
      ld->suggested[ld->nsuggested++].key = best;
    } else {
      char   list[400];
      size_t used = 0;

      list[0] = '\0';
      for (PetscInt j = 0; j < n && used < sizeof(list) - 40; j++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", j ? ", " : "", allowed[j]);
      PetscCall(PhDiagAdd(ld->diag, map->keys[i]->loc, sub, "unknown key \"%s\" (known keys here: %s)", key, list));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaExpectMap_Private(PhLoader *ld, const PhNode *node, const char path[], PetscBool *ok)
{
  PetscFunctionBeginUser;
  *ok = (PetscBool)(node != NULL && node->type == PH_NODE_MAP);
  if (!*ok && node != NULL) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected a mapping of keys, got %s", PhNodeTypeName_Private(node)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  "missing required key (detail)" at `loc` (usually the mapping), unless the key was given misspelt: then the
  unknown-key line with its suggestion already says it (one line per problem).
*/
PetscErrorCode PhSchemaMissing_Private(PhLoader *ld, const PhNode *map, PhSourceLoc loc, const char path[], const char key[], const char detail[])
{
  char sub[512];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ld->nsuggested; i++)
    if (ld->suggested[i].map == map && !strcmp(ld->suggested[i].key, key)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhDiagAdd(ld->diag, loc, sub, "missing required key (%s)", detail));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhMissing(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char what[])
{
  char detail[300];

  PetscFunctionBeginUser;
  (void)snprintf(detail, sizeof(detail), "expected %s", what);
  PetscCall(PhSchemaMissing_Private(ld, map, map->loc, path, key, detail));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Evaluate one scalar node as a quantity of `type`; ${} values are recorded for the resolved case. */
PetscErrorCode PhSchemaNodeQuantity_Private(PhLoader *ld, PhNode *node, const char path[], PhQuantityType type, PetscReal *value, PetscBool *ok)
{
  PhQuantity q;
  char       reason[PH_REASON_LEN];

  PetscFunctionBeginUser;
  *ok    = PETSC_FALSE;
  *value = 0;
  if (node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected %s, got %s", PhQuantityTypeDescription(type), PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  ld->param_failed = PETSC_FALSE;
  PetscCall(PhUnitsParse(node->value, type, PhParamLookup_Private, ld, &q, value, ok, reason, sizeof(reason)));
  if (!*ok && ld->param_failed) PetscFunctionReturn(PETSC_SUCCESS); /* reported at the parameter's definition */
  if (*ok && strstr(node->value, "${") != NULL) {
    char buf[128];

    PetscCall(PhUnitsFormatQuantity(&q, buf, sizeof(buf)));
    PetscCall(PhPoolStrdup_Private(&ld->pool, buf, &node->resolved));
  }
  if (*ok && !isfinite(*value)) {
    *ok = PETSC_FALSE;
    (void)snprintf(reason, sizeof(reason), "value is not finite");
  }
  if (!*ok) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "%s", reason));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaQuantity_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PhQuantityType type, PetscBool required,
                                        PetscReal def, PetscReal *value, PetscBool *present)
{
  PhNode   *node = PhNodeGet_Private(map, key);
  char      sub[512];
  PetscBool ok;

  PetscFunctionBeginUser;
  *value = def;
  if (present != NULL) *present = PETSC_FALSE;
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhMissing(ld, map, path, key, PhQuantityTypeDescription(type)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhSchemaNodeQuantity_Private(ld, node, sub, type, value, &ok));
  if (!ok) *value = def;
  if (present != NULL) *present = ok;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A whole number in [lo, hi]; *valid (may be NULL) is false when the key is given with a bad value (then *value is def). */
PetscErrorCode PhSchemaInt_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, PetscInt def,
                                   PetscInt lo, PetscInt hi, PetscInt *value, PetscBool *valid)
{
  PhNode   *node = PhNodeGet_Private(map, key);
  char      sub[512];
  PetscReal v;
  PetscBool ok;

  PetscFunctionBeginUser;
  *value = def;
  if (valid != NULL) *valid = PETSC_TRUE;
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhMissing(ld, map, path, key, "a whole number"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (valid != NULL) *valid = PETSC_FALSE;
  if (node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a whole number, got %s", PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  {
    char       reason[PH_REASON_LEN];
    PhQuantity q;

    ld->param_failed = PETSC_FALSE;
    PetscCall(PhUnitsParse(node->value, PH_QT_DIMENSIONLESS, PhParamLookup_Private, ld, &q, &v, &ok, reason, sizeof(reason)));
    if (!ok && ld->param_failed) PetscFunctionReturn(PETSC_SUCCESS);
    if (!ok) {
      PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a whole number, got \"%s\"", node->value));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  if (v != floor(v) || v < (PetscReal)lo || v > (PetscReal)hi) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a whole number from %d to %d, got \"%s\"", (int)lo, (int)hi, node->value));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (strstr(node->value, "${") != NULL) {
    char buf[64];

    (void)snprintf(buf, sizeof(buf), "%d", (int)v);
    PetscCall(PhPoolStrdup_Private(&ld->pool, buf, &node->resolved));
  }
  *value = (PetscInt)v;
  if (valid != NULL) *valid = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaBool_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool def, PetscBool *value)
{
  PhNode     *node = PhNodeGet_Private(map, key);
  const char *t[]  = {"true", "True", "TRUE", "yes", "Yes", "on"};
  const char *f[]  = {"false", "False", "FALSE", "no", "No", "off"};
  char        sub[512];

  PetscFunctionBeginUser;
  *value = def;
  if (PhNodeIsNull_Private(node) || node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  if (node->type == PH_NODE_SCALAR) {
    for (int i = 0; i < 6; i++) {
      if (!strcmp(node->value, t[i])) {
        *value = PETSC_TRUE;
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      if (!strcmp(node->value, f[i])) {
        *value = PETSC_FALSE;
        PetscFunctionReturn(PETSC_SUCCESS);
      }
    }
  }
  PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected true or false, got %s%s%s", node->type == PH_NODE_SCALAR ? "\"" : "",
                      node->type == PH_NODE_SCALAR ? node->value : PhNodeTypeName_Private(node), node->type == PH_NODE_SCALAR ? "\"" : ""));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A string value, copied into *value (owned by the caller's case; free with PetscFree()). */
PetscErrorCode PhSchemaString_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, const char *def,
                                      char **value)
{
  PhNode *node = PhNodeGet_Private(map, key);
  char    sub[512];

  PetscFunctionBeginUser;
  *value = NULL;
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhMissing(ld, map, path, key, "a name"));
    PetscCall(PetscStrallocpy(def, value));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a text value, got %s", PhNodeTypeName_Private(node)));
    PetscCall(PetscStrallocpy(def, value));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrallocpy(node->value, value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaEnum_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char *const names[], PetscInt def,
                                    PetscInt *value)
{
  PhNode     *node = PhNodeGet_Private(map, key);
  PetscInt    n    = 0;
  char        sub[512], list[256];
  const char *best;
  size_t      used = 0;

  PetscFunctionBeginUser;
  *value = def;
  if (PhNodeIsNull_Private(node) || node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  while (names[n] != NULL) n++;
  if (node->type == PH_NODE_SCALAR) {
    for (PetscInt i = 0; i < n; i++) {
      if (!strcmp(node->value, names[i])) {
        *value = i;
        PetscFunctionReturn(PETSC_SUCCESS);
      }
    }
  }
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  list[0] = '\0';
  for (PetscInt i = 0; i < n; i++) used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? " | " : "", names[i]);
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected one of %s, got %s", list, PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhLevenshteinSuggest_Private(node->value, n, names, &best));
  if (best != NULL) PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected one of %s, got \"%s\"; did you mean \"%s\"?", list, node->value, best));
  else PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected one of %s, got \"%s\"", list, node->value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* `key: [lo, hi]`, two lengths with hi > lo. */
PetscErrorCode PhSchemaRange_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, PetscReal *lo,
                                     PetscReal *hi, PetscBool *present)
{
  PhNode   *node = PhNodeGet_Private(map, key);
  char      sub[512], item[540];
  PetscBool ok0, ok1;

  PetscFunctionBeginUser;
  *lo = *hi = 0;
  *present  = PETSC_FALSE;
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhMissing(ld, map, path, key, "a range such as [0, 10 mm]"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  if (node->type != PH_NODE_SEQ || node->n != 2) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a range of two lengths such as [0, 10 mm], got %s%s",
                        node->type == PH_NODE_SEQ ? "a list of length " : PhNodeTypeName_Private(node),
                        node->type == PH_NODE_SEQ ? (node->n == 1 ? "1" : (node->n == 0 ? "0" : "more than 2")) : ""));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, 0));
  PetscCall(PhSchemaNodeQuantity_Private(ld, node->values[0], item, PH_QT_LENGTH, lo, &ok0));
  PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, 1));
  PetscCall(PhSchemaNodeQuantity_Private(ld, node->values[1], item, PH_QT_LENGTH, hi, &ok1));
  if (!ok0 || !ok1) PetscFunctionReturn(PETSC_SUCCESS);
  if (!(*hi > *lo)) {
    char a[64], b[64];

    PetscCall(PhUnitsFormat(*lo, PH_QT_LENGTH, a, sizeof(a)));
    PetscCall(PhUnitsFormat(*hi, PH_QT_LENGTH, b, sizeof(b)));
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "empty or reversed range [%s, %s]: the upper bound must exceed the lower bound", a, b));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *present = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Resolve a name node against a list of names; "unknown block "x"; did you mean "y"?". */
PetscErrorCode PhSchemaFindName_Private(PhLoader *ld, const PhNode *node, const char path[], const char *what, PetscInt n, const char *const names[],
                                        PetscInt *index)
{
  const char *best;

  PetscFunctionBeginUser;
  *index = -1;
  if (node == NULL || node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected the name of a %s, got %s", what, PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt i = 0; i < n; i++) {
    if (names[i] != NULL && !strcmp(names[i], node->value)) {
      *index = i;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  /* a NULL name is one reported as bad (missing, invalid or defined twice): this may well name that one */
  for (PetscInt i = 0; i < n; i++)
    if (names[i] == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhLevenshteinSuggest_Private(node->value, n, names, &best));
  if (best != NULL) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "unknown %s \"%s\"; did you mean \"%s\"?", what, node->value, best));
  else PetscCall(PhDiagAdd(ld->diag, node->loc, path, "unknown %s \"%s\"", what, node->value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  A name: a scalar of letters, digits, '_', '-' and '.', unique among the `nseen` names before it (NULL entries are
  skipped); `noun` is what it names ("block"). *line receives the line of the name, for "defined twice (first at line N)".
*/
PetscErrorCode PhSchemaName_Private(PhLoader *ld, const PhNode *map, const char path[], const char noun[], PetscInt nseen, char *const seen[],
                                    const PetscInt seen_lines[], char **name, PetscInt *line)
{
  PhNode *node = PhNodeGet_Private(map, "name");
  char    sub[512], what[64];

  PetscFunctionBeginUser;
  *name = NULL;
  *line = 0;
  (void)snprintf(what, sizeof(what), "a %s name", noun);
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "name", -1));
  if (PhNodeIsNull_Private(node)) {
    PetscCall(PhMissing(ld, map, path, "name", what));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected %s, got %s", what, PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (const char *c = node->value; *c; c++) {
    if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == '.')) {
      PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "\"%s\" is not a valid name (letters, digits, '_', '-' and '.' only)", node->value));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  for (PetscInt i = 0; i < nseen; i++) {
    if (seen[i] != NULL && !strcmp(seen[i], node->value)) {
      /* reported; the second one keeps no name, so that references resolve to the first and nothing more is said */
      PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "%s \"%s\" is defined twice (first at line %d)", noun, node->value, (int)seen_lines[i]));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PetscStrallocpy(node->value, name));
  *line = node->loc.line;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  ${name} lookup for expressions: parameters are evaluated once, on first use. A parameter with a problem is reported
  once, at its definition; every value that uses it then fails with ld->param_failed set and adds nothing. A cycle is
  one line at the definition of its first parameter: "parameter cycle: a -> b -> a".
*/
PetscErrorCode PhParamLookup_Private(void *ctx, const char name[], PhQuantity *q, PetscBool *found, PetscBool *valid, char *reason, size_t reason_len)
{
  PhLoader *ld = (PhLoader *)ctx;

  PetscFunctionBeginUser;
  *found = PETSC_FALSE;
  *valid = PETSC_FALSE;
  for (PetscInt i = 0; i < ld->nparams; i++) {
    PhParamSlot *p = &ld->params[i];

    if (strcmp(p->name, name)) continue;
    *found = PETSC_TRUE;
    if (p->state == PH_PARAM_ACTIVE) {
      char     chain[1024], path[300];
      size_t   used  = 0;
      PetscInt first = 0;

      while (first < ld->nactive && ld->active[first] != p) first++;
      chain[0] = '\0';
      for (PetscInt j = first; j < ld->nactive && used < sizeof(chain); j++)
        used += (size_t)snprintf(chain + used, sizeof(chain) - used, "%s -> ", ld->active[j]->name);
      if (used < sizeof(chain)) (void)snprintf(chain + used, sizeof(chain) - used, "%s", name);
      (void)snprintf(path, sizeof(path), "parameters.%s", name);
      PetscCall(PhDiagAdd(ld->diag, p->node->loc, path, "parameter cycle: %s", chain));
      (void)snprintf(reason, reason_len, "parameter ${%s} is part of a cycle", name);
      ld->param_failed = PETSC_TRUE;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (p->state == PH_PARAM_PENDING) {
      char      why[PH_REASON_LEN];
      PetscBool outer = ld->param_failed;

      p->state                  = PH_PARAM_ACTIVE;
      ld->active[ld->nactive++] = p;
      ld->param_failed          = PETSC_FALSE;
      why[0]                    = '\0';
      if (p->node->bad) { /* reported */
        p->valid         = PETSC_FALSE;
        ld->param_failed = PETSC_TRUE;
      } else if (p->node->type != PH_NODE_SCALAR) {
        p->valid = PETSC_FALSE;
        (void)snprintf(why, sizeof(why), "expected a value, got %s", PhNodeTypeName_Private(p->node));
      } else PetscCall(PhUnitsEvaluate(p->node->value, PhParamLookup_Private, ld, &p->q, &p->valid, why, sizeof(why)));
      ld->nactive--;
      p->state = PH_PARAM_DONE;
      if (!p->valid && !ld->param_failed) {
        char path[300];

        (void)snprintf(path, sizeof(path), "parameters.%s", name);
        if (strstr(why, "unexpected") == why || strstr(why, "unknown unit") == why || strstr(why, "empty value") == why)
          PetscCall(PhDiagAdd(ld->diag, p->node->loc, path, "expected a value such as \"1.5 mm\" or \"700 W\", got \"%s\" (%s)", p->node->value,
                              why));
        else PetscCall(PhDiagAdd(ld->diag, p->node->loc, path, "%s", why));
      } else if (p->valid && strstr(p->node->value, "${") != NULL) {
        char buf[128];

        PetscCall(PhUnitsFormatQuantity(&p->q, buf, sizeof(buf)));
        PetscCall(PhPoolStrdup_Private(&ld->pool, buf, &p->node->resolved));
      }
      ld->param_failed = outer;
    }
    if (!p->valid) {
      (void)snprintf(reason, reason_len, "parameter ${%s} is invalid (see its definition)", name);
      ld->param_failed = PETSC_TRUE;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    *q     = p->q;
    *valid = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaParameters(PhLoader *ld)
{
  PhNode *params = PhNodeGet_Private(ld->root, "parameters");
  PhCase  pb     = ld->problem;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(params)) PetscFunctionReturn(PETSC_SUCCESS);
  if (params->type != PH_NODE_MAP) {
    PetscCall(PhDiagAdd(ld->diag, params->loc, "parameters", "expected a mapping of name: value, got %s", PhNodeTypeName_Private(params)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscCalloc1(params->n, &ld->params));
  PetscCall(PhPoolAdd_Private(&ld->pool, ld->params));
  PetscCall(PetscCalloc1(params->n, &ld->active));
  PetscCall(PhPoolAdd_Private(&ld->pool, ld->active));
  PetscCall(PetscCalloc1(params->n, &pb->parameters));
  ld->nparams = pb->nparameters = params->n;
  for (PetscInt i = 0; i < params->n; i++) {
    const char *name = params->keys[i]->value;
    PetscBool   ok   = (PetscBool)(isalpha((unsigned char)name[0]) || name[0] == '_');

    for (const char *c = name; *c; c++)
      if (!(isalnum((unsigned char)*c) || *c == '_')) ok = PETSC_FALSE;
    if (!ok && !params->keys[i]->bad) {
      char path[300];

      (void)snprintf(path, sizeof(path), "parameters.%s", name);
      PetscCall(PhDiagAdd(ld->diag, params->keys[i]->loc, path,
                          "\"%s\" is not a valid parameter name (letters, digits and '_', not starting with a digit)", name));
    }
    ld->params[i].name  = name;
    ld->params[i].node  = params->values[i];
    ld->params[i].state = PH_PARAM_PENDING;
    PetscCall(PetscStrallocpy(name, &pb->parameters[i].name));
    PetscCall(PetscStrallocpy(params->values[i]->type == PH_NODE_SCALAR ? params->values[i]->value : "", &pb->parameters[i].text));
    pb->parameters[i].by_option = (PetscBool)(params->values[i]->loc.line == 0 && params->values[i]->loc.file != NULL &&
                                              !strncmp(params->values[i]->loc.file, "-P ", 3));
  }
  for (PetscInt i = 0; i < params->n; i++) {
    PhQuantity q;
    PetscBool  found, valid;
    char       reason[PH_REASON_LEN];

    PetscCall(PhParamLookup_Private(ld, ld->params[i].name, &q, &found, &valid, reason, sizeof(reason)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  "[kx, ky, kz] UNIT" written as one quoted scalar: YAML does not allow text after a flow list, so the form of
  DESIGN §3.3 has to be quoted. The unit applies to each of the three numbers.
*/
static PetscErrorCode PhSchemaConductivityList(PhLoader *ld, PhNode *node, const char path[], PetscReal k[3])
{
  const char *close = strchr(node->value, ']');
  char        inner[256], unit[64], item[300], reason[PH_REASON_LEN];
  char       *save = NULL, *tok;
  PetscInt    n    = 0;

  PetscFunctionBeginUser;
  if (close == NULL || (size_t)(close - node->value) >= sizeof(inner) || strlen(close + 1) >= sizeof(unit)) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected \"[kx, ky, kz] W/m/K\", got \"%s\"", node->value));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  memcpy(inner, node->value + 1, (size_t)(close - node->value) - 1);
  inner[close - node->value - 1] = '\0';
  (void)snprintf(unit, sizeof(unit), "%s", close + 1);
  for (tok = strtok_r(inner, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    PetscBool ok;

    if (n == 3) {
      n++;
      break;
    }
    (void)snprintf(item, sizeof(item), "%s %s", tok, unit);
    ld->param_failed = PETSC_FALSE;
    PetscCall(PhUnitsParse(item, PH_QT_CONDUCTIVITY, PhParamLookup_Private, ld, NULL, &k[n], &ok, reason, sizeof(reason)));
    if (!ok) {
      if (!ld->param_failed) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "%s", reason));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (!(k[n] > 0)) {
      PetscCall(PhDiagAdd(ld->diag, node->loc, path, "a conductivity must be positive, got %g W/m/K", (double)k[n]));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    n++;
  }
  if (n != 3) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected three conductivities \"[kx, ky, kz] W/m/K\", got \"%s\"", node->value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaMaterials(PhLoader *ld)
{
  static const char *const keys[] = {"k", "rho", "cp", "k_exponent", NULL};
  PhNode                  *mats   = PhNodeGet_Private(ld->root, "materials");
  PhCase                   pb     = ld->problem;
  PetscBool                ok;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(mats)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaExpectMap_Private(ld, mats, "materials", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscCalloc1(mats->n, &pb->materials));
  pb->nmaterials = mats->n;
  for (PetscInt m = 0; m < mats->n; m++) {
    PhMaterial *mat = &pb->materials[m];
    PhNode     *map = mats->values[m], *k;
    char        path[512], sub[540];

    PetscCall(PetscStrallocpy(mats->keys[m]->value, &mat->name));
    mat->loc = mats->keys[m]->loc;
    PetscCall(PhSchemaPath_Private(path, sizeof(path), "materials", mat->name, -1));
    PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    PetscCall(PhSchemaCheckKeys_Private(ld, map, path, keys));
    k = PhNodeGet_Private(map, "k");
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "k", -1));
    if (PhNodeIsNull_Private(k)) PetscCall(PhMissing(ld, map, path, "k", PhQuantityTypeDescription(PH_QT_CONDUCTIVITY)));
    else if (k->type == PH_NODE_SEQ) {
      /* [kx, ky, kz] W/m/K: the unit after the list applies to each; YAML gives us the items only */
      if (k->n != 3) PetscCall(PhDiagAdd(ld->diag, k->loc, sub, "expected one conductivity or three [kx, ky, kz], got a list of %d", (int)k->n));
      else {
        for (PetscInt d = 0; d < 3; d++) {
          char item[560];

          PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, d));
          PetscCall(PhSchemaNodeQuantity_Private(ld, k->values[d], item, PH_QT_CONDUCTIVITY, &mat->k[d], &ok));
          if (ok && !(mat->k[d] > 0))
            PetscCall(PhDiagAdd(ld->diag, k->values[d]->loc, item, "a conductivity must be positive, got %g W/m/K", (double)mat->k[d]));
        }
      }
    } else if (k->type == PH_NODE_SCALAR && k->value[0] == '[' && !k->bad) {
      PetscCall(PhSchemaConductivityList(ld, k, sub, mat->k));
    } else {
      PetscCall(PhSchemaNodeQuantity_Private(ld, k, sub, PH_QT_CONDUCTIVITY, &mat->k[0], &ok));
      if (ok && !(mat->k[0] > 0)) PetscCall(PhDiagAdd(ld->diag, k->loc, sub, "a conductivity must be positive, got %g W/m/K", (double)mat->k[0]));
      mat->k[1] = mat->k[2] = mat->k[0];
    }
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "rho", PH_QT_DENSITY, PETSC_TRUE, 0, &mat->rho, &ok));
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "rho", -1));
    if (ok && !(mat->rho > 0))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "rho")->loc, sub, "a density must be positive, got %g kg/m^3", (double)mat->rho));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "cp", PH_QT_SPECIFIC_HEAT, PETSC_TRUE, 0, &mat->cp, &ok));
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "cp", -1));
    if (ok && !(mat->cp > 0))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "cp")->loc, sub, "a specific heat must be positive, got %g J/kg/K", (double)mat->cp));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "k_exponent", PH_QT_DIMENSIONLESS, PETSC_FALSE, 0, &mat->k_exponent, &ok));
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "k_exponent", -1));
    if (ok && PetscAbsReal(mat->k_exponent) > 5)
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "k_exponent")->loc, sub, "must be in [-5, 5], got %g", (double)mat->k_exponent));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhFindMaterial(PhLoader *ld, const PhNode *map, const char path[], PetscInt *index)
{
  PhCase       pb   = ld->problem;
  PhNode      *node = PhNodeGet_Private(map, "material");
  const char **names;
  char         sub[512];

  PetscFunctionBeginUser;
  *index = -1;
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "material", -1));
  if (PhNodeIsNull_Private(node)) {
    PetscCall(PhMissing(ld, map, path, "material", "the name of a material"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscMalloc1(pb->nmaterials + 1, &names));
  for (PetscInt i = 0; i < pb->nmaterials; i++) names[i] = pb->materials[i].name;
  PetscCall(PhSchemaFindName_Private(ld, node, sub, "material", pb->nmaterials, names, index));
  PetscCall(PetscFree(names));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A block must lie inside the footprint (DESIGN §3.4); `path` is its key path, such as stack[1].blocks[1]. */
static PetscErrorCode PhBlockInFootprint(PhLoader *ld, const PhBlock *blk, const char path[])
{
  PhCase pb = ld->problem;
  char   a[64], b[64], c[64], d[64];

  PetscFunctionBeginUser;
  if (blk->x0 >= pb->fx0 - PH_MERGE_DISTANCE && blk->x1 <= pb->fx1 + PH_MERGE_DISTANCE && blk->y0 >= pb->fy0 - PH_MERGE_DISTANCE &&
      blk->y1 <= pb->fy1 + PH_MERGE_DISTANCE)
    PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhUnitsFormat(blk->x0, PH_QT_LENGTH, a, sizeof(a)));
  PetscCall(PhUnitsFormat(blk->x1, PH_QT_LENGTH, b, sizeof(b)));
  PetscCall(PhUnitsFormat(blk->y0, PH_QT_LENGTH, c, sizeof(c)));
  PetscCall(PhUnitsFormat(blk->y1, PH_QT_LENGTH, d, sizeof(d)));
  PetscCall(PhDiagAdd(ld->diag, blk->loc, path, "block \"%s\" (x [%s, %s], y [%s, %s]) extends outside the footprint", blk->name ? blk->name : "?", a,
                      b, c, d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaGeometry(PhLoader *ld)
{
  static const char *const fkeys[] = {"x", "y", NULL};
  static const char *const gkeys[] = {"max_cell_xy", "max_cell_z", "max_ratio", NULL};
  static const char *const lkeys[] = {"name", "thickness", "material", "cells", "blocks", NULL};
  static const char *const bkeys[] = {"name", "material", "x", "y", NULL};
  static const char *const tkeys[] = {"name", "material", "x", "y", "layers", NULL};
  PhCase                   pb      = ld->problem;
  PhNode                  *foot = PhNodeGet_Private(ld->root, "footprint"), *grid = PhNodeGet_Private(ld->root, "grid");
  PhNode *stack = PhNodeGet_Private(ld->root, "stack"), *blocks = PhNodeGet_Private(ld->root, "blocks"), *mesh = PhNodeGet_Private(ld->root, "mesh");
  PetscBool    ok, present, px, py, have_foot = PETSC_FALSE;
  PetscReal    z       = 0;
  PetscInt     nblocks = 0, *layer_lines, *block_lines;
  const char **lnames;

  PetscFunctionBeginUser;
  if (!PhNodeIsNull_Private(mesh)) {
    static const char *const mkeys[] = {"file", NULL};

    PetscCall(PhSchemaExpectMap_Private(ld, mesh, "mesh", &ok));
    if (ok) {
      PhNode *file = PhNodeGet_Private(mesh, "file");

      PetscCall(PhSchemaCheckKeys_Private(ld, mesh, "mesh", mkeys));
      if (PhNodeIsNull_Private(file) || file->type != PH_NODE_SCALAR) {
        PetscCall(PhMissing(ld, mesh, "mesh", "file", "the path of a mesh file written by photherm mesh"));
        ld->no_geometry = PETSC_TRUE;
      } else if (file->bad) ld->no_geometry = PETSC_TRUE;
      else PetscCall(PhMeshFileLoadHeader_Private(ld, file, "mesh.file"));
    } else ld->no_geometry = PETSC_TRUE;
    if (!PhNodeIsNull_Private(stack))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "stack")->loc, "stack",
                          "give either stack (and blocks) or mesh: {file}, not both"));
    if (!PhNodeIsNull_Private(blocks))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "blocks")->loc, "blocks",
                          "top-level blocks cannot be added to a mesh read from a file"));
    if (!PhNodeIsNull_Private(grid))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "grid")->loc, "grid", "grid settings do not apply to a mesh read from a file"));
    if (!PhNodeIsNull_Private(foot))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "footprint")->loc, "footprint",
                          "the footprint of a mesh read from a file is the file's; remove footprint"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }

  /* footprint */
  if (PhNodeIsNull_Private(foot)) PetscCall(PhMissing(ld, ld->root, "", "footprint", "footprint: {x: [x0, x1], y: [y0, y1]}"));
  else {
    PetscCall(PhSchemaExpectMap_Private(ld, foot, "footprint", &ok));
    if (ok) {
      PetscCall(PhSchemaCheckKeys_Private(ld, foot, "footprint", fkeys));
      PetscCall(PhSchemaRange_Private(ld, foot, "footprint", "x", PETSC_TRUE, &pb->fx0, &pb->fx1, &px));
      PetscCall(PhSchemaRange_Private(ld, foot, "footprint", "y", PETSC_TRUE, &pb->fy0, &pb->fy1, &py));
      have_foot = (PetscBool)(px && py);
    }
  }

  /* grid */
  pb->max_ratio = 2.0;
  if (!PhNodeIsNull_Private(grid)) {
    PetscCall(PhSchemaExpectMap_Private(ld, grid, "grid", &ok));
    if (ok) {
      PetscCall(PhSchemaCheckKeys_Private(ld, grid, "grid", gkeys));
      PetscCall(PhSchemaQuantity_Private(ld, grid, "grid", "max_cell_xy", PH_QT_LENGTH, PETSC_FALSE, 0, &pb->max_cell_xy, &present));
      if (present && !(pb->max_cell_xy > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(grid, "max_cell_xy")->loc, "grid.max_cell_xy", "must be positive"));
      PetscCall(PhSchemaQuantity_Private(ld, grid, "grid", "max_cell_z", PH_QT_LENGTH, PETSC_FALSE, 0, &pb->max_cell_z, &present));
      if (present && !(pb->max_cell_z > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(grid, "max_cell_z")->loc, "grid.max_cell_z", "must be positive"));
      PetscCall(PhSchemaQuantity_Private(ld, grid, "grid", "max_ratio", PH_QT_DIMENSIONLESS, PETSC_FALSE, 2.0, &pb->max_ratio, &present));
      if (present && !(pb->max_ratio > 1.0 && pb->max_ratio <= 100.0)) {
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(grid, "max_ratio")->loc, "grid.max_ratio", "must be greater than 1 and at most 100, got %g",
                            (double)pb->max_ratio));
        pb->max_ratio = 2.0;
      }
    }
  }
  if (!(pb->max_cell_xy > 0) && have_foot) pb->max_cell_xy = PetscMax(pb->fx1 - pb->fx0, pb->fy1 - pb->fy0) / 64.0;

  /* stack */
  if (PhNodeIsNull_Private(stack)) {
    PetscCall(PhMissing(ld, ld->root, "", "stack", "a list of layers from bottom to top (or mesh: {file: ...})"));
    ld->no_geometry = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (stack->type != PH_NODE_SEQ || stack->n == 0) {
    PetscCall(PhDiagAdd(ld->diag, stack->loc, "stack", "expected a non-empty list of layers from bottom to top, got %s",
                        stack->type == PH_NODE_SEQ ? "an empty list" : PhNodeTypeName_Private(stack)));
    ld->no_geometry = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt l = 0; l < stack->n; l++) {
    PhNode *lb = PhNodeGet_Private(stack->values[l], "blocks");

    if (lb != NULL && lb->type == PH_NODE_SEQ) nblocks += lb->n;
  }
  if (!PhNodeIsNull_Private(blocks) && blocks->type == PH_NODE_SEQ) nblocks += blocks->n;
  PetscCall(PetscCalloc1(stack->n, &pb->layers));
  PetscCall(PetscCalloc1(PetscMax(nblocks, 1), &pb->blocks));
  PetscCall(PetscCalloc2(stack->n, &layer_lines, PetscMax(nblocks, 1), &block_lines));
  pb->nlayers = stack->n;
  for (PetscInt l = 0; l < stack->n; l++) {
    PhNode  *map   = stack->values[l], *lb;
    PhLayer *layer = &pb->layers[l];
    char     path[512];
    char   **seen;

    PetscCall(PhSchemaPath_Private(path, sizeof(path), "stack", NULL, l));
    layer->material = -1;
    layer->loc      = map->loc;
    PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    PetscCall(PhSchemaCheckKeys_Private(ld, map, path, lkeys));
    PetscCall(PetscMalloc1(l + 1, &seen));
    for (PetscInt i = 0; i < l; i++) seen[i] = pb->layers[i].name;
    PetscCall(PhSchemaName_Private(ld, map, path, "layer", l, seen, layer_lines, &layer->name, &layer_lines[l]));
    PetscCall(PetscFree(seen));
    {
      PetscReal t;

      PetscCall(PhSchemaQuantity_Private(ld, map, path, "thickness", PH_QT_LENGTH, PETSC_TRUE, 0, &t, &present));
      if (present && !(t > 0)) {
        char sub[540];

        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "thickness", -1));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "thickness")->loc, sub, "a layer thickness must be positive, got %g m", (double)t));
        t = 0;
      }
      layer->z0 = z;
      layer->z1 = z + t;
      z += t;
    }
    PetscCall(PhFindMaterial(ld, map, path, &layer->material));
    PetscCall(PhSchemaInt_Private(ld, map, path, "cells", PETSC_FALSE, 0, 1, 100000, &layer->cells, NULL));
    if (PhNodeGet_Private(map, "cells") != NULL) layer->cells_loc = PhNodeGet_Private(map, "cells")->loc;
    lb = PhNodeGet_Private(map, "blocks");
    if (!PhNodeIsNull_Private(lb)) {
      char bpath[540];

      PetscCall(PhSchemaPath_Private(bpath, sizeof(bpath), path, "blocks", -1));
      if (lb->type != PH_NODE_SEQ) PetscCall(PhDiagAdd(ld->diag, lb->loc, bpath, "expected a list of blocks, got %s", PhNodeTypeName_Private(lb)));
      else {
        for (PetscInt b = 0; b < lb->n; b++) {
          PhBlock *blk = &pb->blocks[pb->nblocks];
          char     sub[560];
          char   **bseen;

          PetscCall(PhSchemaPath_Private(sub, sizeof(sub), bpath, NULL, b));
          PetscCall(PhSchemaExpectMap_Private(ld, lb->values[b], sub, &ok));
          if (!ok) continue;
          PetscCall(PhSchemaCheckKeys_Private(ld, lb->values[b], sub, bkeys));
          PetscCall(PetscMalloc1(pb->nblocks + 1, &bseen));
          for (PetscInt i = 0; i < pb->nblocks; i++) bseen[i] = pb->blocks[i].name;
          PetscCall(PhSchemaName_Private(ld, lb->values[b], sub, "block", pb->nblocks, bseen, block_lines, &blk->name, &block_lines[pb->nblocks]));
          PetscCall(PetscFree(bseen));
          PetscCall(PhFindMaterial(ld, lb->values[b], sub, &blk->material));
          PetscCall(PhSchemaRange_Private(ld, lb->values[b], sub, "x", PETSC_TRUE, &blk->x0, &blk->x1, &px));
          PetscCall(PhSchemaRange_Private(ld, lb->values[b], sub, "y", PETSC_TRUE, &blk->y0, &blk->y1, &py));
          blk->layer_lo = blk->layer_hi = l;
          blk->z0                       = layer->z0;
          blk->z1                       = layer->z1;
          blk->in_layer                 = PETSC_TRUE;
          blk->loc                      = lb->values[b]->loc;
          if (have_foot && px && py && blk->name) PetscCall(PhBlockInFootprint(ld, blk, sub));
          pb->nblocks++;
        }
      }
    }
  }

  /* top-level blocks spanning layers */
  PetscCall(PetscMalloc1(pb->nlayers, &lnames));
  for (PetscInt l = 0; l < pb->nlayers; l++) lnames[l] = pb->layers[l].name;
  if (!PhNodeIsNull_Private(blocks)) {
    if (blocks->type != PH_NODE_SEQ)
      PetscCall(PhDiagAdd(ld->diag, blocks->loc, "blocks", "expected a list of blocks, got %s", PhNodeTypeName_Private(blocks)));
    else {
      for (PetscInt b = 0; b < blocks->n; b++) {
        PhBlock *blk = &pb->blocks[pb->nblocks];
        PhNode  *map = blocks->values[b], *layers;
        char     path[512], sub[540];
        char   **bseen;

        PetscCall(PhSchemaPath_Private(path, sizeof(path), "blocks", NULL, b));
        PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
        if (!ok) continue;
        PetscCall(PhSchemaCheckKeys_Private(ld, map, path, tkeys));
        PetscCall(PetscMalloc1(pb->nblocks + 1, &bseen));
        for (PetscInt i = 0; i < pb->nblocks; i++) bseen[i] = pb->blocks[i].name;
        PetscCall(PhSchemaName_Private(ld, map, path, "block", pb->nblocks, bseen, block_lines, &blk->name, &block_lines[pb->nblocks]));
        PetscCall(PetscFree(bseen));
        PetscCall(PhFindMaterial(ld, map, path, &blk->material));
        PetscCall(PhSchemaRange_Private(ld, map, path, "x", PETSC_TRUE, &blk->x0, &blk->x1, &px));
        PetscCall(PhSchemaRange_Private(ld, map, path, "y", PETSC_TRUE, &blk->y0, &blk->y1, &py));
        blk->in_layer = PETSC_FALSE;
        blk->loc      = map->loc;
        blk->layer_lo = blk->layer_hi = -1;
        if (have_foot && px && py && blk->name) PetscCall(PhBlockInFootprint(ld, blk, path));
        layers = PhNodeGet_Private(map, "layers");
        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "layers", -1));
        if (PhNodeIsNull_Private(layers)) PetscCall(PhMissing(ld, map, path, "layers", "[from, to]: the first and last layer the block spans"));
        else if (layers->type != PH_NODE_SEQ || layers->n != 2)
          PetscCall(PhDiagAdd(ld->diag, layers->loc, sub, "expected [from, to], the names of the first and last layer spanned"));
        else {
          char item[560];

          PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, 0));
          PetscCall(PhSchemaFindName_Private(ld, layers->values[0], item, "layer", pb->nlayers, lnames, &blk->layer_lo));
          PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, 1));
          PetscCall(PhSchemaFindName_Private(ld, layers->values[1], item, "layer", pb->nlayers, lnames, &blk->layer_hi));
          if (blk->layer_lo >= 0 && blk->layer_hi >= 0 && blk->layer_lo > blk->layer_hi) {
            PetscCall(PhDiagAdd(ld->diag, layers->loc, sub, "layer \"%s\" lies above \"%s\": give [from, to] from bottom to top",
                                lnames[blk->layer_lo], lnames[blk->layer_hi]));
            blk->layer_lo = blk->layer_hi = -1;
          }
          if (blk->layer_lo >= 0 && blk->layer_hi >= 0) {
            blk->z0 = pb->layers[blk->layer_lo].z0;
            blk->z1 = pb->layers[blk->layer_hi].z1;
          }
        }
        pb->nblocks++;
      }
    }
  }
  PetscCall(PetscFree(lnames));
  PetscCall(PetscFree2(layer_lines, block_lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const char *const PhFaceNames[PH_NFACES] = {"xmin", "xmax", "ymin", "ymax", "bottom", "top"};

const char *PhFaceName(PhFace face)
{
  return PhFaceNames[face];
}

static PetscErrorCode PhSchemaCondition(PhLoader *ld, PhNode *map, const char path[], PhFace face, PhBoundaryCondition *bc)
{
  static const char *const types[]  = {"adiabatic", "convection", "temperature", "flux", NULL};
  static const char *const k_adi[]  = {"type", "region", NULL};
  static const char *const k_conv[] = {"type", "h", "ambient", "region", NULL};
  static const char *const k_val[]  = {"type", "value", "region", NULL};
  PhCase                   pb       = ld->problem;
  PetscBool                ok, present;
  PetscInt                 type;
  PhNode                  *region;
  char                     sub[560];

  PetscBool bad = ld->bad_boundaries;

  PetscFunctionBeginUser;
  bc->loc = map->loc;
  PetscCall(PetscStrallocpy(path, &bc->path));
  PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
  if (!ok) {
    ld->bad_boundaries = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  ld->bad_boundaries = PETSC_TRUE; /* until the type is known */
  if (PhNodeIsNull_Private(PhNodeGet_Private(map, "type"))) {
    static const char *const k_all[] = {"type", "h", "ambient", "value", "region", NULL};

    PetscCall(PhSchemaCheckKeys_Private(ld, map, path, k_all));
    PetscCall(PhMissing(ld, map, path, "type", "adiabatic | convection | temperature | flux"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhSchemaEnum_Private(ld, map, path, "type", types, -1, &type));
  if (type < 0) PetscFunctionReturn(PETSC_SUCCESS);
  ld->bad_boundaries = bad;
  bc->type           = (PhBoundaryType)type;
  PetscCall(PhSchemaCheckKeys_Private(ld, map, path, type == PH_BC_ADIABATIC ? k_adi : (type == PH_BC_CONVECTION ? k_conv : k_val)));
  switch (bc->type) {
  case PH_BC_CONVECTION:
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "h", PH_QT_HEAT_TRANSFER, PETSC_TRUE, 0, &bc->h, &present));
    if (present && !(bc->h > 0)) {
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "h", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "h")->loc, sub, "a heat transfer coefficient must be positive, got %g W/m^2/K",
                          (double)bc->h));
    }
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "ambient", -1));
    if (PhNodeIsNull_Private(PhNodeGet_Private(map, "ambient")))
      PetscCall(PhMissing(ld, map, path, "ambient", PhQuantityTypeDescription(PH_QT_TEMPERATURE)));
    else PetscCall(PhSchemaSignal_Private(ld, PhNodeGet_Private(map, "ambient"), sub, PH_QT_TEMPERATURE, PETSC_FALSE, &bc->value));
    break;
  case PH_BC_TEMPERATURE:
  case PH_BC_FLUX:
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "value", -1));
    if (PhNodeIsNull_Private(PhNodeGet_Private(map, "value")))
      PetscCall(PhMissing(ld, map, path, "value", PhQuantityTypeDescription(bc->type == PH_BC_FLUX ? PH_QT_FLUX : PH_QT_TEMPERATURE)));
    else
      PetscCall(PhSchemaSignal_Private(ld, PhNodeGet_Private(map, "value"), sub, bc->type == PH_BC_FLUX ? PH_QT_FLUX : PH_QT_TEMPERATURE, PETSC_FALSE,
                                       &bc->value));
    break;
  default:
    break;
  }
  region = PhNodeGet_Private(map, "region");
  if (!PhNodeIsNull_Private(region)) {
    static const char *const rkeys[] = {"x", "y", NULL};

    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "region", -1));
    bc->region_loc = region->loc;
    if (face != PH_FACE_TOP && face != PH_FACE_BOTTOM) {
      PetscCall(PhDiagAdd(ld->diag, region->loc, sub, "a region can only limit a top or bottom condition"));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(PhSchemaExpectMap_Private(ld, region, sub, &ok));
    if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
    PetscCall(PhSchemaCheckKeys_Private(ld, region, sub, rkeys));
    {
      PetscBool px, py;

      PetscCall(PhSchemaRange_Private(ld, region, sub, "x", PETSC_TRUE, &bc->x0, &bc->x1, &px));
      PetscCall(PhSchemaRange_Private(ld, region, sub, "y", PETSC_TRUE, &bc->y0, &bc->y1, &py));
      bc->has_region = (PetscBool)(px && py);
      if (bc->has_region && pb->mesh_file == NULL &&
          (bc->x0 < pb->fx0 - PH_MERGE_DISTANCE || bc->x1 > pb->fx1 + PH_MERGE_DISTANCE || bc->y0 < pb->fy0 - PH_MERGE_DISTANCE ||
           bc->y1 > pb->fy1 + PH_MERGE_DISTANCE))
        PetscCall(PhDiagAdd(ld->diag, region->loc, sub, "the region extends outside the footprint"));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaBoundaries(PhLoader *ld)
{
  static const char *const keys[] = {"top", "bottom", "sides", "xmin", "xmax", "ymin", "ymax", NULL};
  PhCase                   pb     = ld->problem;
  PhNode                  *bnd    = PhNodeGet_Private(ld->root, "boundaries");
  PetscBool                ok;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(bnd)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaExpectMap_Private(ld, bnd, "boundaries", &ok));
  if (!ok) {
    ld->bad_boundaries = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhSchemaCheckKeys_Private(ld, bnd, "boundaries", keys));
  for (PetscInt f = 0; f < PH_NFACES; f++) {
    PhNode     *node = PhNodeGet_Private(bnd, PhFaceNames[f]);
    const char *key  = PhFaceNames[f];
    char        path[128];

    if (PhNodeIsNull_Private(node) && f <= PH_FACE_YMAX) {
      node = PhNodeGet_Private(bnd, "sides");
      key  = "sides";
    }
    if (PhNodeIsNull_Private(node)) continue;
    (void)snprintf(path, sizeof(path), "boundaries.%s", key);
    if (node->type == PH_NODE_SEQ) {
      PetscCall(PetscCalloc1(PetscMax(node->n, 1), &pb->boundaries[f].conditions));
      pb->boundaries[f].n = node->n;
      for (PetscInt i = 0; i < node->n; i++) {
        char sub[160];

        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, NULL, i));
        PetscCall(PhSchemaCondition(ld, node->values[i], sub, (PhFace)f, &pb->boundaries[f].conditions[i]));
      }
    } else {
      PetscCall(PetscCalloc1(1, &pb->boundaries[f].conditions));
      pb->boundaries[f].n = 1;
      PetscCall(PhSchemaCondition(ld, node, path, (PhFace)f, &pb->boundaries[f].conditions[0]));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A problem of the value of `key` in `map`, reported at that value with its own key path. */
static PetscErrorCode PhSignalProblem(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char why[])
{
  char sub[600];

  PetscFunctionBeginUser;
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, key)->loc, sub, "%s", why));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A power, temperature or flux that may vary in time: a constant, {trace: ...} or {pattern: ...} (DESIGN §3.6). */
PetscErrorCode PhSchemaSignal_Private(PhLoader *ld, PhNode *node, const char path[], PhQuantityType type, PetscBool nonnegative, PhSignal *sig)
{
  static const char *const tkeys[]    = {"trace", "column", "interpolate", "repeat", "scale", NULL};
  static const char *const sqkeys[]   = {"pattern", "period", "duty", "high", "low", "delay", NULL};
  static const char *const sinkeys[]  = {"pattern", "period", "mean", "amplitude", "delay", NULL};
  static const char *const stkeys[]   = {"pattern", "times", "values", NULL};
  static const char *const patterns[] = {"square", "sine", "steps", NULL};
  static const char *const interps[]  = {"hold", "linear", NULL};
  PetscBool                ok, present;
  const char              *what = PhQuantityTypeDescription(type);

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(sig, sizeof(*sig)));
  sig->type  = PH_SIGNAL_CONSTANT;
  sig->scale = 1.0;
  if (node->type == PH_NODE_SCALAR) {
    PetscCall(PhSchemaNodeQuantity_Private(ld, node, path, type, &sig->value, &ok));
    if (ok && nonnegative && sig->value < 0) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "must not be negative, got \"%s\"", node->value));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (node->type != PH_NODE_MAP) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, path,
                        "expected %s, {trace: file.csv, column: name} or {pattern: square | sine | steps, ...}, got a list", what));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!PhNodeIsNull_Private(PhNodeGet_Private(node, "trace"))) {
    PhNode       *file = PhNodeGet_Private(node, "trace"), *col = PhNodeGet_Private(node, "column");
    PhTraceTable *table = NULL;
    PetscInt      interp, c = -1;
    char          sub[600], tsub[600];

    sig->type = PH_SIGNAL_TRACE;
    PetscCall(PhSchemaCheckKeys_Private(ld, node, path, tkeys));
    PetscCall(PhSchemaEnum_Private(ld, node, path, "interpolate", interps, 0, &interp));
    sig->linear = (PetscBool)(interp == 1);
    PetscCall(PhSchemaBool_Private(ld, node, path, "repeat", PETSC_FALSE, &sig->repeat));
    PetscCall(PhSchemaQuantity_Private(ld, node, path, "scale", PH_QT_DIMENSIONLESS, PETSC_FALSE, 1.0, &sig->scale, &present));
    if (present && !(sig->scale >= 0)) {
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "scale", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(node, "scale")->loc, sub, "must not be negative, got %g", (double)sig->scale));
    }
    PetscCall(PhSchemaPath_Private(tsub, sizeof(tsub), path, "trace", -1));
    if (file->bad) PetscFunctionReturn(PETSC_SUCCESS);
    if (file->type != PH_NODE_SCALAR) {
      PetscCall(PhDiagAdd(ld->diag, file->loc, tsub, "expected the path of a CSV file, got %s", PhNodeTypeName_Private(file)));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(PhTraceLoad_Private(ld, file, tsub, &table));
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "column", -1));
    if (PhNodeIsNull_Private(col)) {
      PetscCall(PhMissing(ld, node, path, "column", "the name of a column of the trace"));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (table == NULL || !table->ok) PetscFunctionReturn(PETSC_SUCCESS);
    PetscCall(PhSchemaFindName_Private(ld, col, sub, "trace column", table->ncols - 1, (const char *const *)table->names + 1, &c));
    if (c < 0) PetscFunctionReturn(PETSC_SUCCESS);
    c++;
    {
      PetscReal   vscale = 1, voffset = 0;
      PetscBool   vv = PETSC_TRUE;
      char        reason[PH_REASON_LEN];
      PhSourceLoc head = {table->path, table->header_line, table->header_columns[c]};

      /* problems of the column are reported once, in the trace file, whichever source names the column first */
      if (!table->unit_ok[c] || table->reported[c]) PetscFunctionReturn(PETSC_SUCCESS);
      if (table->units[c] != NULL) PetscCall(PhUnitsAffine(table->units[c], type, &vscale, &voffset, &vv, reason, sizeof(reason)));
      else if (type == PH_QT_TEMPERATURE) {
        vv = PETSC_FALSE;
        (void)snprintf(reason, sizeof(reason), "a temperature column needs its unit in the header, such as \"%s [C]\"", table->names[c]);
      }
      if (!vv) {
        PetscCall(PhDiagAdd(ld->diag, head, tsub, "column \"%s\"%s%s%s: %s", table->names[c], table->units[c] ? " [" : "",
                            table->units[c] ? table->units[c] : "", table->units[c] ? "]" : "", reason));
        table->reported[c] = PETSC_TRUE;
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      PetscCall(PetscMalloc2(table->nrows, &sig->t, table->nrows, &sig->v));
      sig->n = table->nrows;
      for (PetscInt r = 0; r < table->nrows; r++) {
        PetscReal v = vscale * table->data[r * table->ncols + c] + voffset;

        sig->t[r] = table->tscale * table->data[r * table->ncols] + table->toffset;
        sig->v[r] = sig->scale * v;
        if (nonnegative && v < 0 && !table->reported[c]) { /* whatever the scale: a negative scale is its own problem */
          PhSourceLoc cell = {table->path, table->lines[r], table->columns[r * table->ncols + c]};

          PetscCall(PhDiagAdd(ld->diag, cell, tsub, "negative value %g in column \"%s\"", (double)table->data[r * table->ncols + c],
                              table->names[c]));
          table->reported[c] = PETSC_TRUE;
        }
        if (type == PH_QT_TEMPERATURE && !(v > 0) && !table->reported[c]) {
          PhSourceLoc cell = {table->path, table->lines[r], table->columns[r * table->ncols + c]};

          PetscCall(PhDiagAdd(ld->diag, cell, tsub, "%g in column \"%s\" is below absolute zero", (double)table->data[r * table->ncols + c],
                              table->names[c]));
          table->reported[c] = PETSC_TRUE;
        }
      }
      PetscCall(PetscStrallocpy(table->path, &sig->file));
      PetscCall(PetscStrallocpy(table->names[c], &sig->column));
      if (sig->repeat && !(sig->n >= 2)) {
        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "repeat", -1));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(node, "repeat")->loc, sub, "repeat: true needs a trace of at least two rows"));
      }
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!PhNodeIsNull_Private(PhNodeGet_Private(node, "pattern"))) {
    PetscInt       pattern;
    PhQuantityType dtype = type == PH_QT_TEMPERATURE ? PH_QT_TEMPERATURE_DIFFERENCE : type;
    char           sub[600];

    PetscCall(PhSchemaEnum_Private(ld, node, path, "pattern", patterns, -1, &pattern));
    if (pattern < 0) {
      static const char *const all[] = {"pattern", "period", "duty", "high", "low", "delay", "mean", "amplitude", "times", "values", NULL};

      PetscCall(PhSchemaCheckKeys_Private(ld, node, path, all));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (pattern == 0) {
      sig->type = PH_SIGNAL_SQUARE;
      PetscCall(PhSchemaCheckKeys_Private(ld, node, path, sqkeys));
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "period", PH_QT_TIME, PETSC_TRUE, 0, &sig->period, &present));
      if (present && !(sig->period > 0)) PetscCall(PhSignalProblem(ld, node, path, "period", "must be positive"));
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "duty", PH_QT_DIMENSIONLESS, PETSC_TRUE, 0.5, &sig->duty, &present));
      if (present && !(sig->duty >= 0 && sig->duty <= 1)) {
        char why[64];

        (void)snprintf(why, sizeof(why), "must be in [0, 1], got %g", (double)sig->duty);
        PetscCall(PhSignalProblem(ld, node, path, "duty", why));
      }
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "high", type, PETSC_TRUE, 0, &sig->high, &present));
      if (present && nonnegative && sig->high < 0) PetscCall(PhSignalProblem(ld, node, path, "high", "must not be negative"));
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "low", type, PETSC_TRUE, 0, &sig->low, &present));
      if (present && nonnegative && sig->low < 0) PetscCall(PhSignalProblem(ld, node, path, "low", "must not be negative"));
    } else if (pattern == 1) {
      sig->type = PH_SIGNAL_SINE;
      PetscCall(PhSchemaCheckKeys_Private(ld, node, path, sinkeys));
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "period", PH_QT_TIME, PETSC_TRUE, 0, &sig->period, &present));
      if (present && !(sig->period > 0)) PetscCall(PhSignalProblem(ld, node, path, "period", "must be positive"));
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "mean", type, PETSC_TRUE, 0, &sig->mean, &present));
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "amplitude", dtype, PETSC_TRUE, 0, &sig->amplitude, &ok));
      if (present && ok && type == PH_QT_TEMPERATURE && !(sig->mean - PetscAbsReal(sig->amplitude) > 0))
        PetscCall(PhDiagAdd(ld->diag, node->loc, path, "mean - amplitude falls below absolute zero"));
      if (present && ok && nonnegative && sig->mean - PetscAbsReal(sig->amplitude) < 0)
        PetscCall(PhDiagAdd(ld->diag, node->loc, path, "mean - amplitude is negative: the power would go below zero"));
    } else {
      PhNode *times = PhNodeGet_Private(node, "times"), *values = PhNodeGet_Private(node, "values");

      sig->type = PH_SIGNAL_STEPS;
      PetscCall(PhSchemaCheckKeys_Private(ld, node, path, stkeys));
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "times", -1));
      if (PhNodeIsNull_Private(times)) {
        PetscCall(PhMissing(ld, node, path, "times", "a list of times [t0, t1, ...]"));
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      if (times->type != PH_NODE_SEQ || times->n == 0) {
        PetscCall(PhDiagAdd(ld->diag, times->loc, sub, "expected a non-empty list of times [t0, t1, ...], got %s",
                            times->type == PH_NODE_SEQ ? "an empty list" : PhNodeTypeName_Private(times)));
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "values", -1));
      if (PhNodeIsNull_Private(values)) {
        char what[64];

        (void)snprintf(what, sizeof(what), "a list of %d values, one per time", (int)times->n);
        PetscCall(PhMissing(ld, node, path, "values", what));
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      if (values->type != PH_NODE_SEQ || values->n != times->n) {
        char got[64];

        if (values->type == PH_NODE_SEQ) (void)snprintf(got, sizeof(got), "a list of %d", (int)values->n);
        else (void)snprintf(got, sizeof(got), "%s", PhNodeTypeName_Private(values));
        PetscCall(PhDiagAdd(ld->diag, values->loc, sub, "expected a list as long as times (%d), got %s", (int)times->n, got));
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      sig->n = times->n;
      PetscCall(PetscMalloc2(sig->n, &sig->t, sig->n, &sig->v));
      for (PetscInt i = 0; i < sig->n; i++) {
        char item[620];

        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "times", -1));
        PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, i));
        PetscCall(PhSchemaNodeQuantity_Private(ld, times->values[i], item, PH_QT_TIME, &sig->t[i], &ok));
        if (ok && i > 0 && !(sig->t[i] > sig->t[i - 1])) PetscCall(PhDiagAdd(ld->diag, times->values[i]->loc, item, "times must strictly increase"));
        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "values", -1));
        PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, i));
        PetscCall(PhSchemaNodeQuantity_Private(ld, values->values[i], item, type, &sig->v[i], &ok));
        if (ok && nonnegative && sig->v[i] < 0) PetscCall(PhDiagAdd(ld->diag, values->values[i]->loc, item, "must not be negative"));
      }
    }
    if (sig->type != PH_SIGNAL_STEPS) {
      PetscCall(PhSchemaQuantity_Private(ld, node, path, "delay", PH_QT_TIME, PETSC_FALSE, 0, &sig->delay, &present));
      if (present && sig->delay < 0) PetscCall(PhSignalProblem(ld, node, path, "delay", "must not be negative"));
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected %s, {trace: file.csv, column: name} or {pattern: square | sine | steps, ...}", what));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* x and y given where they do not belong: one line, at the first of them. */
static PetscErrorCode PhMisplacedXY(PhLoader *ld, const PhNode *map, const char path[], const char where[])
{
  PhNode *x = PhNodeGetKey_Private(map, "x"), *y = PhNodeGetKey_Private(map, "y");
  char    sub[300];

  PetscFunctionBeginUser;
  if (x == NULL && y == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, x != NULL ? "x" : "y", -1));
  PetscCall(PhDiagAdd(ld->diag, (x != NULL ? x : y)->loc, sub, "%s belong%s %s", x != NULL && y != NULL ? "x and y" : (x != NULL ? "x" : "y"),
                      x != NULL && y != NULL ? "" : "s", where));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaSources(PhLoader *ld)
{
  static const char *const keys[]  = {"name", "block", "layer", "x", "y", "box", "power", "leakage", NULL};
  static const char *const bkeys[] = {"x", "y", "z", NULL};
  static const char *const lkeys[] = {"p_ref", "t_ref", "beta", NULL};
  PhCase                   pb      = ld->problem;
  PhNode                  *srcs    = PhNodeGet_Private(ld->root, "sources");
  const char             **bnames, **lnames;
  PetscInt                *name_lines;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(srcs)) PetscFunctionReturn(PETSC_SUCCESS);
  if (srcs->type != PH_NODE_SEQ) {
    PetscCall(PhDiagAdd(ld->diag, srcs->loc, "sources", "expected a list of heat sources, got %s", PhNodeTypeName_Private(srcs)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscCalloc1(PetscMax(srcs->n, 1), &pb->sources));
  PetscCall(PetscMalloc3(pb->nblocks + 1, &bnames, pb->nlayers + 1, &lnames, srcs->n + 1, &name_lines));
  for (PetscInt b = 0; b < pb->nblocks; b++) bnames[b] = pb->blocks[b].name;
  for (PetscInt l = 0; l < pb->nlayers; l++) lnames[l] = pb->layers[l].name;
  for (PetscInt s = 0; s < srcs->n; s++) {
    PhNode   *map = srcs->values[s], *blk, *lay, *box, *power, *leak;
    PhSource *src = &pb->sources[pb->nsources];
    char      path[128], sub[200];
    char    **seen;
    PetscBool ok, px, py, pz;
    PetscInt  forms;

    PetscCall(PhSchemaPath_Private(path, sizeof(path), "sources", NULL, s));
    PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    pb->nsources++;
    src->loc   = map->loc;
    src->block = src->layer = -1;
    PetscCall(PhSchemaCheckKeys_Private(ld, map, path, keys));
    PetscCall(PetscMalloc1(pb->nsources, &seen));
    for (PetscInt i = 0; i < pb->nsources - 1; i++) seen[i] = pb->sources[i].name;
    PetscCall(PhSchemaName_Private(ld, map, path, "source", pb->nsources - 1, seen, name_lines, &src->name, &name_lines[pb->nsources - 1]));
    PetscCall(PetscFree(seen));
    blk   = PhNodeGet_Private(map, "block");
    lay   = PhNodeGet_Private(map, "layer");
    box   = PhNodeGet_Private(map, "box");
    forms = !PhNodeIsNull_Private(blk) + !PhNodeIsNull_Private(lay) + !PhNodeIsNull_Private(box);
    if (forms != 1) {
      PetscCall(PhDiagAdd(ld->diag, map->loc, path, "give exactly one of block: NAME, layer: NAME with x and y, or box: {x, y, z}"));
    } else if (!PhNodeIsNull_Private(blk)) {
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "block", -1));
      src->kind = PH_SOURCE_BLOCK;
      if (!ld->no_geometry) PetscCall(PhSchemaFindName_Private(ld, blk, sub, "block", pb->nblocks, bnames, &src->block));
      if (src->block >= 0) {
        PhBlock *b = &pb->blocks[src->block];

        src->x0 = b->x0, src->x1 = b->x1, src->y0 = b->y0, src->y1 = b->y1, src->z0 = b->z0, src->z1 = b->z1;
      }
      PetscCall(PhMisplacedXY(ld, map, path, "to a layer source; a block source covers its whole block"));
    } else if (!PhNodeIsNull_Private(lay)) {
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "layer", -1));
      src->kind = PH_SOURCE_LAYER_RECT;
      if (!ld->no_geometry) PetscCall(PhSchemaFindName_Private(ld, lay, sub, "layer", pb->nlayers, lnames, &src->layer));
      PetscCall(PhSchemaRange_Private(ld, map, path, "x", PETSC_TRUE, &src->x0, &src->x1, &px));
      PetscCall(PhSchemaRange_Private(ld, map, path, "y", PETSC_TRUE, &src->y0, &src->y1, &py));
      if (src->layer >= 0) {
        src->z0 = pb->layers[src->layer].z0;
        src->z1 = pb->layers[src->layer].z1;
      }
    } else {
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "box", -1));
      src->kind = PH_SOURCE_BOX;
      PetscCall(PhSchemaExpectMap_Private(ld, box, sub, &ok));
      if (ok) {
        PetscCall(PhSchemaCheckKeys_Private(ld, box, sub, bkeys));
        PetscCall(PhSchemaRange_Private(ld, box, sub, "x", PETSC_TRUE, &src->x0, &src->x1, &px));
        PetscCall(PhSchemaRange_Private(ld, box, sub, "y", PETSC_TRUE, &src->y0, &src->y1, &py));
        PetscCall(PhSchemaRange_Private(ld, box, sub, "z", PETSC_TRUE, &src->z0, &src->z1, &pz));
        if (pz && pb->nlayers > 0 && (src->z0 < -PH_MERGE_DISTANCE || src->z1 > pb->layers[pb->nlayers - 1].z1 + PH_MERGE_DISTANCE)) {
          char zsub[300], top[64];

          PetscCall(PhSchemaPath_Private(zsub, sizeof(zsub), sub, "z", -1));
          PetscCall(PhUnitsFormat(pb->layers[pb->nlayers - 1].z1, PH_QT_LENGTH, top, sizeof(top)));
          PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(box, "z")->loc, zsub, "the box extends above or below the stack, which spans z = 0 m to %s",
                              top));
        }
      }
      PetscCall(PhMisplacedXY(ld, map, path, "inside box: {x, y, z}"));
    }
    if (src->kind != PH_SOURCE_BLOCK && src->x1 > src->x0 && src->y1 > src->y0 && pb->nlayers > 0 &&
        (src->x0 < pb->fx0 - PH_MERGE_DISTANCE || src->x1 > pb->fx1 + PH_MERGE_DISTANCE || src->y0 < pb->fy0 - PH_MERGE_DISTANCE ||
         src->y1 > pb->fy1 + PH_MERGE_DISTANCE))
      PetscCall(PhDiagAdd(ld->diag, map->loc, path, "source \"%s\" extends outside the footprint", src->name ? src->name : "?"));
    power = PhNodeGet_Private(map, "power");
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "power", -1));
    if (PhNodeIsNull_Private(power)) PetscCall(PhMissing(ld, map, path, "power", "a power such as \"4 W\", a trace or a pattern"));
    else PetscCall(PhSchemaSignal_Private(ld, power, sub, PH_QT_POWER, PETSC_TRUE, &src->power));
    leak = PhNodeGet_Private(map, "leakage");
    if (!PhNodeIsNull_Private(leak)) {
      PetscBool present;

      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "leakage", -1));
      PetscCall(PhSchemaExpectMap_Private(ld, leak, sub, &ok));
      if (ok) {
        PetscCall(PhSchemaCheckKeys_Private(ld, leak, sub, lkeys));
        src->has_leakage = PETSC_TRUE;
        PetscCall(PhSchemaQuantity_Private(ld, leak, sub, "p_ref", PH_QT_POWER, PETSC_TRUE, 0, &src->leak_p_ref, &present));
        if (present && src->leak_p_ref < 0) PetscCall(PhSignalProblem(ld, leak, sub, "p_ref", "must not be negative"));
        PetscCall(PhSchemaQuantity_Private(ld, leak, sub, "t_ref", PH_QT_TEMPERATURE, PETSC_TRUE, 0, &src->leak_t_ref, &present));
        PetscCall(PhSchemaQuantity_Private(ld, leak, sub, "beta", PH_QT_INVERSE_TEMPERATURE, PETSC_TRUE, 0, &src->leak_beta, &present));
        if (present && !(src->leak_beta >= 0 && src->leak_beta < 1)) {
          char why[80];

          (void)snprintf(why, sizeof(why), "must be in [0, 1) 1/K, got %g 1/K", (double)src->leak_beta);
          PetscCall(PhSignalProblem(ld, leak, sub, "beta", why));
        }
      }
    }
  }
  PetscCall(PetscFree3(bnames, lnames, name_lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  time.initial.file names an earlier result. Like output files it is relative to the current directory, not to the
  case file (DESIGN §3.2: output paths are relative to the current directory). It is read only when the run starts,
  but a file that cannot be read is bad input, found now (exit 2) rather than after the mesh is built.
*/
static PetscErrorCode PhCheckInitialFile(PhLoader *ld, const PhNode *node)
{
  PetscMPIInt rank;
  int         status = 0; /* 0 readable HDF5, -1 readable but not HDF5, else errno */

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(ld->comm, &rank));
  if (rank == 0) {
    FILE *fp = fopen(node->value, "rb");

    if (fp == NULL) status = errno ? errno : EIO;
    else {
      (void)fclose(fp);
      if (H5Fis_hdf5(node->value) <= 0) status = -1;
    }
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, ld->comm));
  if (status > 0) PetscCall(PhDiagAdd(ld->diag, node->loc, "time.initial.file", "cannot read \"%s\": %s", node->value, strerror(status)));
  else if (status < 0)
    PetscCall(PhDiagAdd(ld->diag, node->loc, "time.initial.file", "\"%s\" is not an HDF5 result file of photherm run", node->value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaTime(PhLoader *ld)
{
  static const char *const keys[]  = {"mode", "end", "dt", "dt_max", "initial", NULL};
  static const char *const okeys[] = {"file", "fields_every", "series_every", "precision", NULL};
  static const char *const modes[] = {"transient", "steady", NULL};
  static const char *const precs[] = {"float64", "float32", NULL};
  PhCase                   pb      = ld->problem;
  PhNode                  *time = PhNodeGet_Private(ld->root, "time"), *out = PhNodeGet_Private(ld->root, "output"), *init;
  PetscBool                ok, present;
  PetscInt                 mode = 0, prec = 0;
  PhTime                  *t = &pb->time;

  PetscFunctionBeginUser;
  t->initial = PH_INITIAL_STEADY;
  if (!PhNodeIsNull_Private(time)) {
    PetscCall(PhSchemaExpectMap_Private(ld, time, "time", &ok));
    if (!ok) time = NULL;
  } else time = NULL;
  if (time != NULL) {
    PetscCall(PhSchemaCheckKeys_Private(ld, time, "time", keys));
    PetscCall(PhSchemaEnum_Private(ld, time, "time", "mode", modes, 0, &mode));
  }
  t->steady = (PetscBool)(mode == 1);
  if (!t->steady) {
    if (time == NULL) PetscCall(PhMissing(ld, ld->root, "", "time", "time: {end: ...} for a transient (or time: {mode: steady})"));
    else {
      PetscCall(PhSchemaQuantity_Private(ld, time, "time", "end", PH_QT_TIME, PETSC_TRUE, 0, &t->end, &present));
      if (present && !(t->end > 0)) PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "end")->loc, "time.end", "must be positive"));
    }
  } else if (time != NULL) {
    PetscCall(PhSchemaQuantity_Private(ld, time, "time", "end", PH_QT_TIME, PETSC_FALSE, 0, &t->end, &present));
  }
  t->dt     = t->end / 1000;
  t->dt_max = t->end / 20;
  if (time != NULL) {
    PetscCall(PhSchemaQuantity_Private(ld, time, "time", "dt", PH_QT_TIME, PETSC_FALSE, t->end / 1000, &t->dt, &present));
    if (present && !(t->dt > 0)) PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "dt")->loc, "time.dt", "must be positive"));
    PetscCall(PhSchemaQuantity_Private(ld, time, "time", "dt_max", PH_QT_TIME, PETSC_FALSE, t->end / 20, &t->dt_max, &ok));
    if (ok && !(t->dt_max > 0)) PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "dt_max")->loc, "time.dt_max", "must be positive"));
    if (present && ok && t->dt > t->dt_max && !t->steady)
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "dt")->loc, "time.dt", "the first step exceeds dt_max"));
    if (!present && ok && t->dt > t->dt_max) t->dt = t->dt_max;
    init = PhNodeGet_Private(time, "initial");
    if (!PhNodeIsNull_Private(init)) {
      if (init->type == PH_NODE_SCALAR && !strcmp(init->value, "steady")) t->initial = PH_INITIAL_STEADY;
      else if (init->type == PH_NODE_SCALAR) {
        t->initial = PH_INITIAL_TEMPERATURE;
        PetscCall(PhSchemaNodeQuantity_Private(ld, init, "time.initial", PH_QT_TEMPERATURE, &t->initial_temperature, &ok));
      } else if (init->type == PH_NODE_MAP) {
        static const char *const ikeys[] = {"file", "time", NULL};

        t->initial = PH_INITIAL_FILE;
        PetscCall(PhSchemaCheckKeys_Private(ld, init, "time.initial", ikeys));
        PetscCall(PhSchemaString_Private(ld, init, "time.initial", "file", PETSC_TRUE, NULL, &t->initial_file));
        if (t->initial_file != NULL && !PhNodeGet_Private(init, "file")->bad) PetscCall(PhCheckInitialFile(ld, PhNodeGet_Private(init, "file")));
        PetscCall(PhSchemaQuantity_Private(ld, init, "time.initial", "time", PH_QT_TIME, PETSC_FALSE, -1, &t->initial_time, &present));
        if (present && t->initial_time < 0)
          PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(init, "time")->loc, "time.initial.time", "must not be negative"));
      } else
        PetscCall(PhDiagAdd(ld->diag, init->loc, "time.initial",
                            "expected steady, a temperature such as \"35 C\", or {file: earlier.h5, time: 0.2 s}"));
    }
  }
  /* output */
  pb->output.fields_every = t->end / 20;
  pb->output.series_every = t->end / 200;
  if (!PhNodeIsNull_Private(out)) {
    PetscCall(PhSchemaExpectMap_Private(ld, out, "output", &ok));
    if (ok) {
      PetscCall(PhSchemaCheckKeys_Private(ld, out, "output", okeys));
      PetscCall(PhSchemaString_Private(ld, out, "output", "file", PETSC_FALSE, NULL, &pb->output.file));
      PetscCall(PhSchemaQuantity_Private(ld, out, "output", "fields_every", PH_QT_TIME, PETSC_FALSE, t->end / 20, &pb->output.fields_every,
                                         &present));
      if (present && !(pb->output.fields_every > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(out, "fields_every")->loc, "output.fields_every", "must be positive"));
      PetscCall(PhSchemaQuantity_Private(ld, out, "output", "series_every", PH_QT_TIME, PETSC_FALSE, t->end / 200, &pb->output.series_every,
                                         &present));
      if (present && !(pb->output.series_every > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(out, "series_every")->loc, "output.series_every", "must be positive"));
      PetscCall(PhSchemaEnum_Private(ld, out, "output", "precision", precs, 0, &prec));
      if (pb->output.file != NULL && pb->output.file[0] == '\0')
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(out, "file")->loc, "output.file", "must not be empty"));
    }
  }
  pb->output.float32 = (PetscBool)(prec == 1);
  if (pb->output.file == NULL && pb->name != NULL) {
    size_t len = strlen(pb->name) + 4;

    PetscCall(PetscMalloc1(len, &pb->output.file));
    (void)snprintf(pb->output.file, len, "%s.h5", pb->name);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A case that can reach no steady state: no convection or fixed-temperature condition anywhere. */
static PetscErrorCode PhSchemaCheckSink(PhLoader *ld)
{
  PhCase    pb   = ld->problem;
  PetscBool sink = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt i = 0; i < pb->boundaries[f].n; i++)
      if (pb->boundaries[f].conditions[i].type == PH_BC_CONVECTION || pb->boundaries[f].conditions[i].type == PH_BC_TEMPERATURE) sink = PETSC_TRUE;
  if (sink || ld->bad_boundaries) PetscFunctionReturn(PETSC_SUCCESS); /* a condition with a bad type is reported; it may be the sink */
  if (pb->time.steady) {
    PhNode *bnd = PhNodeGetKey_Private(ld->root, "boundaries");

    PetscCall(PhDiagAdd(ld->diag, bnd ? bnd->loc : ld->root->loc, "boundaries",
                        "a steady case needs a convection or temperature boundary somewhere; with only adiabatic and flux faces it has no solution"));
  } else if (pb->time.initial == PH_INITIAL_STEADY && !PhNodeIsNull_Private(PhNodeGet_Private(ld->root, "time"))) { /* no time: reported */
    PhNode *key = PhNodeGetKey_Private(PhNodeGet_Private(ld->root, "time"), "initial");

    if (key == NULL) key = PhNodeGetKey_Private(ld->root, "time"); /* initial: steady by default */
    PetscCall(PhDiagAdd(ld->diag, key ? key->loc : ld->root->loc, "time.initial",
                        "a steady initial state needs a convection or temperature boundary; give an initial temperature such as \"25 C\" instead"));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Walk the merged tree and fill the case. Every problem is a diagnostic; the walk always goes to the end.
**/
PetscErrorCode PhSchemaLoad_Private(PhLoader *ld)
{
  static const char *const top[] = {"version", "name", "description", "include", "parameters", "materials", "footprint", "grid",  "stack",
                                    "blocks",  "mesh", "boundaries",  "sources", "time",       "output",    "optics",    "yield", NULL};
  PhCase                   pb    = ld->problem;
  PetscInt                 version;
  PhNode                  *vnode = PhNodeGet_Private(ld->root, "version");

  PetscFunctionBeginUser;
  PetscCall(PhSchemaCheckKeys_Private(ld, ld->root, "", top));
  if (PhNodeIsNull_Private(vnode)) PetscCall(PhMissing(ld, ld->root, "", "version", "version: 1"));
  else {
    PetscBool valid;

    PetscCall(PhSchemaInt_Private(ld, ld->root, "", "version", PETSC_TRUE, 0, 0, 1000000, &version, &valid));
    if (valid && version != PH_CASE_SCHEMA_VERSION)
      PetscCall(PhDiagAdd(ld->diag, vnode->loc, "version", "this photherm reads case schema version %d, got \"%s\"", PH_CASE_SCHEMA_VERSION,
                          vnode->value));
  }
  {
    char       *stem;
    const char *base = strrchr(pb->path, '/') ? strrchr(pb->path, '/') + 1 : pb->path;
    char       *dot;

    PetscCall(PetscStrallocpy(base, &stem));
    dot = strrchr(stem, '.');
    if (dot != NULL && dot != stem) *dot = '\0';
    PetscCall(PhSchemaString_Private(ld, ld->root, "", "name", PETSC_FALSE, stem, &pb->name));
    PetscCall(PetscFree(stem));
    if (pb->name != NULL && (pb->name[0] == '\0' || strchr(pb->name, '/') != NULL) && !PhNodeGet_Private(ld->root, "name")->bad)
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(ld->root, "name")->loc, "name", "a case name must be non-empty and contain no '/'"));
  }
  PetscCall(PhSchemaString_Private(ld, ld->root, "", "description", PETSC_FALSE, "", &pb->description));
  PetscCall(PhSchemaParameters(ld));
  PetscCall(PhSchemaMaterials(ld));
  PetscCall(PhSchemaGeometry(ld));
  PetscCall(PhSchemaBoundaries(ld));
  PetscCall(PhSchemaSources(ld));
  PetscCall(PhSchemaTime(ld));
  PetscCall(PhSchemaCheckSink(ld));
  PetscCall(PhSchemaOptics_Private(ld));
  PetscFunctionReturn(PETSC_SUCCESS);
}
