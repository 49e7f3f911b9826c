/*
  The optics and yield sections of the case file (PHYSICS §1): lasers, ring groups, links, metrics and yield.

  Owns the resolved optics and yield parts of the PhCase and the names of laser types and lock policies (PhLaserTypes,
  PhLockPolicies). Calls the getters (case_get.c) and the tree (case_yaml.c); what it needs of the thermal sections
  (the blocks lasers and rings sit in, the end time) it reads from the resolved case, never by calling them.
*/
#include "case_impl.h"

#include <string.h>

#define PH_SPEED_OF_LIGHT 299792458.0 /* m/s */

/* A WDM spacing: a length, or a frequency converted at the line-0 wavelength (dlambda = lambda^2 df / c). */
static PetscErrorCode PhSchemaSpacing(PhLoader *ld, const PhNode *map, const char path[], PetscReal wavelength, PetscReal def, PetscReal *spacing)
{
  PhNode    *node = PhNodeGet_Private(map, "spacing");
  char       sub[600], reason[PH_REASON_LEN];
  PhQuantity q;
  PetscBool  ok;

  PetscFunctionBeginUser;
  *spacing = def;
  if (PhNodeIsNull_Private(node)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "spacing", -1));
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a spacing such as \"1.12 nm\" or \"200 GHz\", got %s", PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (node->bad) PetscFunctionReturn(PETSC_SUCCESS);
  ld->param_failed = PETSC_FALSE;
  PetscCall(PhUnitsEvaluate(node->value, PhParamLookup_Private, ld, &q, &ok, reason, sizeof(reason)));
  if (!ok && ld->param_failed) PetscFunctionReturn(PETSC_SUCCESS);
  if (ok && !q.bare && PhUnitsMatch(&q, PH_QT_FREQUENCY)) {
    *spacing = wavelength * wavelength * q.value / PH_SPEED_OF_LIGHT;
  } else if (ok && !q.bare && PhUnitsMatch(&q, PH_QT_WAVELENGTH)) {
    *spacing = q.value;
  } else {
    if (ok) (void)snprintf(reason, sizeof(reason), "expected a spacing such as \"1.12 nm\" or \"200 GHz\", got \"%s\"", node->value);
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "%s", reason));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!(*spacing > 0)) PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "the spacing must be positive"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhPositive(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscReal value, PetscBool allow_zero)
{
  PhNode *node = PhNodeGet_Private(map, key);
  char    sub[600];

  PetscFunctionBeginUser;
  if (node == NULL || (allow_zero ? value >= 0 : value > 0)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "must be %s, got \"%s\"", allow_zero ? "zero or positive" : "positive",
                      node->type == PH_NODE_SCALAR ? node->value : "?"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

const char *const PhLaserTypes[]   = {"external", "dfb", "vcsel", NULL};
const char *const PhLockPolicies[] = {"fixed", "wrap", "rotate", NULL};

static PetscErrorCode PhSchemaLasers(PhLoader *ld, PhNode *list)
{
  static const char *const keys[] = {"name",  "type",        "temperature",          "at",     "wavelength", "lines", "spacing", "drift",
                                     "power", "power_drift", "wall_plug_efficiency", "wpe_t1", "heat",       NULL};
  PhOptics                *op     = &ld->problem->optics;

  PetscInt *lines;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->lasers));
  PetscCall(PetscMalloc1(list->n + 1, &lines));
  for (PetscInt i = 0; i < list->n; i++) {
    PhNode   *map = list->values[i], *at, *temp;
    PhLaser  *ls  = &op->lasers[op->nlasers];
    char      path[128], sub[160], **seen;
    PetscBool ok, present;
    PetscInt  type;

    PetscCall(PhNodePath_Private(path, sizeof(path), "optics.lasers", NULL, i));
    PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    op->nlasers++;
    ls->loc   = map->loc;
    ls->block = -1;
    ls->link  = -1;
    PetscCall(PhGetCheckKeys_Private(ld, map, path, keys));
    PetscCall(PetscMalloc1(op->nlasers, &seen));
    for (PetscInt j = 0; j < op->nlasers - 1; j++) seen[j] = op->lasers[j].name;
    PetscCall(PhGetName_Private(ld, map, path, "laser", op->nlasers - 1, seen, lines, &ls->name, &lines[op->nlasers - 1]));
    PetscCall(PetscFree(seen));
    PetscCall(PhGetEnum_Private(ld, map, path, "type", PhLaserTypes, PH_LASER_EXTERNAL, &type));
    ls->type = (PhLaserType)type;
    at       = PhNodeGet_Private(map, "at");
    temp     = PhNodeGet_Private(map, "temperature");
    PetscCall(PhGetQuantity_Private(ld, map, path, "temperature", PH_QT_TEMPERATURE, PETSC_FALSE, 35.0 + PH_ZERO_CELSIUS, &ls->temperature,
                                    &present));
    if (ls->type == PH_LASER_EXTERNAL) {
      if (!PhNodeIsNull_Private(at)) {
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "at", -1));
        PetscCall(PhDiagAdd(ld->diag, at->loc, sub, "an external laser has its own temperature; at: {block} is for dfb and vcsel lasers"));
      }
    } else {
      if (!PhNodeIsNull_Private(temp)) {
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "temperature", -1));
        PetscCall(PhDiagAdd(ld->diag, temp->loc, sub, "a %s laser takes the temperature of its block (at: {block: ...}), not a fixed one",
                            PhLaserTypes[ls->type]));
      }
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "at", -1));
      if (PhNodeIsNull_Private(at)) {
        char detail[80];

        (void)snprintf(detail, sizeof(detail), "a %s laser needs at: {block: NAME}", PhLaserTypes[ls->type]);
        PetscCall(PhGetMissingDetail_Private(ld, map, path, "at", detail));
      } else {
        static const char *const akeys[] = {"block", NULL};

        PetscCall(PhGetExpectMap_Private(ld, at, sub, &ok));
        if (ok) {
          char bsub[200];

          PetscCall(PhGetCheckKeys_Private(ld, at, sub, akeys));
          PetscCall(PhNodePath_Private(bsub, sizeof(bsub), sub, "block", -1));
          if (PhNodeIsNull_Private(PhNodeGet_Private(at, "block")))
            PetscCall(PhGetMissingDetail_Private(ld, at, sub, "block", "the name of the laser's block"));
          else PetscCall(PhGetGeometryRef_Private(ld, PhNodeGet_Private(at, "block"), bsub, PH_GEOMETRY_BLOCK, &ls->block));
        }
      }
    }
    PetscCall(PhGetQuantity_Private(ld, map, path, "wavelength", PH_QT_WAVELENGTH, PETSC_FALSE, 1310e-9, &ls->wavelength, &present));
    PetscCall(PhPositive(ld, map, path, "wavelength", ls->wavelength, PETSC_FALSE));
    PetscCall(PhGetInt_Private(ld, map, path, "lines", PETSC_FALSE, 8, 1, 4096, &ls->lines, &ok));
    if (!ok) ls->lines = 0; /* reported; not compared with the ring counts */
    PetscCall(PhSchemaSpacing(ld, map, path, ls->wavelength, 1.12e-9, &ls->spacing));
    PetscCall(PhGetQuantity_Private(ld, map, path, "drift", PH_QT_DRIFT, PETSC_FALSE, 0.09e-9, &ls->drift, &present));
    PetscCall(PhGetQuantity_Private(ld, map, path, "power", PH_QT_OPTICAL_POWER, PETSC_FALSE, 10.0, &ls->power_dbm, &present));
    PetscCall(PhGetQuantity_Private(ld, map, path, "power_drift", PH_QT_DB_PER_K, PETSC_FALSE, -0.02, &ls->power_drift, &present));
    PetscCall(PhGetQuantity_Private(ld, map, path, "wall_plug_efficiency", PH_QT_DIMENSIONLESS, PETSC_FALSE, 0.20, &ls->wpe, &present));
    if (present && !(ls->wpe > 0 && ls->wpe <= 1)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "wall_plug_efficiency", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "wall_plug_efficiency")->loc, sub, "must be in (0, 1], got %g", (double)ls->wpe));
    }
    PetscCall(PhGetQuantity_Private(ld, map, path, "wpe_t1", PH_QT_TEMPERATURE_DIFFERENCE, PETSC_FALSE, 200.0, &ls->wpe_t1, &present));
    PetscCall(PhPositive(ld, map, path, "wpe_t1", ls->wpe_t1, PETSC_FALSE));
    PetscCall(PhGetBool_Private(ld, map, path, "heat", PETSC_TRUE, &ls->heat));
    if (ls->type == PH_LASER_EXTERNAL) ls->heat = PETSC_FALSE;
  }
  PetscCall(PetscFree(lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaRings(PhLoader *ld, PhNode *list)
{
  static const char *const keys[]  = {"name",    "block",     "count",       "wavelength", "spacing",    "drift",  "fsr", "q",
                                      "offsets", "sigma_die", "sigma_local", "die",        "lock_error", "heater", NULL};
  static const char *const hkeys[] = {"efficiency", "max_power", "feedback", NULL};
  PhOptics                *op      = &ld->problem->optics;

  PetscInt *lines;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->rings));
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->die_names));
  PetscCall(PetscMalloc1(list->n + 1, &lines));
  for (PetscInt i = 0; i < list->n; i++) {
    PhNode      *map = list->values[i], *heater, *offsets;
    PhRingGroup *rg  = &op->rings[op->nrings];
    char         path[128], sub[160], **seen;
    PetscBool    ok, present;

    PetscCall(PhNodePath_Private(path, sizeof(path), "optics.rings", NULL, i));
    PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    op->nrings++;
    rg->loc   = map->loc;
    rg->block = -1;
    rg->link  = -1;
    PetscCall(PhGetCheckKeys_Private(ld, map, path, keys));
    PetscCall(PetscMalloc1(op->nrings, &seen));
    for (PetscInt j = 0; j < op->nrings - 1; j++) seen[j] = op->rings[j].name;
    PetscCall(PhGetName_Private(ld, map, path, "ring group", op->nrings - 1, seen, lines, &rg->name, &lines[op->nrings - 1]));
    PetscCall(PetscFree(seen));
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "block", -1));
    if (PhNodeIsNull_Private(PhNodeGet_Private(map, "block")))
      PetscCall(PhGetMissingDetail_Private(ld, map, path, "block", "the block the rings sit in"));
    else PetscCall(PhGetGeometryRef_Private(ld, PhNodeGet_Private(map, "block"), sub, PH_GEOMETRY_BLOCK, &rg->block));
    PetscCall(PhGetInt_Private(ld, map, path, "count", PETSC_FALSE, 8, 1, 4096, &rg->count, &ok));
    if (!ok) rg->count = 0; /* reported; offsets and the laser's lines are not compared with it */
    PetscCall(PhGetQuantity_Private(ld, map, path, "wavelength", PH_QT_WAVELENGTH, PETSC_FALSE, 1308e-9, &rg->wavelength, &present));
    PetscCall(PhPositive(ld, map, path, "wavelength", rg->wavelength, PETSC_FALSE));
    PetscCall(PhSchemaSpacing(ld, map, path, rg->wavelength, 1.12e-9, &rg->spacing));
    PetscCall(PhGetQuantity_Private(ld, map, path, "drift", PH_QT_DRIFT, PETSC_FALSE, 0.07e-9, &rg->drift, &present));
    PetscCall(PhGetQuantity_Private(ld, map, path, "fsr", PH_QT_WAVELENGTH, PETSC_FALSE, 12.7e-9, &rg->fsr, &present));
    PetscCall(PhPositive(ld, map, path, "fsr", rg->fsr, PETSC_FALSE));
    PetscCall(PhGetQuantity_Private(ld, map, path, "q", PH_QT_DIMENSIONLESS, PETSC_FALSE, 5000, &rg->q, &present));
    PetscCall(PhPositive(ld, map, path, "q", rg->q, PETSC_FALSE));
    PetscCall(PhGetQuantity_Private(ld, map, path, "sigma_die", PH_QT_WAVELENGTH, PETSC_FALSE, 1.0e-9, &rg->sigma_die, &present));
    PetscCall(PhPositive(ld, map, path, "sigma_die", rg->sigma_die, PETSC_TRUE));
    PetscCall(PhGetQuantity_Private(ld, map, path, "sigma_local", PH_QT_WAVELENGTH, PETSC_FALSE, 0.25e-9, &rg->sigma_local, &present));
    PetscCall(PhPositive(ld, map, path, "sigma_local", rg->sigma_local, PETSC_TRUE));
    PetscCall(PhGetQuantity_Private(ld, map, path, "lock_error", PH_QT_WAVELENGTH, PETSC_FALSE, 0, &rg->lock_error, &present));
    PetscCall(PhPositive(ld, map, path, "lock_error", rg->lock_error, PETSC_TRUE));
    PetscCall(PhGetString_Private(ld, map, path, "die", PETSC_FALSE, rg->name ? rg->name : "", &rg->die));
    PetscCall(PetscCalloc1(rg->count, &rg->offsets));
    offsets = PhNodeGet_Private(map, "offsets");
    if (!PhNodeIsNull_Private(offsets) && rg->count > 0) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "offsets", -1));
      if (offsets->type != PH_NODE_SEQ || offsets->n != rg->count) {
        char got[64];

        if (offsets->type == PH_NODE_SEQ) (void)snprintf(got, sizeof(got), "a list of %d", (int)offsets->n);
        else (void)snprintf(got, sizeof(got), "%s", PhNodeTypeName_Private(offsets));
        PetscCall(PhDiagAdd(ld->diag, offsets->loc, sub, "expected a list of %d wavelength offsets (one per ring), got %s", (int)rg->count, got));
      } else {
        for (PetscInt r = 0; r < rg->count; r++) {
          char item[200];

          PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, r));
          PetscCall(PhGetNodeQuantity_Private(ld, offsets->values[r], item, PH_QT_WAVELENGTH, &rg->offsets[r], &ok));
        }
      }
    }
    rg->heater_efficiency = 0.28e-9 / 1e-3;
    rg->heater_max_power  = 20e-3;
    rg->heater_feedback   = PETSC_TRUE;
    heater                = PhNodeGet_Private(map, "heater");
    if (!PhNodeIsNull_Private(heater)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "heater", -1));
      PetscCall(PhGetExpectMap_Private(ld, heater, sub, &ok));
      if (ok) {
        PetscCall(PhGetCheckKeys_Private(ld, heater, sub, hkeys));
        PetscCall(PhGetQuantity_Private(ld, heater, sub, "efficiency", PH_QT_TUNING, PETSC_FALSE, rg->heater_efficiency, &rg->heater_efficiency,
                                        &present));
        PetscCall(PhPositive(ld, heater, sub, "efficiency", rg->heater_efficiency, PETSC_FALSE));
        PetscCall(PhGetQuantity_Private(ld, heater, sub, "max_power", PH_QT_POWER, PETSC_FALSE, rg->heater_max_power, &rg->heater_max_power,
                                        &present));
        PetscCall(PhPositive(ld, heater, sub, "max_power", rg->heater_max_power, PETSC_TRUE));
        PetscCall(PhGetBool_Private(ld, heater, sub, "feedback", PETSC_TRUE, &rg->heater_feedback));
      }
    }
    rg->die_index = -1;
    if (rg->die != NULL) {
      for (PetscInt d = 0; d < op->ndies; d++)
        if (!strcmp(op->die_names[d], rg->die)) rg->die_index = d;
      if (rg->die_index < 0) {
        PetscCall(PetscStrallocpy(rg->die, &op->die_names[op->ndies]));
        rg->die_index = op->ndies++;
      }
    }
  }
  PetscCall(PetscFree(lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Key path of item `k` of the lasers or rings: its index among the items of the list as written (`list` may be NULL). */
static void PhOpticsItemPath(const PhNode *list, const char *name, PetscInt k, char *path, size_t len)
{
  PetscInt at = k;

  if (list != NULL && list->type == PH_NODE_SEQ) {
    for (PetscInt i = 0, maps = 0; i < list->n; i++) {
      if (list->values[i]->type != PH_NODE_MAP) continue;
      if (maps++ == k) {
        at = i;
        break;
      }
    }
  }
  (void)snprintf(path, len, "optics.%s[%d]", name, (int)at);
}

/* The keys of a link that name a laser or a ring group, in the order they are read. */
typedef enum {
  PH_LINK_LASER,
  PH_LINK_TX,
  PH_LINK_RX,
  PH_LINK_NROLES
} PhLinkRole;
static const char *const PhLinkRoles[] = {"laser", "tx", "rx", NULL};

/* What a role names: a laser or a ring group (the noun of messages). */
typedef enum {
  PH_TARGET_LASER,
  PH_TARGET_RING,
  PH_NTARGETS
} PhLinkTarget;
static const char *const  PhLinkTargets[]    = {"laser", "ring group", NULL};
static const PhLinkTarget PhLinkRoleTarget[] = {[PH_LINK_LASER] = PH_TARGET_LASER, [PH_LINK_TX] = PH_TARGET_RING, [PH_LINK_RX] = PH_TARGET_RING};

/*
  Links, then the lasers and ring groups no link uses. A link reference that names no laser (or ring group) is one
  problem: the laser it was meant for (its suggestion, or any laser when there is none) is then not also unused.
*/
static PetscErrorCode PhSchemaLinks(PhLoader *ld, PhNode *list, const PhNode *laser_list, const PhNode *ring_list)
{
  static const char *const keys[] =
    {"name", "laser", "tx", "rx", "rate", "lock", "relock_time", "loss", "sensitivity", "margin_threshold", "electrical_energy", NULL};
  PhOptics    *op = &ld->problem->optics;
  const char **names[PH_NTARGETS];
  PetscInt     count[PH_NTARGETS] = {op->nlasers, op->nrings};
  PetscBool   *meant[PH_NTARGETS], unresolved[PH_NTARGETS] = {PETSC_FALSE, PETSC_FALSE};
  PetscInt    *name_lines;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->links));
  PetscCall(PetscMalloc2(op->nlasers + 1, &names[PH_TARGET_LASER], op->nrings + 1, &names[PH_TARGET_RING]));
  PetscCall(PetscCalloc3(op->nlasers + 1, &meant[PH_TARGET_LASER], op->nrings + 1, &meant[PH_TARGET_RING], list->n + 1, &name_lines));
  for (PetscInt i = 0; i < op->nlasers; i++) names[PH_TARGET_LASER][i] = op->lasers[i].name;
  for (PetscInt i = 0; i < op->nrings; i++) names[PH_TARGET_RING][i] = op->rings[i].name;
  for (PetscInt i = 0; i < list->n; i++) {
    PhNode   *map = list->values[i];
    PhLink   *lk  = &op->links[op->nlinks];
    char      path[128], sub[160], **seen;
    PetscBool ok, present;
    PetscInt  lock;
    PetscInt *refs[PH_LINK_NROLES] = {&lk->laser, &lk->tx, &lk->rx};

    PetscCall(PhNodePath_Private(path, sizeof(path), "optics.links", NULL, i));
    PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    op->nlinks++;
    lk->loc   = map->loc;
    lk->laser = lk->tx = lk->rx = -1;
    PetscCall(PhGetCheckKeys_Private(ld, map, path, keys));
    PetscCall(PetscMalloc1(op->nlinks, &seen));
    for (PetscInt j = 0; j < op->nlinks - 1; j++) seen[j] = op->links[j].name;
    PetscCall(PhGetName_Private(ld, map, path, "link", op->nlinks - 1, seen, name_lines, &lk->name, &name_lines[op->nlinks - 1]));
    PetscCall(PetscFree(seen));
    for (int r = 0; r < PH_LINK_NROLES; r++) {
      PhNode      *node = PhNodeGet_Private(map, PhLinkRoles[r]);
      PhLinkTarget kind = PhLinkRoleTarget[r];
      const char  *what = PhLinkTargets[kind];

      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, PhLinkRoles[r], -1));
      if (PhNodeIsNull_Private(node)) {
        char detail[64];

        (void)snprintf(detail, sizeof(detail), "the name of a %s", what);
        PetscCall(PhGetMissingDetail_Private(ld, map, path, PhLinkRoles[r], detail));
        unresolved[kind] = PETSC_TRUE;
        continue;
      }
      PetscCall(PhGetRef_Private(ld, node, sub, what, count[kind], names[kind], refs[r]));
      if (*refs[r] < 0) {
        const char *best = NULL;

        if (node->type == PH_NODE_SCALAR) PetscCall(PhLevenshteinSuggest_Private(node->value, count[kind], names[kind], &best));
        if (best == NULL) unresolved[kind] = PETSC_TRUE;
        for (PetscInt j = 0; best != NULL && j < count[kind]; j++)
          if (names[kind][j] == best) meant[kind][j] = PETSC_TRUE;
        continue;
      }
      if (kind == PH_TARGET_LASER) {
        if (op->lasers[lk->laser].link >= 0)
          PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "laser \"%s\" is already used by link \"%s\"; each laser belongs to one link", node->value,
                              op->links[op->lasers[lk->laser].link].name ? op->links[op->lasers[lk->laser].link].name : "?"));
        else op->lasers[lk->laser].link = op->nlinks - 1;
      } else {
        PhRingGroup *rg = &op->rings[*refs[r]];

        if (rg->link >= 0)
          PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "ring group \"%s\" is already used by link \"%s\"; each ring group belongs to one link",
                              node->value, op->links[rg->link].name ? op->links[rg->link].name : "?"));
        else rg->link = op->nlinks - 1;
      }
    }
    if (lk->laser >= 0 && op->lasers[lk->laser].lines > 0) {
      for (int r = PH_LINK_TX; r <= PH_LINK_RX; r++) {
        PetscInt g = *refs[r];

        if (g < 0 || op->rings[g].count <= 0) continue;
        if (op->rings[g].count != op->lasers[lk->laser].lines) {
          PetscCall(PhNodePath_Private(sub, sizeof(sub), path, PhLinkRoles[r], -1));
          PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, PhLinkRoles[r])->loc, sub,
                              "ring group \"%s\" has count %d but laser \"%s\" has %d lines; they must be equal", op->rings[g].name,
                              (int)op->rings[g].count, op->lasers[lk->laser].name, (int)op->lasers[lk->laser].lines));
        }
      }
    }
    PetscCall(PhGetQuantity_Private(ld, map, path, "rate", PH_QT_RATE, PETSC_FALSE, 112e9, &lk->rate, &present));
    PetscCall(PhPositive(ld, map, path, "rate", lk->rate, PETSC_FALSE));
    PetscCall(PhGetEnum_Private(ld, map, path, "lock", PhLockPolicies, PH_LOCK_WRAP, &lock));
    lk->lock = (PhLockPolicy)lock;
    PetscCall(PhGetQuantity_Private(ld, map, path, "relock_time", PH_QT_TIME, PETSC_FALSE, 100e-6, &lk->relock_time, &present));
    PetscCall(PhPositive(ld, map, path, "relock_time", lk->relock_time, PETSC_TRUE));
    PetscCall(PhGetQuantity_Private(ld, map, path, "loss", PH_QT_DB, PETSC_FALSE, 8.0, &lk->loss, &present));
    PetscCall(PhGetQuantity_Private(ld, map, path, "sensitivity", PH_QT_OPTICAL_POWER, PETSC_FALSE, -12.0, &lk->sensitivity, &present));
    PetscCall(PhGetQuantity_Private(ld, map, path, "margin_threshold", PH_QT_DB, PETSC_FALSE, 0.0, &lk->margin_threshold, &present));
    PetscCall(PhGetQuantity_Private(ld, map, path, "electrical_energy", PH_QT_ENERGY_PER_BIT, PETSC_FALSE, 2e-12, &lk->electrical_energy, &present));
    PetscCall(PhPositive(ld, map, path, "electrical_energy", lk->electrical_energy, PETSC_TRUE));
  }
  for (PetscInt i = 0; i < op->nlasers && !unresolved[PH_TARGET_LASER]; i++) {
    char path[128];

    if (op->lasers[i].link >= 0 || op->lasers[i].name == NULL || meant[PH_TARGET_LASER][i]) continue;
    PhOpticsItemPath(laser_list, "lasers", i, path, sizeof(path));
    PetscCall(PhDiagAdd(ld->diag, op->lasers[i].loc, path, "laser \"%s\" is not used by any link", op->lasers[i].name));
  }
  for (PetscInt i = 0; i < op->nrings && !unresolved[PH_TARGET_RING]; i++) {
    char path[128];

    if (op->rings[i].link >= 0 || op->rings[i].name == NULL || meant[PH_TARGET_RING][i]) continue;
    PhOpticsItemPath(ring_list, "rings", i, path, sizeof(path));
    PetscCall(PhDiagAdd(ld->diag, op->rings[i].loc, path, "ring group \"%s\" is not used by any link", op->rings[i].name));
  }
  PetscCall(PetscFree2(names[PH_TARGET_LASER], names[PH_TARGET_RING]));
  PetscCall(PetscFree3(meant[PH_TARGET_LASER], meant[PH_TARGET_RING], name_lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaYield_Private(PhLoader *ld)
{
  static const char *const keys[]       = {"assembly", "samples", "seed", NULL};
  static const char *const def_names[]  = {"asic", "pic", "eic", "bonds", "fibre_attach"};
  static const PetscReal   def_values[] = {0.92, 0.97, 0.98, 0.95, 0.99};
  PhYield                 *y            = &ld->problem->yield;
  PhNode                  *node         = PhNodeGet_Private(ld->root, "yield"), *assembly;
  PetscBool                ok;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(node)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetExpectMap_Private(ld, node, "yield", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  y->present = PETSC_TRUE;
  PetscCall(PhGetCheckKeys_Private(ld, node, "yield", keys));
  PetscCall(PhGetInt_Private(ld, node, "yield", "samples", PETSC_FALSE, 2000, 1, 10000000, &y->samples, NULL));
  PetscCall(PhGetInt_Private(ld, node, "yield", "seed", PETSC_FALSE, 1, 0, 2147483647, &y->seed, NULL));
  assembly = PhNodeGet_Private(node, "assembly");
  if (PhNodeIsNull_Private(assembly)) {
    y->nassembly = 5;
    PetscCall(PetscMalloc2(5, &y->assembly_names, 5, &y->assembly_values));
    for (int i = 0; i < 5; i++) {
      PetscCall(PetscStrallocpy(def_names[i], &y->assembly_names[i]));
      y->assembly_values[i] = def_values[i];
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhGetExpectMap_Private(ld, assembly, "yield.assembly", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  y->nassembly = assembly->n;
  PetscCall(PetscMalloc2(PetscMax(assembly->n, 1), &y->assembly_names, PetscMax(assembly->n, 1), &y->assembly_values));
  for (PetscInt i = 0; i < assembly->n; i++) {
    char path[300];

    PetscCall(PetscStrallocpy(assembly->keys[i]->value, &y->assembly_names[i]));
    PetscCall(PhNodePath_Private(path, sizeof(path), "yield.assembly", assembly->keys[i]->value, -1));
    PetscCall(PhGetNodeQuantity_Private(ld, assembly->values[i], path, PH_QT_DIMENSIONLESS, &y->assembly_values[i], &ok));
    if (ok && !(y->assembly_values[i] > 0 && y->assembly_values[i] <= 1))
      PetscCall(PhDiagAdd(ld->diag, assembly->values[i]->loc, path, "a yield must be in (0, 1], got %g", (double)y->assembly_values[i]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The list optics.`key`: an empty list when it is not given (so that its checks still run), NULL when it is not a
  list (reported; its section is then skipped).
*/
static PetscErrorCode PhOpticsList(PhLoader *ld, const PhNode *optics, const char key[], PhNode *empty, PhNode **list)
{
  PhNode *node = PhNodeGet_Private(optics, key);
  char    path[64];

  PetscFunctionBeginUser;
  *list = node;
  if (PhNodeIsNull_Private(node)) *list = empty;
  else if (node->type != PH_NODE_SEQ) {
    (void)snprintf(path, sizeof(path), "optics.%s", key);
    PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected a list, got %s", PhNodeTypeName_Private(node)));
    *list = NULL;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* optics: (PHYSICS §1): lasers, ring groups, then the links between them. */
PetscErrorCode PhSchemaOptics_Private(PhLoader *ld)
{
  static const char *const keys[] = {"reference_temperature", "lasers", "rings", "links", "metrics_from", NULL};
  PhCase                   pb     = ld->problem;
  PhOptics                *op     = &pb->optics;
  PhNode                  *node   = PhNodeGet_Private(ld->root, "optics");
  PetscBool                ok, present, many = PETSC_FALSE;
  PhNode                   empty, *list;

  PetscFunctionBeginUser;
  op->reference_temperature = 25.0 + PH_ZERO_CELSIUS;
  if (PhNodeIsNull_Private(node)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetExpectMap_Private(ld, node, "optics", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetCheckKeys_Private(ld, node, "optics", keys));
  PetscCall(PhGetQuantity_Private(ld, node, "optics", "reference_temperature", PH_QT_TEMPERATURE, PETSC_FALSE, op->reference_temperature,
                                  &op->reference_temperature, &present));
  PetscCall(PhGetQuantity_Private(ld, node, "optics", "metrics_from", PH_QT_TIME, PETSC_FALSE, 0, &op->metrics_from, &present));
  if (present && (op->metrics_from < 0 || (!pb->time.steady && pb->time.end > 0 && op->metrics_from >= pb->time.end)))
    PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(node, "metrics_from")->loc, "optics.metrics_from", "must be at least 0 and before time.end"));
  PetscCall(PetscMemzero(&empty, sizeof(empty)));
  empty.type = PH_NODE_SEQ;
  PetscCall(PhOpticsList(ld, node, "lasers", &empty, &list));
  if (list != NULL) PetscCall(PhGetTooMany_Private(ld, list, "optics.lasers", list->n, "lasers", PH_MAX_DEVICES, &many));
  if (list != NULL && !many) PetscCall(PhSchemaLasers(ld, list));
  PetscCall(PhOpticsList(ld, node, "rings", &empty, &list));
  if (list != NULL) PetscCall(PhGetTooMany_Private(ld, list, "optics.rings", list->n, "ring groups", PH_MAX_DEVICES, &many));
  if (list != NULL && !many) PetscCall(PhSchemaRings(ld, list));
  PetscCall(PhOpticsList(ld, node, "links", &empty, &list));
  if (list != NULL) PetscCall(PhGetTooMany_Private(ld, list, "optics.links", list->n, "links", PH_MAX_DEVICES, &many));
  if (list != NULL && !many) PetscCall(PhSchemaLinks(ld, list, PhNodeGet_Private(node, "lasers"), PhNodeGet_Private(node, "rings")));
  PetscFunctionReturn(PETSC_SUCCESS);
}
