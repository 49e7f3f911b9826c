/*
  YAML text to a located node tree: aliases under a budget, duplicate keys, includes, -P overrides, and the resolved emit.

  Owns the loader's pool, the nodes, the key paths of messages (PhNodePath_Private) and the file names of the case
  (PhCaseInternFile_Private). The bottom layer of the loader: calls libyaml, diag and sys, nothing of case*.c above it.
*/
#include "case_impl.h"

#include <ctype.h>
#include <string.h>
#include <yaml.h>

#define PH_YAML_MAX_DEPTH    64
#define PH_YAML_MAX_NODES    200000 /* after alias expansion; a real case has a few thousand */
#define PH_INCLUDE_MAX_DEPTH 16

PetscErrorCode PhPoolAdd_Private(PhPool *pool, void *ptr)
{
  PetscFunctionBeginUser;
  if (pool->n == pool->cap) {
    void **bigger;

    pool->cap = pool->cap ? 2 * pool->cap : 256;
    PetscCall(PetscMalloc1(pool->cap, &bigger));
    if (pool->n) PetscCall(PetscMemcpy(bigger, pool->ptrs, pool->n * sizeof(void *)));
    PetscCall(PetscFree(pool->ptrs));
    pool->ptrs = bigger;
  }
  pool->ptrs[pool->n++] = ptr;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Zeroed memory from the pool: carved from chunks of PH_POOL_CHUNK bytes, so that a document of 10^5 nodes costs a few
  hundred allocations, not 10^5 (the tree is freed all at once, and -malloc_debug checks the heap on every call).
*/
PetscErrorCode PhPoolAlloc_Private(PhPool *pool, size_t size, void **ptr)
{
  size_t need = (size + 15) & ~(size_t)15; /* keep every piece aligned for any member type */

  PetscFunctionBeginUser;
  if (need > PH_POOL_CHUNK / 4) {
    char *own;

    PetscCall(PetscCalloc1(need, &own));
    PetscCall(PhPoolAdd_Private(pool, own));
    *ptr = own;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (pool->chunk == NULL || pool->used + need > PH_POOL_CHUNK) {
    PetscCall(PetscCalloc1(PH_POOL_CHUNK, &pool->chunk));
    PetscCall(PhPoolAdd_Private(pool, pool->chunk));
    pool->used = 0;
  }
  *ptr = pool->chunk + pool->used;
  pool->used += need;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhPoolStrdup_Private(PhPool *pool, const char *s, char **out)
{
  size_t len;

  PetscFunctionBeginUser;
  *out = NULL;
  if (s == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  len = strlen(s);
  PetscCall(PhPoolAlloc_Private(pool, len + 1, (void **)out));
  PetscCall(PetscMemcpy(*out, s, len + 1));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhPoolFree_Private(PhPool *pool)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < pool->n; i++) PetscCall(PetscFree(pool->ptrs[i]));
  PetscCall(PetscFree(pool->ptrs));
  pool->n = pool->cap = 0;
  pool->chunk         = NULL;
  pool->used          = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The file names that PhSourceLoc point into belong to the case, not to the loader's pool: the mesh and the run
  report problems at positions of the case long after loading (DESIGN §2). Each name is stored once.
*/
PetscErrorCode PhCaseInternFile_Private(PhCase pb, const char name[], const char **file)
{
  char **bigger;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < pb->nfiles; i++) {
    if (!strcmp(pb->files[i], name)) {
      *file = pb->files[i];
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PetscMalloc1(pb->nfiles + 1, &bigger));
  if (pb->nfiles) PetscCall(PetscMemcpy(bigger, pb->files, pb->nfiles * sizeof(*bigger)));
  PetscCall(PetscFree(pb->files));
  pb->files = bigger;
  PetscCall(PetscStrallocpy(name, &pb->files[pb->nfiles]));
  *file = pb->files[pb->nfiles++];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhNodeCreate_Private(PhLoader *ld, PhNodeType type, PhSourceLoc loc, PhNode **node)
{
  PhNode *nd;

  PetscFunctionBeginUser;
  PetscCall(PhPoolAlloc_Private(&ld->pool, sizeof(PhNode), (void **)&nd));
  nd->type = type;
  nd->loc  = loc;
  *node    = nd;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* FNV-1a of a key. */
static size_t PhKeyHash(const char *s)
{
  size_t h = 1469598103934665603ULL;

  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* Enter key i of a map into its hash table. */
static void PhNodeHashInsert(PhNode *map, PetscInt i)
{
  size_t mask = (size_t)map->nslots - 1, at = PhKeyHash(map->keys[i]->value) & mask;

  while (map->slots[at] != 0) at = (at + 1) & mask;
  map->slots[at] = i + 1;
}

/* (Re)build the hash table of a map's keys when it has more than PH_NODE_HASH_MIN of them (pool memory, freed with it). */
static PetscErrorCode PhNodeHashBuild(PhLoader *ld, PhNode *map)
{
  PetscInt n = 16;

  PetscFunctionBeginUser;
  map->slots  = NULL;
  map->nslots = 0;
  if (map->n <= PH_NODE_HASH_MIN) PetscFunctionReturn(PETSC_SUCCESS);
  while (n < 2 * map->cap) n *= 2;
  PetscCall(PhPoolAlloc_Private(&ld->pool, (size_t)n * sizeof(*map->slots), (void **)&map->slots));
  PetscCall(PetscMemzero(map->slots, (size_t)n * sizeof(*map->slots)));
  map->nslots = n;
  for (PetscInt i = 0; i < map->n; i++) PhNodeHashInsert(map, i);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Index of a key in a map, -1 if absent: by hash in large maps, in order in small ones. */
PetscInt PhNodeIndex_Private(const PhNode *map, const char key[])
{
  if (map == NULL || map->type != PH_NODE_MAP) return -1;
  if (map->nslots > 0) {
    size_t mask = (size_t)map->nslots - 1;

    for (size_t at = PhKeyHash(key) & mask; map->slots[at] != 0; at = (at + 1) & mask)
      if (strcmp(map->keys[map->slots[at] - 1]->value, key) == 0) return map->slots[at] - 1;
    return -1;
  }
  for (PetscInt i = 0; i < map->n; i++)
    if (strcmp(map->keys[i]->value, key) == 0) return i;
  return -1;
}

/* Append an item to a sequence (key NULL) or a pair to a mapping. */
PetscErrorCode PhNodeAppend_Private(PhLoader *ld, PhNode *parent, PhNode *key, PhNode *value)
{
  PetscFunctionBeginUser;
  if (parent->n == parent->cap) {
    PhNode **k = NULL, **v;

    parent->cap = parent->cap ? 2 * parent->cap : 8;
    PetscCall(PhPoolAlloc_Private(&ld->pool, parent->cap * sizeof(*v), (void **)&v));
    if (parent->n) PetscCall(PetscMemcpy(v, parent->values, parent->n * sizeof(*v)));
    if (parent->type == PH_NODE_MAP) {
      PetscCall(PhPoolAlloc_Private(&ld->pool, parent->cap * sizeof(*k), (void **)&k));
      if (parent->n) PetscCall(PetscMemcpy(k, parent->keys, parent->n * sizeof(*k)));
    }
    parent->values = v;
    parent->keys   = k;
  }
  if (parent->type == PH_NODE_MAP) parent->keys[parent->n] = key;
  parent->values[parent->n++] = value;
  if (parent->type == PH_NODE_MAP) {
    if (parent->nslots > 0 && 2 * parent->n <= parent->nslots) PhNodeHashInsert(parent, parent->n - 1);
    else if (parent->n > PH_NODE_HASH_MIN) PetscCall(PhNodeHashBuild(ld, parent));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PhNode *PhNodeGetKey_Private(const PhNode *map, const char key[])
{
  PetscInt i = PhNodeIndex_Private(map, key);

  return i < 0 ? NULL : map->keys[i];
}

PhNode *PhNodeGet_Private(const PhNode *map, const char key[])
{
  PetscInt i = PhNodeIndex_Private(map, key);

  return i < 0 ? NULL : map->values[i];
}

/* A plain scalar "", "~", "null" or "Null" is YAML's null: the key is treated as absent. */
PetscBool PhNodeIsNull_Private(const PhNode *node)
{
  if (node == NULL) return PETSC_TRUE;
  if (node->type != PH_NODE_SCALAR || !node->plain) return PETSC_FALSE;
  return (PetscBool)(node->value[0] == '\0' || !strcmp(node->value, "~") || !strcmp(node->value, "null") || !strcmp(node->value, "Null") ||
                     !strcmp(node->value, "NULL"));
}

const char *const PhNodeTypes[] = {"a scalar", "a mapping", "a list", NULL};

/* What a message says was found where something else was expected: PhNodeTypes[type], or "nothing". */
const char *PhNodeTypeName_Private(const PhNode *node)
{
  return node == NULL ? "nothing" : PhNodeTypes[node->type];
}

/* The key path of a child: "parent.key", or "parent[index]" when key is NULL (for messages). */
PetscErrorCode PhNodePath_Private(char *buf, size_t len, const char parent[], const char key[], PetscInt index)
{
  PetscFunctionBeginUser;
  if (key != NULL) (void)snprintf(buf, len, "%s%s%s", parent != NULL ? parent : "", parent != NULL && parent[0] ? "." : "", key);
  else (void)snprintf(buf, len, "%s[%d]", parent != NULL ? parent : "", (int)index);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The position of a libyaml mark; none inside a -P value, which is reported as "-P name=value" (a one-line text). */
static PhSourceLoc PhMarkLoc(const PhLoader *ld, const char *file, yaml_mark_t mark)
{
  PhSourceLoc loc;

  loc.file   = file;
  loc.line   = ld->override_key != NULL ? 0 : (PetscInt)mark.line + 1; /* libyaml marks are 0-based */
  loc.column = ld->override_key != NULL ? 0 : (PetscInt)mark.column + 1;
  return loc;
}

/*
  One libyaml document being converted. libyaml resolves an alias into a second reference to the anchored node and
  keeps no position of the alias itself, so the walk notes which nodes it has converted: meeting one again outside an
  alias expansion is meeting an alias, the next alias of the document in order. Problems found while expanding are
  reported at that alias (found again by its ordinal in the event stream), with the key path where it is written.
*/
typedef struct {
  const char      *file;
  const char      *bytes;
  size_t           length;
  yaml_document_t *doc;
  char            *seen;     /* per libyaml node index (1-based): converted outside any alias expansion */
  PetscInt         naliases; /* aliases met so far outside any expansion, in document order */
  PetscInt         alias;    /* ordinal of the alias being expanded, or -1 */
  char             alias_path[512];
} PhYamlWalk;

/* Position of alias number `ordinal` (0-based, document order) of the first document of the text. */
static PetscErrorCode PhYamlAliasLoc(const PhLoader *ld, const PhYamlWalk *w, PetscInt ordinal, PhSourceLoc *loc)
{
  yaml_parser_t parser;
  yaml_event_t  ev;
  PetscInt      n    = 0;
  PetscBool     done = PETSC_FALSE;

  PetscFunctionBeginUser;
  loc->file   = w->file;
  loc->line   = 0;
  loc->column = 0;
  PetscCheck(yaml_parser_initialize(&parser), PETSC_COMM_SELF, PETSC_ERR_MEM, "yaml_parser_initialize() failed");
  yaml_parser_set_input_string(&parser, (const unsigned char *)w->bytes, w->length);
  while (!done && yaml_parser_parse(&parser, &ev)) {
    if (ev.type == YAML_ALIAS_EVENT && n++ == ordinal) {
      *loc = PhMarkLoc(ld, w->file, ev.start_mark);
      done = PETSC_TRUE;
    }
    if (ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_DOCUMENT_END_EVENT) done = PETSC_TRUE;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A subtree that is not converted (the value of a duplicate key): note its nodes and aliases all the same. */
static void PhYamlSkip(PhYamlWalk *w, int index, int depth)
{
  yaml_node_t *yn = yaml_document_get_node(w->doc, index);

  if (yn == NULL || w->alias >= 0 || depth > PH_YAML_MAX_DEPTH) return;
  if (w->seen[index]) {
    w->naliases++;
    return;
  }
  w->seen[index] = 1;
  if (yn->type == YAML_SEQUENCE_NODE)
    for (yaml_node_item_t *it = yn->data.sequence.items.start; it < yn->data.sequence.items.top; it++) PhYamlSkip(w, *it, depth + 1);
  else if (yn->type == YAML_MAPPING_NODE)
    for (yaml_node_pair_t *pair = yn->data.mapping.pairs.start; pair < yn->data.mapping.pairs.top; pair++) {
      PhYamlSkip(w, pair->key, depth + 1);
      PhYamlSkip(w, pair->value, depth + 1);
    }
}

static PetscErrorCode PhYamlConvert(PhLoader *ld, PhYamlWalk *w, int index, const char path[], int depth, PetscBool *ok, PhNode **out);

/* Stop the conversion at a limit: at the alias whose expansion reached it (one line, where the alias is written), or at the node. */
static PetscErrorCode PhYamlLimit(PhLoader *ld, PhYamlWalk *w, yaml_node_t *yn, const char path[], const char alias_message[], const char message[],
                                  PetscBool *ok)
{
  PetscFunctionBeginUser;
  if (w->alias >= 0) {
    PhSourceLoc loc;

    PetscCall(PhYamlAliasLoc(ld, w, w->alias, &loc));
    PetscCall(PhDiagAdd(ld->diag, loc, w->alias_path, "%s", alias_message));
  } else PetscCall(PhDiagAdd(ld->diag, PhMarkLoc(ld, w->file, yn->start_mark), path, "%s", message));
  *ok = PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhYamlConvertNode(PhLoader *ld, PhYamlWalk *w, yaml_node_t *yn, const char path[], int depth, PetscBool *ok, PhNode **out)
{
  const char *file = w->file;
  PhNode     *node;

  PetscFunctionBeginUser;
  if (--ld->node_budget < 0) {
    char a[128], b[128];

    (void)snprintf(a, sizeof(a), "this alias expands the document to more than %d nodes (an alias bomb?)", PH_YAML_MAX_NODES);
    (void)snprintf(b, sizeof(b), "the document has more than %d nodes", PH_YAML_MAX_NODES);
    PetscCall(PhYamlLimit(ld, w, yn, path, a, b, ok));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (depth > PH_YAML_MAX_DEPTH) {
    char a[128], b[128];

    (void)snprintf(a, sizeof(a), "this alias nests the document deeper than %d levels (does it refer to itself?)", PH_YAML_MAX_DEPTH);
    (void)snprintf(b, sizeof(b), "nested deeper than %d levels", PH_YAML_MAX_DEPTH);
    PetscCall(PhYamlLimit(ld, w, yn, path, a, b, ok));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  switch (yn->type) {
  case YAML_SCALAR_NODE:
    PetscCall(PhNodeCreate_Private(ld, PH_NODE_SCALAR, PhMarkLoc(ld, file, yn->start_mark), &node));
    PetscCall(PhPoolAlloc_Private(&ld->pool, yn->data.scalar.length + 1, (void **)&node->value));
    PetscCall(PetscMemcpy(node->value, yn->data.scalar.value, yn->data.scalar.length));
    node->value[yn->data.scalar.length] = '\0';
    node->plain                         = (PetscBool)(yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
    if (strlen(node->value) != yn->data.scalar.length) {
      PetscCall(PhDiagAdd(ld->diag, node->loc, path, "value contains a NUL character"));
      node->bad = PETSC_TRUE; /* reported: whatever reads it adds nothing */
    }
    break;
  case YAML_SEQUENCE_NODE: {
    PetscInt i = 0;

    PetscCall(PhNodeCreate_Private(ld, PH_NODE_SEQ, PhMarkLoc(ld, file, yn->start_mark), &node));
    for (yaml_node_item_t *it = yn->data.sequence.items.start; it < yn->data.sequence.items.top && *ok; it++, i++) {
      char    sub[512];
      PhNode *child;

      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, NULL, i));
      PetscCall(PhYamlConvert(ld, w, *it, sub, depth + 1, ok, &child));
      if (child != NULL) PetscCall(PhNodeAppend_Private(ld, node, NULL, child));
    }
  } break;
  case YAML_MAPPING_NODE:
    PetscCall(PhNodeCreate_Private(ld, PH_NODE_MAP, PhMarkLoc(ld, file, yn->start_mark), &node));
    for (yaml_node_pair_t *pair = yn->data.mapping.pairs.start; pair < yn->data.mapping.pairs.top && *ok; pair++) {
      yaml_node_t *yk = yaml_document_get_node(w->doc, pair->key);
      PhNode      *key, *value, *previous;
      char         sub[512];

      if (yk->type != YAML_SCALAR_NODE) {
        PetscCall(PhDiagAdd(ld->diag, PhMarkLoc(ld, file, yk->start_mark), path, "a key must be a plain name, not %s",
                            yk->type == YAML_MAPPING_NODE ? "a mapping" : "a list"));
        PhYamlSkip(w, pair->key, depth + 1);
        PhYamlSkip(w, pair->value, depth + 1);
        continue;
      }
      PetscCall(PhYamlConvert(ld, w, pair->key, path, depth + 1, ok, &key));
      if (key == NULL) break;
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key->value, -1));
      previous = PhNodeGetKey_Private(node, key->value);
      if (previous != NULL && !key->bad) {
        PetscCall(PhDiagAdd(ld->diag, key->loc, sub, "duplicate key (first given at line %d)", (int)previous->loc.line));
        PhYamlSkip(w, pair->value, depth + 1);
        continue;
      }
      PetscCall(PhYamlConvert(ld, w, pair->value, sub, depth + 1, ok, &value));
      if (value != NULL) PetscCall(PhNodeAppend_Private(ld, node, key, value));
    }
    break;
  default:
    PetscCall(PhDiagAdd(ld->diag, PhMarkLoc(ld, file, yn->start_mark), path, "empty node"));
    *ok = PETSC_FALSE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *out = node;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Convert libyaml node `index` into a PhNode tree; aliases are shared in libyaml and copied here under a budget. */
static PetscErrorCode PhYamlConvert(PhLoader *ld, PhYamlWalk *w, int index, const char path[], int depth, PetscBool *ok, PhNode **out)
{
  yaml_node_t *yn      = yaml_document_get_node(w->doc, index);
  PetscBool    entered = PETSC_FALSE;

  PetscFunctionBeginUser;
  *out = NULL;
  if (!*ok) PetscFunctionReturn(PETSC_SUCCESS);
  if (w->alias < 0) {
    if (w->seen[index]) { /* met again: this is an alias, expanded from here on */
      w->alias = w->naliases++;
      (void)snprintf(w->alias_path, sizeof(w->alias_path), "%s", path);
      entered = PETSC_TRUE;
    } else w->seen[index] = 1;
  }
  PetscCall(PhYamlConvertNode(ld, w, yn, path, depth, ok, out));
  if (entered) w->alias = -1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A hint for the most common syntax error in case files: a unit written after a [list]. */
static const char *PhSyntaxHint(const char *bytes, size_t length, size_t line)
{
  const char *p = bytes, *end = bytes + length, *eol;

  for (size_t l = 0; l < line && p < end; l++) {
    p = memchr(p, '\n', (size_t)(end - p));
    if (p == NULL) return "";
    p++;
  }
  eol = memchr(p, '\n', (size_t)(end - p));
  if (eol == NULL) eol = end;
  for (const char *c = p; c + 2 < eol; c++) {
    if (c[0] == ']' && c[1] == ' ' && ((c[2] >= 'A' && c[2] <= 'Z') || (c[2] >= 'a' && c[2] <= 'z') || c[2] == '1'))
      return " (YAML allows no unit after a [list]: give each item its unit, [3 W/m/K, 3 W/m/K, 1.2 W/m/K], or quote the whole value, \"[3, 3, 1.2] W/m/K\")";
  }
  return "";
}

/* Line and column (in characters) of byte `offset`. */
static void PhOffsetLoc(const char *bytes, size_t length, size_t offset, PhSourceLoc *loc)
{
  loc->line   = 1;
  loc->column = 1;
  for (size_t i = 0; i < offset && i < length; i++) {
    if (bytes[i] == '\n') {
      loc->line++;
      loc->column = 1;
    } else if (((unsigned char)bytes[i] & 0xC0) != 0x80) loc->column++; /* count characters, not UTF-8 continuation bytes */
  }
}

/* One line for a libyaml error: where it was noticed, and where the construct it concerns began. */
static PetscErrorCode PhYamlSyntaxError(PhLoader *ld, const char file[], const char *bytes, size_t length, const yaml_parser_t *parser)
{
  const char *problem = parser->problem != NULL ? parser->problem : "unknown problem";
  PhSourceLoc loc     = PhMarkLoc(ld, file, parser->problem_mark);
  char        where[160];

  PetscFunctionBeginUser;
  where[0] = '\0';
  if (ld->override_key != NULL) { /* a -P value: one line, no position inside the value */
    PetscCall(PhDiagAdd(ld->diag, loc, ld->override_key, "YAML syntax error: %s%s%s%s", parser->context != NULL ? parser->context : "",
                        parser->context != NULL ? " " : "", problem, PhSyntaxHint(bytes, length, parser->problem_mark.line)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (parser->error == YAML_READER_ERROR) {
    /* the reader decodes ahead of the parser and gives a byte offset only */
    size_t at = parser->problem_offset;

    if (strstr(problem, "trailing") != NULL || strstr(problem, "incomplete") != NULL) {
      for (int k = 0; k < 3 && at > 0 && at <= length && ((unsigned char)bytes[at - 1] & 0xC0) == 0x80; k++) at--;
      if (at > 0 && at <= length && ((unsigned char)bytes[at - 1] & 0xC0) == 0xC0) at--;
    }
    PhOffsetLoc(bytes, length, at, &loc);
    PetscCall(PhDiagAdd(ld->diag, loc, NULL, "YAML syntax error: %s (byte 0x%02X)%s", problem, at < length ? (unsigned)(unsigned char)bytes[at] : 0u,
                        strstr(problem, "UTF-8") != NULL ? "; save the file as UTF-8" : ""));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (parser->context != NULL && parser->context_mark.line != parser->problem_mark.line) {
    const char *what = strstr(parser->context, "flow mapping") != NULL     ? "the mapping opened"
                     : strstr(parser->context, "flow sequence") != NULL    ? "the list opened"
                     : strstr(parser->context, "block mapping") != NULL    ? "the mapping started"
                     : strstr(parser->context, "block collection") != NULL ? "the list started"
                     : strstr(parser->context, "quoted scalar") != NULL    ? "the quoted value started"
                     : strstr(parser->context, "plain scalar") != NULL     ? "the value started"
                                                                           : "it started";

    (void)snprintf(where, sizeof(where), " (%s at line %d, column %d)", what, (int)parser->context_mark.line + 1,
                   (int)parser->context_mark.column + 1);
  }
  if (parser->context != NULL)
    PetscCall(PhDiagAdd(ld->diag, loc, NULL, "YAML syntax error: %s %s%s%s", parser->context, problem, where,
                        PhSyntaxHint(bytes, length, parser->problem_mark.line)));
  else PetscCall(PhDiagAdd(ld->diag, loc, NULL, "YAML syntax error: %s%s", problem, PhSyntaxHint(bytes, length, parser->problem_mark.line)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A collection open in the event stream: its key path, and where the next node goes. */
typedef struct {
  PetscBool map, at_key;
  PetscInt  index;
  char      key[128], path[512];
} PhYamlFrame;

/* The key path of the next node in collection `up` (cut when it is longer than `len`). */
static void PhYamlChildPath(char *buf, size_t len, const PhYamlFrame *up)
{
  int n = up->map ? snprintf(buf, len, "%s%s%s", up->path, up->path[0] ? "." : "", up->key) : snprintf(buf, len, "%s[%d]", up->path, (int)up->index);

  if (n < 0 || (size_t)n >= len) buf[len - 1] = '\0';
}

/*
  libyaml's loader takes time quadratic in the nesting of flow collections (a list nested 1e5 deep: a minute), so the
  events are walked first, which costs a little lookahead per level, and a document nested deeper than
  PH_YAML_MAX_DEPTH, or of more than PH_YAML_MAX_NODES nodes as written, is refused at its first node beyond the limit,
  with that node's key path, before the rest is loaded. A syntax error is left to the
  loader, which reports it.
*/
static PetscErrorCode PhYamlCheckDepth(PhLoader *ld, const char file[], const char *bytes, size_t length, PetscBool *ok)
{
  yaml_parser_t parser;
  yaml_event_t  ev;
  PhYamlFrame  *stack;
  PetscInt      depth = 0, nodes = 0;
  PetscBool     done = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PH_YAML_MAX_DEPTH + 1, &stack));
  PetscCheck(yaml_parser_initialize(&parser), PETSC_COMM_SELF, PETSC_ERR_MEM, "yaml_parser_initialize() failed");
  yaml_parser_set_input_string(&parser, (const unsigned char *)bytes, length);
  while (!done && yaml_parser_parse(&parser, &ev)) {
    PetscBool node = (PetscBool)(ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
                                 ev.type == YAML_MAPPING_START_EVENT);
    char      path[512];

    if (node) { /* its key path, as the tree will name it */
      PhYamlFrame *up = depth > 0 ? &stack[depth - 1] : NULL;

      if (up == NULL) (void)snprintf(path, sizeof(path), "%s", ld->override_key != NULL ? ld->override_key : "");
      else if (up->map && up->at_key) {
        (void)snprintf(path, sizeof(path), "%s", up->path);
        if (snprintf(up->key, sizeof(up->key), "%s", ev.type == YAML_SCALAR_EVENT ? (const char *)ev.data.scalar.value : "?") < 0) up->key[0] = '\0';
      } else PhYamlChildPath(path, sizeof(path), up);
      if (up != NULL && !up->map) up->index++;
      if (up != NULL && up->map) up->at_key = (PetscBool)!up->at_key;
      if (depth > PH_YAML_MAX_DEPTH) {
        PetscCall(PhDiagAdd(ld->diag, PhMarkLoc(ld, file, ev.start_mark), path, "nested deeper than %d levels", PH_YAML_MAX_DEPTH));
        *ok  = PETSC_FALSE;
        done = PETSC_TRUE;
      } else if (ev.type != YAML_ALIAS_EVENT && ++nodes > PH_YAML_MAX_NODES) { /* before libyaml loads the rest (aliases count later) */
        PetscCall(PhDiagAdd(ld->diag, PhMarkLoc(ld, file, ev.start_mark), path, "the document has more than %d nodes", PH_YAML_MAX_NODES));
        *ok  = PETSC_FALSE;
        done = PETSC_TRUE;
      }
    }
    if (!done && (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)) {
      PhYamlFrame *f = &stack[depth++];

      f->map    = (PetscBool)(ev.type == YAML_MAPPING_START_EVENT);
      f->at_key = PETSC_TRUE;
      f->index  = 0;
      f->key[0] = '\0';
      (void)snprintf(f->path, sizeof(f->path), "%s", path);
    }
    if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) depth--;
    if (ev.type == YAML_DOCUMENT_END_EVENT || ev.type == YAML_STREAM_END_EVENT) done = PETSC_TRUE;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  PetscCall(PetscFree(stack));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Parse YAML text into a tree. Syntax errors, empty and binary input become diagnostics and *root is NULL.
  `file` must outlive the tree (it is interned in the case by the caller).
**/
PetscErrorCode PhYamlParse_Private(PhLoader *ld, const char file[], const char *bytes, size_t length, PhNode **root)
{
  yaml_parser_t   parser;
  yaml_document_t doc;
  PhSourceLoc     start = {file, 1, 1};
  PetscBool       ok    = PETSC_TRUE;

  PetscFunctionBeginUser;
  *root = NULL;
  if (memchr(bytes, '\0', length) != NULL) {
    PetscCall(PhDiagAdd(ld->diag, start, NULL, "not a text file (it contains NUL bytes); a YAML case file is expected"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhYamlCheckDepth(ld, file, bytes, length, &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(yaml_parser_initialize(&parser), PETSC_COMM_SELF, PETSC_ERR_MEM, "yaml_parser_initialize() failed");
  yaml_parser_set_input_string(&parser, (const unsigned char *)bytes, length);
  if (!yaml_parser_load(&parser, &doc)) {
    PetscCall(PhYamlSyntaxError(ld, file, bytes, length, &parser));
    yaml_parser_delete(&parser);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (yaml_document_get_root_node(&doc) == NULL) {
    if (ld->override_key != NULL)
      PetscCall(PhDiagAdd(ld->diag, PhMarkLoc(ld, file, parser.problem_mark), ld->override_key, "expected a value, got none"));
    else PetscCall(PhDiagAdd(ld->diag, start, NULL, "the file is empty; a YAML case file is expected"));
  } else {
    yaml_document_t extra;
    PhYamlWalk      w;

    PetscCall(PetscMemzero(&w, sizeof(w)));
    w.file   = file;
    w.bytes  = bytes;
    w.length = length;
    w.doc    = &doc;
    w.alias  = -1;
    PetscCall(PetscCalloc1((size_t)(doc.nodes.top - doc.nodes.start) + 1, &w.seen));
    ld->node_budget = PH_YAML_MAX_NODES;
    PetscCall(PhYamlConvert(ld, &w, 1, ld->override_key != NULL ? ld->override_key : "", 0, &ok, root));
    PetscCall(PetscFree(w.seen));
    if (!ok) *root = NULL;
    if (yaml_parser_load(&parser, &extra)) {
      if (yaml_document_get_root_node(&extra) != NULL) {
        PetscCall(PhDiagAdd(ld->diag, PhMarkLoc(ld, file, yaml_document_get_root_node(&extra)->start_mark), NULL,
                            "more than one YAML document; a case file holds one"));
      }
      yaml_document_delete(&extra);
    } else {
      PetscCall(PhYamlSyntaxError(ld, file, bytes, length, &parser));
      *root = NULL;
    }
  }
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Merge `src` over `dst`: mappings recursively, lists and scalars replaced whole (DESIGN §3.2). */
static PetscErrorCode PhYamlMerge(PhLoader *ld, PhNode *dst, const PhNode *src)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < src->n; i++) {
    PetscInt at = PhNodeIndex_Private(dst, src->keys[i]->value);

    if (at < 0) PetscCall(PhNodeAppend_Private(ld, dst, src->keys[i], src->values[i]));
    else if (dst->values[at]->type == PH_NODE_MAP && src->values[i]->type == PH_NODE_MAP) PetscCall(PhYamlMerge(ld, dst->values[at], src->values[i]));
    else {
      dst->keys[at]   = src->keys[i];
      dst->values[at] = src->values[i];
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhRemoveKey(PhLoader *ld, PhNode *map, const char key[])
{
  PetscInt j = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < map->n; i++) {
    if (strcmp(map->keys[i]->value, key) == 0) continue;
    map->keys[j]     = map->keys[i];
    map->values[j++] = map->values[i];
  }
  map->n = j;
  PetscCall(PhNodeHashBuild(ld, map));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Lexically normalise a path ("a/./b/../c" -> "a/c") so that include cycles are found whatever the spelling. */
static PetscErrorCode PhNormalizePath(PhLoader *ld, const char path[], char **out)
{
  char  *buf, *parts[256];
  int    n = 0;
  size_t len;
  char  *save = NULL, *tok, *copy;

  PetscFunctionBeginUser;
  PetscCall(PetscStrallocpy(path, &copy));
  len = strlen(path);
  PetscCall(PetscMalloc1(len + 2, &buf));
  for (tok = strtok_r(copy, "/", &save); tok != NULL && n < 256; tok = strtok_r(NULL, "/", &save)) {
    if (!strcmp(tok, ".")) continue;
    if (!strcmp(tok, "..") && n > 0 && strcmp(parts[n - 1], "..")) {
      n--;
      continue;
    }
    parts[n++] = tok;
  }
  buf[0] = '\0';
  if (path[0] == '/') strcat(buf, "/");
  for (int i = 0; i < n; i++) {
    strcat(buf, parts[i]);
    if (i < n - 1) strcat(buf, "/");
  }
  PetscCall(PhPoolStrdup_Private(&ld->pool, buf, out));
  PetscCall(PetscFree(buf));
  PetscCall(PetscFree(copy));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Load a YAML file and everything it includes into one merged tree. Included files merge first, in order; the keys of
  the including file win. `stack` holds the normalised paths of the files being included (cycle detection); `from`
  and `from_key` are the position and key path of the include item that names this file (unused at depth 0).
**/
PetscErrorCode PhYamlLoadFile_Private(PhLoader *ld, const char path[], PhSourceLoc from, const char from_key[], PetscInt depth, const char *stack[],
                                      PhNode **root)
{
  char       *bytes = NULL, *normal, reason[256];
  const char *file;
  size_t      length;
  PhNode     *tree, *inc, *merged = NULL;

  PetscFunctionBeginUser;
  *root = NULL;
  PetscCall(PhCaseInternFile_Private(ld->problem, path, &file));
  PetscCall(PhNormalizePath(ld, path, &normal));
  for (PetscInt i = 0; i < depth; i++) {
    if (strcmp(stack[i], normal) == 0) {
      char   chain[1024];
      size_t used = 0;

      chain[0] = '\0';
      for (PetscInt j = i; j < depth && used < sizeof(chain); j++) used += (size_t)snprintf(chain + used, sizeof(chain) - used, "%s -> ", stack[j]);
      if (used < sizeof(chain)) (void)snprintf(chain + used, sizeof(chain) - used, "%s", normal);
      PetscCall(PhDiagAdd(ld->diag, from, from_key, "include cycle: %s; a file cannot include itself", chain));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  if (depth >= PH_INCLUDE_MAX_DEPTH) {
    PetscCall(PhDiagAdd(ld->diag, from, from_key, "includes nested deeper than %d files", PH_INCLUDE_MAX_DEPTH));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  stack[depth] = normal;
  PetscCall(PhReadFileBroadcast(ld->comm, path, PH_MAX_CASE_BYTES, &bytes, &length, reason, sizeof(reason)));
  if (bytes == NULL) {
    if (depth == 0) PetscCall(PhDiagAdd(ld->diag, (PhSourceLoc){file, 0, 0}, NULL, "cannot read the case file: %s", reason));
    else PetscCall(PhDiagAdd(ld->diag, from, from_key, "cannot read \"%s\": %s", normal, reason));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhYamlParse_Private(ld, file, bytes, length, &tree));
  PetscCall(PetscFree(bytes));
  if (tree == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  if (tree->type != PH_NODE_MAP) {
    PetscCall(PhDiagAdd(ld->diag, tree->loc, NULL, "expected a mapping of keys (version, footprint, stack, ...) at the top of the file, got %s",
                        PhNodeTypeName_Private(tree)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  inc = PhNodeGet_Private(tree, "include");
  if (inc != NULL && !PhNodeIsNull_Private(inc)) {
    PetscInt n = inc->type == PH_NODE_SEQ ? inc->n : 1;

    if (inc->type == PH_NODE_MAP) {
      PetscCall(PhDiagAdd(ld->diag, inc->loc, "include", "expected a file name or a list of file names, got a mapping"));
      n = 0;
    }
    for (PetscInt i = 0; i < n; i++) {
      PhNode *item = inc->type == PH_NODE_SEQ ? inc->values[i] : inc;
      char    key[64], *joined;
      PhNode *sub;

      (void)snprintf(key, sizeof(key), inc->type == PH_NODE_SEQ ? "include[%d]" : "include", (int)i);
      if (item->bad) continue;
      if (item->type != PH_NODE_SCALAR || PhNodeIsNull_Private(item)) {
        PetscCall(PhDiagAdd(ld->diag, item->loc, key, "expected a file name, got %s", PhNodeTypeName_Private(item)));
        continue;
      }
      if (strstr(item->value, "${") != NULL) {
        PetscCall(PhDiagAdd(ld->diag, item->loc, key, "parameters (${...}) are not allowed in include paths"));
        continue;
      }
      PetscCall(PhPathJoin(path, item->value, &joined));
      PetscCall(PhYamlLoadFile_Private(ld, joined, item->loc, key, depth + 1, stack, &sub));
      PetscCall(PetscFree(joined));
      if (sub == NULL) continue;
      if (merged == NULL) merged = sub;
      else PetscCall(PhYamlMerge(ld, merged, sub));
    }
  }
  PetscCall(PhRemoveKey(ld, tree, "include"));
  if (merged != NULL) {
    PetscCall(PhYamlMerge(ld, merged, tree));
    merged->loc = tree->loc; /* problems of the merged document as a whole belong to the including file */
    tree        = merged;
  }
  *root = tree;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static void PhRelocate(PhNode *node, const char *file)
{
  node->loc.file   = file;
  node->loc.line   = 0;
  node->loc.column = 0;
  for (PetscInt i = 0; i < node->n; i++) {
    if (node->keys != NULL) PhRelocate(node->keys[i], file);
    PhRelocate(node->values[i], file);
  }
}

/* Index of the item of a list named `segment` (its `name` key) or at index `segment`; -1 when there is none. */
static PetscInt PhSeqFind(const PhNode *seq, const char *segment)
{
  char *end;
  long  idx = strtol(segment, &end, 10);

  if (*segment != '\0' && *end == '\0') return (idx >= 0 && idx < seq->n) ? (PetscInt)idx : -1;
  for (PetscInt i = 0; i < seq->n; i++) {
    PhNode *name = PhNodeGet_Private(seq->values[i], "name");

    if (name != NULL && name->type == PH_NODE_SCALAR && strcmp(name->value, segment) == 0) return i;
  }
  return -1;
}

/**
  Apply -P name=value: a declared parameter, or any key by its dotted path (list items by name or index,
  `stack.dies.thickness`, `stack[2].thickness`, `footprint.x.0`). Values are YAML (scalars or flow lists) located at
  "-P name=value"; an empty value is the empty text (not YAML's null), so that it is reported as a bad value.
**/
PetscErrorCode PhYamlApplyOverrides_Private(PhLoader *ld, PetscInt n, const PhOverride overrides[])
{
  PetscFunctionBeginUser;
  for (PetscInt o = 0; o < n; o++) {
    const char *name = overrides[o].name, *text = overrides[o].value, *where;
    char       *buf, *path, *save    = NULL, *seg, *next;
    PhNode     *value, *params, *cur = ld->root;
    PhSourceLoc loc;
    size_t      len = strlen(name) + strlen(text) + 8;
    PetscBool   ok = PETSC_TRUE, blank = PETSC_TRUE;

    PetscCall(PetscMalloc1(len, &buf));
    (void)snprintf(buf, len, "-P %s=%s", name, text);
    PetscCall(PhCaseInternFile_Private(ld->problem, buf, &where));
    PetscCall(PetscFree(buf));
    loc.file   = where;
    loc.line   = 0;
    loc.column = 0;
    if (name[0] == '\0') {
      PetscCall(PhDiagAdd(ld->diag, loc, NULL, "expected -P name=value with a parameter name or a key path"));
      continue;
    }
    for (const char *c = text; *c; c++)
      if (!isspace((unsigned char)*c)) blank = PETSC_FALSE;
    if (blank) {
      PetscCall(PhNodeCreate_Private(ld, PH_NODE_SCALAR, loc, &value));
      PetscCall(PhPoolStrdup_Private(&ld->pool, "", &value->value));
      value->plain = PETSC_FALSE;
    } else {
      ld->override_key = name;
      PetscCall(PhYamlParse_Private(ld, where, text, strlen(text), &value));
      ld->override_key = NULL;
      if (value == NULL) continue; /* reported; the case keeps its own value, so nothing else is reported about this key */
    }
    PhRelocate(value, where);
    params = PhNodeGet_Private(ld->root, "parameters");
    if (strchr(name, '.') == NULL && strchr(name, '[') == NULL && PhNodeGet_Private(params, name) != NULL) {
      for (PetscInt i = 0; i < params->n; i++)
        if (!strcmp(params->keys[i]->value, name)) params->values[i] = value;
      continue;
    }
    if (strchr(name, '.') == NULL && strchr(name, '[') == NULL && PhNodeGet_Private(ld->root, name) == NULL) {
      PetscCall(PhDiagAdd(ld->diag, loc, name, "not a declared parameter (declare it under parameters:) nor a key of the case"));
      continue;
    }
    /* walk the dotted path, turning "a[2]" into "a.2" */
    PetscCall(PetscMalloc1(2 * strlen(name) + 1, &path));
    {
      size_t j = 0;

      for (const char *c = name; *c; c++) {
        if (*c == '[') path[j++] = '.';
        else if (*c != ']') path[j++] = *c;
      }
      path[j] = '\0';
    }
    for (seg = strtok_r(path, ".", &save); seg != NULL && ok; seg = next) {
      next = strtok_r(NULL, ".", &save);
      if (cur->type == PH_NODE_SEQ) {
        PetscInt item = PhSeqFind(cur, seg);

        if (item < 0) {
          PetscCall(PhDiagAdd(ld->diag, loc, name, "no item \"%s\" in the list (items are named by their name: or index)", seg));
          ok = PETSC_FALSE;
        } else if (next == NULL && cur->values[item]->type == PH_NODE_MAP) {
          PetscCall(PhDiagAdd(ld->diag, loc, name, "cannot replace a whole list item; name one of its keys"));
          ok = PETSC_FALSE;
        } else if (next == NULL) cur->values[item] = value; /* a plain item, such as footprint.x.0 */
        else cur = cur->values[item];
      } else if (cur->type == PH_NODE_MAP) {
        PhNode *child = PhNodeGet_Private(cur, seg);

        if (next == NULL) {
          if (child != NULL) {
            for (PetscInt i = 0; i < cur->n; i++)
              if (!strcmp(cur->keys[i]->value, seg)) cur->values[i] = value;
          } else {
            PhNode *key;

            PetscCall(PhNodeCreate_Private(ld, PH_NODE_SCALAR, loc, &key));
            PetscCall(PhPoolStrdup_Private(&ld->pool, seg, &key->value));
            PetscCall(PhNodeAppend_Private(ld, cur, key, value));
          }
        } else if (child == NULL || PhNodeIsNull_Private(child)) {
          PhNode *key, *map;

          PetscCall(PhNodeCreate_Private(ld, PH_NODE_SCALAR, loc, &key));
          PetscCall(PhPoolStrdup_Private(&ld->pool, seg, &key->value));
          PetscCall(PhNodeCreate_Private(ld, PH_NODE_MAP, loc, &map));
          if (child == NULL) PetscCall(PhNodeAppend_Private(ld, cur, key, map));
          else {
            for (PetscInt i = 0; i < cur->n; i++)
              if (!strcmp(cur->keys[i]->value, seg)) cur->values[i] = map;
          }
          cur = map;
        } else cur = child;
      } else {
        PetscCall(PhDiagAdd(ld->diag, loc, name, "\"%s\" is inside a plain value, not a mapping or a list", seg));
        ok = PETSC_FALSE;
      }
    }
    PetscCall(PetscFree(path));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  char  *buf;
  size_t len, cap;
  int    failed;
} PhEmitBuffer;

static int PhEmitWrite(void *data, unsigned char *buffer, size_t size)
{
  PhEmitBuffer *b = (PhEmitBuffer *)data;

  if (b->len + size + 1 > b->cap) {
    size_t cap = PetscMax(2 * b->cap, b->len + size + 1024);
    char  *bigger;

    if (PetscMalloc1(cap, &bigger)) {
      b->failed = 1;
      return 0;
    }
    if (b->len) memcpy(bigger, b->buf, b->len);
    if (PetscFree(b->buf)) return 0;
    b->buf = bigger;
    b->cap = cap;
  }
  memcpy(b->buf + b->len, buffer, size);
  b->len += size;
  b->buf[b->len] = '\0';
  return 1;
}

static PetscErrorCode PhEmitNode(yaml_emitter_t *em, const PhNode *node)
{
  yaml_event_t ev;

  PetscFunctionBeginUser;
  switch (node->type) {
  case PH_NODE_SCALAR: {
    const char *text = node->resolved != NULL ? node->resolved : node->value;

    PetscCheck(yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), node->plain || node->resolved != NULL, 1,
                                            YAML_ANY_SCALAR_STYLE),
               PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
    PetscCheck(yaml_emitter_emit(em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed: %s", em->problem ? em->problem : "");
  } break;
  case PH_NODE_SEQ:
    PetscCheck(yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_SEQUENCE_STYLE), PETSC_COMM_SELF, PETSC_ERR_LIB,
               "YAML emitter failed");
    PetscCheck(yaml_emitter_emit(em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
    for (PetscInt i = 0; i < node->n; i++) PetscCall(PhEmitNode(em, node->values[i]));
    PetscCheck(yaml_sequence_end_event_initialize(&ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
    PetscCheck(yaml_emitter_emit(em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
    break;
  case PH_NODE_MAP:
    PetscCheck(yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_MAPPING_STYLE), PETSC_COMM_SELF, PETSC_ERR_LIB,
               "YAML emitter failed");
    PetscCheck(yaml_emitter_emit(em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
    for (PetscInt i = 0; i < node->n; i++) {
      PetscCall(PhEmitNode(em, node->keys[i]));
      PetscCall(PhEmitNode(em, node->values[i]));
    }
    PetscCheck(yaml_mapping_end_event_initialize(&ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
    PetscCheck(yaml_emitter_emit(em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
    break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Write the merged tree as YAML, with every ${...} value replaced by its resolved value. */
PetscErrorCode PhYamlEmit_Private(PhLoader *ld, const PhNode *root, char **text)
{
  yaml_emitter_t em;
  yaml_event_t   ev;
  PhEmitBuffer   b = {NULL, 0, 0, 0};

  PetscFunctionBeginUser;
  (void)ld;
  PetscCheck(yaml_emitter_initialize(&em), PETSC_COMM_SELF, PETSC_ERR_MEM, "yaml_emitter_initialize() failed");
  yaml_emitter_set_output(&em, PhEmitWrite, &b);
  yaml_emitter_set_width(&em, 120);
  yaml_emitter_set_unicode(&em, 1);
  PetscCheck(yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && yaml_emitter_emit(&em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB,
             "YAML emitter failed");
  PetscCheck(yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && yaml_emitter_emit(&em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB,
             "YAML emitter failed");
  PetscCall(PhEmitNode(&em, root));
  PetscCheck(yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
  PetscCheck(yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
  PetscCheck(yaml_emitter_flush(&em), PETSC_COMM_SELF, PETSC_ERR_LIB, "YAML emitter failed");
  yaml_emitter_delete(&em);
  PetscCheck(!b.failed, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory writing the resolved case");
  *text = b.buf;
  PetscFunctionReturn(PETSC_SUCCESS);
}
