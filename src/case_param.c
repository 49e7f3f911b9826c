/*
  parameters: of the case file (DESIGN §3.2), and the ${name} lookup that every evaluation of a value calls.

  Owns the parameter slots of the loader and the parameters of the resolved case. A parameter is evaluated once, on
  first use, and a problem of it is reported once, at its definition. Calls the tree (case_yaml.c), units and diag
  only; the getters call it.
*/
#include "case_impl.h"

#include <ctype.h>
#include <string.h>

/* Parameters defined through others nest at most this deep: evaluating one evaluates those it uses first, on the stack. */
#define PH_MAX_PARAM_DEPTH 100

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
  { /* by the hash of the parameters: map, whose keys are in the order of the slots */
    PetscInt     i = ld->nparams > 0 ? PhNodeIndex_Private(ld->param_map, name) : -1;
    PhParamSlot *p = i >= 0 ? &ld->params[i] : NULL;

    if (p == NULL) PetscFunctionReturn(PETSC_SUCCESS);
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
    if (p->state == PH_PARAM_PENDING && ld->nactive >= PH_MAX_PARAM_DEPTH) { /* the chain is refused once, at its start */
      char path[300];

      p->state = PH_PARAM_DONE;
      p->valid = PETSC_FALSE;
      if (!ld->param_deep) {
        (void)snprintf(path, sizeof(path), "parameters.%s", ld->active[0]->name);
        PetscCall(PhDiagAdd(ld->diag, ld->active[0]->node->loc, path,
                            "defined through a chain of more than %d parameters (%s -> %s -> ... -> %s -> %s -> ...); at most %d may nest",
                            PH_MAX_PARAM_DEPTH, ld->active[0]->name, ld->active[1]->name, ld->active[ld->nactive - 1]->name, name,
                            PH_MAX_PARAM_DEPTH));
        ld->param_deep = PETSC_TRUE;
      }
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

PetscErrorCode PhSchemaParameters_Private(PhLoader *ld)
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
  ld->param_map                 = params;
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
