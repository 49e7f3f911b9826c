/*
  The getters of the case file (DESIGN §3): the typed value of a key, with every problem recorded as a diagnostic.

  Quantities with units, whole numbers, booleans, strings, enums from their name tables, ranges, declared names and
  references to them (blocks and layers of the resolved case among them), and signals that vary in time. Misspelt
  keys are suggested, and a key suggested so is not also reported missing. Owns no section of the case: the sections
  (case_schema.c, case_optics.c, case.c) call these. Calls the tree (case_yaml.c), the ${} lookup (case_param.c),
  the trace tables (case_trace.c), units and diag only.
*/
#include "case_impl.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

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

PetscErrorCode PhGetCheckKeys_Private(PhLoader *ld, const PhNode *map, const char path[], const char *const allowed[])
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
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
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

PetscErrorCode PhGetExpectMap_Private(PhLoader *ld, const PhNode *node, const char path[], PetscBool *ok)
{
  PetscFunctionBeginUser;
  *ok = (PetscBool)(node != NULL && node->type == PH_NODE_MAP);
  if (!*ok && node != NULL) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected a mapping of keys, got %s", PhNodeTypeName_Private(node)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  "missing required key (detail)" at the mapping, unless the key was given misspelt: then the unknown-key line with
  its suggestion already says it (one line per problem).
*/
PetscErrorCode PhGetMissingDetail_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char detail[])
{
  char sub[512];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ld->nsuggested; i++)
    if (ld->suggested[i].map == map && !strcmp(ld->suggested[i].key, key)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhDiagAdd(ld->diag, map->loc, sub, "missing required key (%s)", detail));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* "missing required key (expected what)": the common form of PhGetMissingDetail_Private(). */
/* A list of n items (n may sum several lists) beyond its limit: one problem at the list, and the caller reads none of it. */
PetscErrorCode PhGetTooMany_Private(PhLoader *ld, const PhNode *list, const char path[], PetscInt n, const char noun[], PetscInt limit,
                                    PetscBool *too_many)
{
  PetscFunctionBeginUser;
  *too_many = (PetscBool)(n > limit);
  if (*too_many) PetscCall(PhDiagAdd(ld->diag, list->loc, path, "%d %s, more than the %d a case may have", (int)n, noun, (int)limit));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhGetMissing_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char what[])
{
  char detail[300];

  PetscFunctionBeginUser;
  (void)snprintf(detail, sizeof(detail), "expected %s", what);
  PetscCall(PhGetMissingDetail_Private(ld, map, path, key, detail));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Evaluate one scalar node as a quantity of `type`; ${} values are recorded for the resolved case. */
PetscErrorCode PhGetNodeQuantity_Private(PhLoader *ld, PhNode *node, const char path[], PhQuantityType type, PetscReal *value, PetscBool *ok)
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

PetscErrorCode PhGetQuantity_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PhQuantityType type, PetscBool required,
                                     PetscReal def, PetscReal *value, PetscBool *present)
{
  PhNode   *node = PhNodeGet_Private(map, key);
  char      sub[512];
  PetscBool ok;

  PetscFunctionBeginUser;
  *value = def;
  if (present != NULL) *present = PETSC_FALSE;
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhGetMissing_Private(ld, map, path, key, PhQuantityTypeDescription(type)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhGetNodeQuantity_Private(ld, node, sub, type, value, &ok));
  if (!ok) *value = def;
  if (present != NULL) *present = ok;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A whole number in [lo, hi]; *valid (may be NULL) is false when the key is given with a bad value (then *value is def). */
PetscErrorCode PhGetInt_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, PetscInt def, PetscInt lo,
                                PetscInt hi, PetscInt *value, PetscBool *valid)
{
  PhNode   *node = PhNodeGet_Private(map, key);
  char      sub[512];
  PetscReal v;
  PetscBool ok;

  PetscFunctionBeginUser;
  *value = def;
  if (valid != NULL) *valid = PETSC_TRUE;
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhGetMissing_Private(ld, map, path, key, "a whole number"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (valid != NULL) *valid = PETSC_FALSE;
  if (node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
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

PetscErrorCode PhGetBool_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool def, PetscBool *value)
{
  PhNode     *node = PhNodeGet_Private(map, key);
  const char *t[]  = {"true", "True", "TRUE", "yes", "Yes", "on"};
  const char *f[]  = {"false", "False", "FALSE", "no", "No", "off"};
  char        sub[512];

  PetscFunctionBeginUser;
  *value = def;
  if (PhNodeIsNull_Private(node) || node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
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
PetscErrorCode PhGetString_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, const char *def,
                                   char **value)
{
  PhNode *node = PhNodeGet_Private(map, key);
  char    sub[512];

  PetscFunctionBeginUser;
  *value = NULL;
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhGetMissing_Private(ld, map, path, key, "a name"));
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

PetscErrorCode PhGetEnum_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char *const names[], PetscInt def,
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
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
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
PetscErrorCode PhGetRange_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, PetscReal *lo,
                                  PetscReal *hi, PetscBool *present)
{
  PhNode   *node = PhNodeGet_Private(map, key);
  char      sub[512], item[540];
  PetscBool ok0, ok1;

  PetscFunctionBeginUser;
  *lo = *hi = 0;
  *present  = PETSC_FALSE;
  if (PhNodeIsNull_Private(node)) {
    if (required) PetscCall(PhGetMissing_Private(ld, map, path, key, "a range such as [0, 10 mm]"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
  if (node->type != PH_NODE_SEQ || node->n != 2) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a range of two lengths such as [0, 10 mm], got %s%s",
                        node->type == PH_NODE_SEQ ? "a list of length " : PhNodeTypeName_Private(node),
                        node->type == PH_NODE_SEQ ? (node->n == 1 ? "1" : (node->n == 0 ? "0" : "more than 2")) : ""));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, 0));
  PetscCall(PhGetNodeQuantity_Private(ld, node->values[0], item, PH_QT_LENGTH, lo, &ok0));
  PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, 1));
  PetscCall(PhGetNodeQuantity_Private(ld, node->values[1], item, PH_QT_LENGTH, hi, &ok1));
  if (!ok0 || !ok1) PetscFunctionReturn(PETSC_SUCCESS);
  if (!(*hi > *lo)) {
    char a[64], b[64];

    PetscCall(PhUnitsFormat(*lo, PH_QT_LENGTH, a, sizeof(a)));
    PetscCall(PhUnitsFormat(*hi, PH_QT_LENGTH, b, sizeof(b)));
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "empty or reversed range [%s, %s]: the upper bound must exceed the lower bound", a, b));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (*hi - *lo < PH_MERGE_BELOW) { /* its two edges would become one grid line */
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub,
                        "the range is %.6g nm wide, less than the %g nm below which grid lines are merged; make it at least %g nm wide",
                        (double)(*hi - *lo) * 1e9, PH_MERGE_DISTANCE * 1e9, PH_MERGE_DISTANCE * 1e9));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *present = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Resolve a name node against a list of names; "unknown block "x"; did you mean "y"?". */
PetscErrorCode PhGetRef_Private(PhLoader *ld, const PhNode *node, const char path[], const char *what, PetscInt n, const char *const names[],
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

const char *const PhGeometryKinds[] = {"block", "layer", NULL};

/*
  A reference by name to a block or layer of the resolved case. Nothing is looked up (*index is -1) while the stack
  or the mesh file is unusable: that is reported, and its names are unknown.
*/
PetscErrorCode PhGetGeometryRef_Private(PhLoader *ld, const PhNode *node, const char path[], PhGeometryKind kind, PetscInt *index)
{
  PhCase       pb = ld->problem;
  PetscInt     n  = kind == PH_GEOMETRY_BLOCK ? pb->nblocks : pb->nlayers;
  const char **names;

  PetscFunctionBeginUser;
  *index = -1;
  if (ld->no_geometry) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc1(n + 1, &names));
  for (PetscInt i = 0; i < n; i++) names[i] = kind == PH_GEOMETRY_BLOCK ? pb->blocks[i].name : pb->layers[i].name;
  PetscCall(PhGetRef_Private(ld, node, path, PhGeometryKinds[kind], n, names, index));
  PetscCall(PetscFree(names));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  A name: a scalar of letters, digits, '_', '-' and '.', unique among the `nseen` names before it (NULL entries are
  skipped); `noun` is what it names ("block"). *line receives the line of the name, for "defined twice (first at line N)".
*/
/*
  Plausibility bounds of the physical inputs (cases/README.md section 18): a value outside the hard bounds is refused,
  one outside the soft bounds (the range of real packages) is warned about. Garbage used to come out of such values
  silently: 1e-29 W on copper gives every cell at ambient and an energy balance error of 1.
*/
typedef struct {
  PhQuantityType type;
  const char    *what;
  PetscReal      hard_lo, soft_lo, soft_hi, hard_hi;
} PhPlausibleRange;

static const PhPlausibleRange PhPlausibleRanges[] = {
  {PH_QT_CONDUCTIVITY,  "a thermal conductivity",      1e-6,  1e-3, 1e4, 1e5},
  {PH_QT_DENSITY,       "a density",                   1e-3,  0.1,  3e4, 1e5},
  {PH_QT_SPECIFIC_HEAT, "a specific heat",             1,     50,   2e4, 1e6},
  {PH_QT_HEAT_TRANSFER, "a heat transfer coefficient", 1e-6,  0.1,  1e6, 1e9},
  {PH_QT_POWER,         "a source power",              1e-15, 1e-9, 1e5, 1e9},
  {PH_QT_LENGTH,        "a size",                      0,     0,    10,  10 },
};

/* Check the magnitude of `value` (SI, 0 is always accepted) against the plausibility bounds of its type, at `loc`. */
PetscErrorCode PhGetPlausible_Private(PhLoader *ld, PhSourceLoc loc, const char path[], PhQuantityType type, PetscReal value)
{
  PetscReal v = PetscAbsReal(value);

  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(PhPlausibleRanges) / sizeof(PhPlausibleRanges[0]); i++) {
    const PhPlausibleRange *r = &PhPlausibleRanges[i];
    char                    got[64], lo[64], hi[64];
    PetscBool               hard, soft;

    if (r->type != type || v == 0) continue;
    hard = (PetscBool)(v < r->hard_lo || v > r->hard_hi);
    soft = (PetscBool)(v < r->soft_lo || v > r->soft_hi);
    if (!hard && !soft) continue;
    PetscCall(PhUnitsFormat(value, type, got, sizeof(got)));
    PetscCall(PhUnitsFormat(hard ? r->hard_lo : r->soft_lo, type, lo, sizeof(lo)));
    PetscCall(PhUnitsFormat(hard ? r->hard_hi : r->soft_hi, type, hi, sizeof(hi)));
    if (hard && r->hard_lo == 0)
      PetscCall(PhDiagAdd(ld->diag, loc, path, "%s of %s is not physical: photherm accepts at most %s (a unit missing or mistyped?)", r->what, got,
                          hi));
    else if (hard)
      PetscCall(PhDiagAdd(ld->diag, loc, path, "%s of %s is not physical: photherm accepts %s to %s (a unit missing or mistyped?)", r->what, got, lo,
                          hi));
    else
      PetscCall(PhDiagWarn(ld->diag, loc, path, "%s of %s is implausible for a package, outside %s to %s (a unit missing or mistyped?)", r->what, got,
                           lo, hi));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A name of a layer, block, source or device: it becomes part of HDF5 paths and of -P keys (PH_NAME_RULE). */
PetscBool PhNameValid_Private(const char name[])
{
  if (name[0] == '\0') return PETSC_FALSE;
  for (const char *c = name; *c; c++)
    if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == '.')) return PETSC_FALSE;
  return PETSC_TRUE;
}

PetscErrorCode PhGetName_Private(PhLoader *ld, const PhNode *map, const char path[], const char noun[], PetscInt nseen, char *const seen[],
                                 const PetscInt seen_lines[], char **name, PetscInt *line)
{
  PhNode *node = PhNodeGet_Private(map, "name");
  char    sub[512], what[64];

  PetscFunctionBeginUser;
  *name = NULL;
  *line = 0;
  (void)snprintf(what, sizeof(what), "a %s name", noun);
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "name", -1));
  if (PhNodeIsNull_Private(node)) {
    PetscCall(PhGetMissing_Private(ld, map, path, "name", what));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected %s, got %s", what, PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!PhNameValid_Private(node->value)) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "\"%s\" is not a valid name (" PH_NAME_RULE ")", node->value));
    PetscFunctionReturn(PETSC_SUCCESS);
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

/* A problem of the value of `key` in `map`, reported at that value with its own key path. */
PetscErrorCode PhGetValueProblem_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char why[])
{
  char sub[600];

  PetscFunctionBeginUser;
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, key)->loc, sub, "%s", why));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* interpolate: of a trace (DESIGN §3.6) */
typedef enum {
  PH_INTERPOLATE_HOLD,
  PH_INTERPOLATE_LINEAR
} PhInterpolation;
static const char *const PhInterpolations[] = {"hold", "linear", NULL};

/* pattern: of a signal (DESIGN §3.6) */
typedef enum {
  PH_PATTERN_SQUARE,
  PH_PATTERN_SINE,
  PH_PATTERN_STEPS
} PhPattern;
static const char *const PhPatterns[] = {"square", "sine", "steps", NULL};

/* A column of a trace by name (0 the time, not a value); an unknown name is reported with the columns there are. */
static PetscErrorCode PhGetTraceColumn(PhLoader *ld, const PhNode *col, const char path[], const PhTraceTable *table, PetscInt *c)
{
  const char *const *names = (const char *const *)table->names + 1;
  const char        *best;
  char               list[400] = "";
  size_t             used      = 0;

  PetscFunctionBeginUser;
  *c = -1;
  for (PetscInt i = 0; col->type == PH_NODE_SCALAR && !col->bad && i < table->ncols - 1; i++)
    if (!strcmp(names[i], col->value)) *c = i;
  if (*c >= 0 || col->type != PH_NODE_SCALAR || col->bad) {
    PetscCall(PhGetRef_Private(ld, col, path, "trace column", table->ncols - 1, names, c));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt i = 0; i < table->ncols - 1 && used < sizeof(list); i++)
    used += (size_t)snprintf(list + used, sizeof(list) - used, "%s\"%s\"", i ? ", " : "", names[i]);
  PetscCall(PhLevenshteinSuggest_Private(col->value, table->ncols - 1, names, &best));
  if (best != NULL)
    PetscCall(PhDiagAdd(ld->diag, col->loc, path, "unknown trace column \"%s\"; did you mean \"%s\"? (the columns of the trace: %s)", col->value,
                        best, list));
  else PetscCall(PhDiagAdd(ld->diag, col->loc, path, "unknown trace column \"%s\"; the columns of the trace are %s", col->value, list));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Remember a trace or square pattern for PhGetSignalTiming_Private. */
static PetscErrorCode PhGetSignalRemember(PhLoader *ld, const PhNode *node, const char path[], const PhSignal *sig, PetscInt trace)
{
  PetscFunctionBeginUser;
  if (ld->nsignals == ld->signals_cap) {
    PhSignalRef *bigger;

    ld->signals_cap = ld->signals_cap ? 2 * ld->signals_cap : 16;
    PetscCall(PetscMalloc1(ld->signals_cap, &bigger));
    if (ld->nsignals) PetscCall(PetscMemcpy(bigger, ld->signals, ld->nsignals * sizeof(*bigger)));
    PetscCall(PetscFree(ld->signals));
    ld->signals = bigger;
  }
  ld->signals[ld->nsignals].node  = node;
  ld->signals[ld->nsignals].sig   = sig;
  ld->signals[ld->nsignals].trace = trace;
  PetscCall(PhPoolStrdup_Private(&ld->pool, path, (char **)&ld->signals[ld->nsignals].path));
  ld->nsignals++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Whether the time loop can land on every change of the traces and square patterns read so far over [0, t_end]
  (PhSignalCheckTiming): a repeated trace's rows and a square's edges further apart than the resolution of times at
  t_end, and at most PH_MAX_INPUT_CHANGES changes. Called by the time section once time.end is known.
**/
PetscErrorCode PhGetSignalTiming_Private(PhLoader *ld, PetscReal t_end)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ld->nsignals; i++) {
    const PhSignalRef *ref = &ld->signals[i];
    const PhSignal    *sig = ref->sig;
    PetscInt           row;
    PetscReal          changes;
    PhTiming           timing = PhSignalCheckTiming(sig, t_end, &row, &changes);
    const char        *key    = ref->trace >= 0 ? "repeat" : "period";
    char               sub[600];

    if (timing == PH_TIMING_OK) continue;
    PetscCall(PhNodePath_Private(sub, sizeof(sub), ref->path, key, -1));
    if (timing == PH_TIMING_ROWS_TOO_CLOSE) {
      const PhTraceTable *table = &ld->traces[ref->trace];

      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(ref->node, key)->loc, sub,
                          "the rows of lines %d and %d of \"%s\" are %.3g s apart: repeated up to time.end %g s, rows closer than %.3g s are one "
                          "instant to the time loop",
                          (int)table->lines[row - 1], (int)table->lines[row], table->path, (double)(sig->t[row] - sig->t[row - 1]), (double)t_end,
                          (double)PhTimeResolution(t_end)));
    } else if (timing == PH_TIMING_EDGES_TOO_CLOSE) {
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(ref->node, key)->loc, sub,
                          "a period of %.3g s with duty %g has edges closer than %.3g s, one instant to the time loop up to time.end %g s",
                          (double)sig->period, (double)sig->duty, (double)PhTimeResolution(t_end), (double)t_end));
    } else if (ref->trace >= 0) {
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(ref->node, key)->loc, sub,
                          "the trace repeats every %.3g s (lines %d to %d of \"%s\"): %.3g changes before time.end %g s, more than the %g the time "
                          "loop may land on",
                          (double)(sig->t[sig->n - 1] - sig->t[0]), (int)ld->traces[ref->trace].lines[0],
                          (int)ld->traces[ref->trace].lines[sig->n - 1], ld->traces[ref->trace].path, (double)changes, (double)t_end,
                          PH_MAX_INPUT_CHANGES));
    } else {
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(ref->node, key)->loc, sub,
                          "a period of %.3g s makes %.3g changes before time.end %g s, more than the %g the time loop may land on",
                          (double)sig->period, (double)changes, (double)t_end, PH_MAX_INPUT_CHANGES));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A power, temperature or flux that may vary in time: a constant, {trace: ...} or {pattern: ...} (DESIGN §3.6). */
PetscErrorCode PhGetSignal_Private(PhLoader *ld, PhNode *node, const char path[], PhQuantityType type, PetscBool nonnegative, PhSignal *sig)
{
  static const char *const        tkeys[]        = {"trace", "column", "interpolate", "repeat", "scale", NULL};
  static const char *const        sqkeys[]       = {"pattern", "period", "duty", "high", "low", "delay", NULL};
  static const char *const        sinkeys[]      = {"pattern", "period", "mean", "amplitude", "delay", NULL};
  static const char *const        stkeys[]       = {"pattern", "times", "values", NULL};
  static const char *const *const pattern_keys[] = {[PH_PATTERN_SQUARE] = sqkeys, [PH_PATTERN_SINE] = sinkeys, [PH_PATTERN_STEPS] = stkeys};
  PetscBool                       ok, present;
  const char                     *what = PhQuantityTypeDescription(type);

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(sig, sizeof(*sig)));
  sig->type  = PH_SIGNAL_CONSTANT;
  sig->scale = 1.0;
  if (node->type == PH_NODE_SCALAR) {
    PetscCall(PhGetNodeQuantity_Private(ld, node, path, type, &sig->value, &ok));
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
    PetscCall(PhGetCheckKeys_Private(ld, node, path, tkeys));
    PetscCall(PhGetEnum_Private(ld, node, path, "interpolate", PhInterpolations, PH_INTERPOLATE_HOLD, &interp));
    sig->linear = (PetscBool)(interp == PH_INTERPOLATE_LINEAR);
    PetscCall(PhGetBool_Private(ld, node, path, "repeat", PETSC_FALSE, &sig->repeat));
    PetscCall(PhGetQuantity_Private(ld, node, path, "scale", PH_QT_DIMENSIONLESS, PETSC_FALSE, 1.0, &sig->scale, &present));
    if (present && !(sig->scale >= 0)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "scale", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(node, "scale")->loc, sub, "must not be negative, got %g", (double)sig->scale));
    }
    PetscCall(PhNodePath_Private(tsub, sizeof(tsub), path, "trace", -1));
    if (file->bad) PetscFunctionReturn(PETSC_SUCCESS);
    if (file->type != PH_NODE_SCALAR) {
      PetscCall(PhDiagAdd(ld->diag, file->loc, tsub, "expected the path of a CSV file, got %s", PhNodeTypeName_Private(file)));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(PhTraceLoad_Private(ld, file, tsub, &table));
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "column", -1));
    if (PhNodeIsNull_Private(col)) {
      PetscCall(PhGetMissing_Private(ld, node, path, "column", "the name of a column of the trace"));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (table == NULL || !table->ok) PetscFunctionReturn(PETSC_SUCCESS);
    PetscCall(PhGetTraceColumn(ld, col, sub, table, &c));
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
        if ((!(PetscAbsReal(sig->v[r]) <= PH_MAX_MAGNITUDE) || (sig->v[r] != 0 && PetscAbsReal(sig->v[r]) < PH_MIN_MAGNITUDE)) &&
            !table->reported[c]) {
          PhSourceLoc cell = {table->path, table->lines[r], table->columns[r * table->ncols + c]};

          PetscCall(PhDiagAdd(ld->diag, cell, tsub, "%g in column \"%s\" is %.3g %s, outside the magnitudes accepted (0, or %g to %g in SI units)",
                              (double)table->data[r * table->ncols + c], table->names[c], (double)sig->v[r], PhQuantityTypeUnit(type),
                              PH_MIN_MAGNITUDE, PH_MAX_MAGNITUDE));
          table->reported[c] = PETSC_TRUE;
        }
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
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "repeat", -1));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(node, "repeat")->loc, sub, "repeat: true needs a trace of at least two rows"));
      } else if (sig->repeat) PetscCall(PhGetSignalRemember(ld, node, path, sig, (PetscInt)(table - ld->traces)));
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!PhNodeIsNull_Private(PhNodeGet_Private(node, "pattern"))) {
    PetscInt       pattern;
    PhQuantityType dtype = type == PH_QT_TEMPERATURE ? PH_QT_TEMPERATURE_DIFFERENCE : type;
    char           sub[600];

    PetscCall(PhGetEnum_Private(ld, node, path, "pattern", PhPatterns, -1, &pattern));
    if (pattern < 0) {
      static const char *const all[] = {"pattern", "period", "duty", "high", "low", "delay", "mean", "amplitude", "times", "values", NULL};

      PetscCall(PhGetCheckKeys_Private(ld, node, path, all));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(PhGetCheckKeys_Private(ld, node, path, pattern_keys[pattern]));
    switch ((PhPattern)pattern) {
    case PH_PATTERN_SQUARE:
      sig->type = PH_SIGNAL_SQUARE;
      PetscCall(PhGetQuantity_Private(ld, node, path, "period", PH_QT_TIME, PETSC_TRUE, 0, &sig->period, &present));
      if (present && !(sig->period > 0)) PetscCall(PhGetValueProblem_Private(ld, node, path, "period", "must be positive"));
      PetscCall(PhGetQuantity_Private(ld, node, path, "duty", PH_QT_DIMENSIONLESS, PETSC_TRUE, 0.5, &sig->duty, &present));
      if (present && !(sig->duty >= 0 && sig->duty <= 1)) {
        char why[64];

        (void)snprintf(why, sizeof(why), "must be in [0, 1], got %g", (double)sig->duty);
        PetscCall(PhGetValueProblem_Private(ld, node, path, "duty", why));
      }
      PetscCall(PhGetQuantity_Private(ld, node, path, "high", type, PETSC_TRUE, 0, &sig->high, &present));
      if (present && nonnegative && sig->high < 0) PetscCall(PhGetValueProblem_Private(ld, node, path, "high", "must not be negative"));
      PetscCall(PhGetQuantity_Private(ld, node, path, "low", type, PETSC_TRUE, 0, &sig->low, &present));
      if (present && nonnegative && sig->low < 0) PetscCall(PhGetValueProblem_Private(ld, node, path, "low", "must not be negative"));
      if (sig->period > 0) PetscCall(PhGetSignalRemember(ld, node, path, sig, -1));
      break;
    case PH_PATTERN_SINE:
      sig->type = PH_SIGNAL_SINE;
      PetscCall(PhGetQuantity_Private(ld, node, path, "period", PH_QT_TIME, PETSC_TRUE, 0, &sig->period, &present));
      if (present && !(sig->period > 0)) PetscCall(PhGetValueProblem_Private(ld, node, path, "period", "must be positive"));
      PetscCall(PhGetQuantity_Private(ld, node, path, "mean", type, PETSC_TRUE, 0, &sig->mean, &present));
      PetscCall(PhGetQuantity_Private(ld, node, path, "amplitude", dtype, PETSC_TRUE, 0, &sig->amplitude, &ok));
      if (present && ok && type == PH_QT_TEMPERATURE && !(sig->mean - PetscAbsReal(sig->amplitude) > 0))
        PetscCall(PhDiagAdd(ld->diag, node->loc, path, "mean - amplitude falls below absolute zero"));
      if (present && ok && nonnegative && sig->mean - PetscAbsReal(sig->amplitude) < 0)
        PetscCall(PhDiagAdd(ld->diag, node->loc, path, "mean - amplitude is negative: the power would go below zero"));
      break;
    case PH_PATTERN_STEPS: {
      PhNode *times = PhNodeGet_Private(node, "times"), *values = PhNodeGet_Private(node, "values");

      sig->type = PH_SIGNAL_STEPS;
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "times", -1));
      if (PhNodeIsNull_Private(times)) {
        PetscCall(PhGetMissing_Private(ld, node, path, "times", "a list of times [t0, t1, ...]"));
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      if (times->type != PH_NODE_SEQ || times->n == 0) {
        PetscCall(PhDiagAdd(ld->diag, times->loc, sub, "expected a non-empty list of times [t0, t1, ...], got %s",
                            times->type == PH_NODE_SEQ ? "an empty list" : PhNodeTypeName_Private(times)));
        PetscFunctionReturn(PETSC_SUCCESS);
      }
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "values", -1));
      if (PhNodeIsNull_Private(values)) {
        char what[64];

        (void)snprintf(what, sizeof(what), "a list of %d values, one per time", (int)times->n);
        PetscCall(PhGetMissing_Private(ld, node, path, "values", what));
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

        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "times", -1));
        PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, i));
        PetscCall(PhGetNodeQuantity_Private(ld, times->values[i], item, PH_QT_TIME, &sig->t[i], &ok));
        if (ok && i > 0 && !(sig->t[i] > sig->t[i - 1])) PetscCall(PhDiagAdd(ld->diag, times->values[i]->loc, item, "times must strictly increase"));
        else if (ok && i > 0 && !(sig->t[i] - sig->t[i - 1] >= PhTimeResolution(sig->t[i])))
          PetscCall(
            PhDiagAdd(ld->diag, times->values[i]->loc, item,
                      "%.3g s after the time before it: times closer than 1 ns (or 1e-9 of their time beyond 1 s) are one instant to the time loop",
                      (double)(sig->t[i] - sig->t[i - 1])));
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "values", -1));
        PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, i));
        PetscCall(PhGetNodeQuantity_Private(ld, values->values[i], item, type, &sig->v[i], &ok));
        if (ok && nonnegative && sig->v[i] < 0) PetscCall(PhDiagAdd(ld->diag, values->values[i]->loc, item, "must not be negative"));
      }
    } break;
    }
    if (sig->type != PH_SIGNAL_STEPS) {
      PetscCall(PhGetQuantity_Private(ld, node, path, "delay", PH_QT_TIME, PETSC_FALSE, 0, &sig->delay, &present));
      if (present && sig->delay < 0) PetscCall(PhGetValueProblem_Private(ld, node, path, "delay", "must not be negative"));
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected %s, {trace: file.csv, column: name} or {pattern: square | sine | steps, ...}", what));
  PetscFunctionReturn(PETSC_SUCCESS);
}
