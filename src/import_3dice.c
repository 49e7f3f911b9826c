/* photherm import 3dice: a 3D-ICE 4 stack description (.stk) and its floorplans as a photherm case (cases/README.md
   section 19.2). 3D-ICE's units: um, s, W, K, W/(um K), J/(um^3 K), W/(um^2 K). */
#include "import_impl.h"

#include <ctype.h>
#include <string.h>

#define PH_UM 1e-6

typedef enum {
  PH_TOK_END,
  PH_TOK_WORD,
  PH_TOK_NUMBER,
  PH_TOK_STRING,
  PH_TOK_PUNCT
} PhTokKind;

typedef struct {
  PhTokKind kind;
  char     *text;
  PetscReal value;
  PetscInt  line, col;
} PhTok;

/* A file as a list of tokens; `bad` stops the parse after the first syntax error of the file. */
typedef struct {
  const char *path;
  PhTok      *t;
  PetscInt    n, i;
  PetscBool   bad;
  PhDiag      diag;
} PhLex;

static PetscErrorCode PhLexAdd(PhLex *lx, PhTokKind kind, const char *s, size_t len, PetscInt line, PetscInt col)
{
  PhTok *tok;

  PetscFunctionBeginUser;
  if ((lx->n & (lx->n + 1)) == 0 || lx->n == 0) {
    PhTok *bigger;

    PetscCall(PetscCalloc1(2 * lx->n + 2, &bigger));
    if (lx->n) PetscCall(PetscArraycpy(bigger, lx->t, lx->n));
    PetscCall(PetscFree(lx->t));
    lx->t = bigger;
  }
  tok       = &lx->t[lx->n++];
  tok->kind = kind;
  tok->line = line;
  tok->col  = col;
  PetscCall(PetscMalloc1(len + 1, &tok->text));
  PetscCall(PetscMemcpy(tok->text, s, len));
  tok->text[len] = '\0';
  if (kind == PH_TOK_NUMBER && !PhImpNumber(tok->text, &tok->value)) {
    PhSourceLoc loc = {lx->path, line, col};

    PetscCall(PhDiagAdd(lx->diag, loc, NULL, "\"%s\" is not a number", tok->text));
    lx->bad = PETSC_TRUE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Split 3D-ICE's text into words, numbers, "strings" and ( ) , . : ; with // and / * * / comments. */
static PetscErrorCode PhLexFile(const PhImpFile *f, PhDiag diag, PhLex *lx)
{
  const char *s = f->text;
  size_t      i = 0, n = f->len, line_start = 0;
  PetscInt    line = 1;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(lx, sizeof(*lx)));
  lx->path = f->path;
  lx->diag = diag;
  while (i < n && !lx->bad) {
    char        c   = s[i];
    PetscInt    col = (PetscInt)(i - line_start) + 1;
    PhSourceLoc loc = {f->path, line, col};

    if (c == '\n') {
      line++;
      line_start = ++i;
    } else if (isspace((unsigned char)c)) i++;
    else if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      while (i < n && s[i] != '\n') i++;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      for (i += 2; i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'); i++)
        if (s[i] == '\n') {
          line++;
          line_start = i + 1;
        }
      if (i + 1 >= n) {
        PetscCall(PhDiagAdd(diag, loc, NULL, "comment not closed (no */ before the end of the file)"));
        lx->bad = PETSC_TRUE;
      }
      i += 2;
    } else if (c == '"') {
      size_t j = i + 1;

      while (j < n && s[j] != '"' && s[j] != '\n') j++;
      if (j >= n || s[j] != '"') {
        PetscCall(PhDiagAdd(diag, loc, NULL, "string not closed on its line"));
        lx->bad = PETSC_TRUE;
      } else PetscCall(PhLexAdd(lx, PH_TOK_STRING, s + i + 1, j - i - 1, line, col));
      i = j + 1;
    } else if (strchr("(),.:;", c) != NULL && !(c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
      PetscCall(PhLexAdd(lx, PH_TOK_PUNCT, s + i, 1, line, col));
      i++;
    } else if (isdigit((unsigned char)c) || c == '-' || c == '+' || c == '.') {
      size_t j = i + 1;

      while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '.' || ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E')))) j++;
      PetscCall(PhLexAdd(lx, isalpha((unsigned char)s[j - 1]) && s[j - 1] != 'e' && s[j - 1] != 'E' ? PH_TOK_WORD : PH_TOK_NUMBER, s + i, j - i, line,
                         col));
      i = j;
    } else if (isalpha((unsigned char)c) || c == '_') {
      size_t j = i + 1;

      while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-')) j++;
      PetscCall(PhLexAdd(lx, PH_TOK_WORD, s + i, j - i, line, col));
      i = j;
    } else {
      PetscCall(PhDiagAdd(diag, loc, NULL, "unexpected character '%c'", isprint((unsigned char)c) ? c : '?'));
      lx->bad = PETSC_TRUE;
    }
    if (i - line_start > PH_IMPORT_MAX_LINE) {
      PhSourceLoc at = {f->path, line, 1};

      PetscCall(PhDiagAdd(diag, at, NULL, "line longer than the %d characters a line may have", PH_IMPORT_MAX_LINE));
      lx->bad = PETSC_TRUE;
    }
  }
  PetscCall(PhLexAdd(lx, PH_TOK_END, "", 0, line, (PetscInt)(i - line_start) + 1));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhLexFree(PhLex *lx)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < lx->n; i++) PetscCall(PetscFree(lx->t[i].text));
  PetscCall(PetscFree(lx->t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PhTok *PhPeek(PhLex *lx)
{
  return &lx->t[lx->i < lx->n ? lx->i : lx->n - 1];
}

static PhSourceLoc PhTokLoc(PhLex *lx, PhTok *t)
{
  PhSourceLoc loc = {lx->path, t->line, t->col};

  return loc;
}

static PetscBool PhIs(PhLex *lx, const char text[])
{
  PhTok *t = PhPeek(lx);

  return (PetscBool)(!lx->bad && t->kind != PH_TOK_END && t->kind != PH_TOK_STRING && !strcmp(t->text, text));
}

/* Report "expected WHAT, got ..." at the current token once, and stop parsing the file. */
static PetscErrorCode PhExpected(PhLex *lx, const char what[])
{
  PhTok *t = PhPeek(lx);

  PetscFunctionBeginUser;
  if (!lx->bad) {
    if (t->kind == PH_TOK_END) PetscCall(PhDiagAdd(lx->diag, PhTokLoc(lx, t), NULL, "expected %s, got the end of the file", what));
    else
      PetscCall(PhDiagAdd(lx->diag, PhTokLoc(lx, t), NULL, "expected %s, got %s%s%s", what, t->kind == PH_TOK_STRING ? "\"" : "\"", t->text, "\""));
  }
  lx->bad = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Consume a sequence of keywords and punctuation given as one space-separated string: "thermal conductivity". */
static PetscErrorCode PhKeys(PhLex *lx, const char keys[])
{
  char  buf[256], *save = NULL, *k;
  char *dup;

  PetscFunctionBeginUser;
  (void)snprintf(buf, sizeof(buf), "%s", keys);
  dup = buf;
  for (k = strtok_r(dup, " ", &save); k != NULL && !lx->bad; k = strtok_r(NULL, " ", &save)) {
    if (PhIs(lx, k)) lx->i++;
    else {
      char what[80];

      (void)snprintf(what, sizeof(what), "\"%s\"", k);
      PetscCall(PhExpected(lx, what));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhNumber(PhLex *lx, const char what[], PetscBool positive, PetscReal *v, PhSourceLoc *at)
{
  PhTok *t = PhPeek(lx);

  PetscFunctionBeginUser;
  *v = 0;
  if (lx->bad) PetscFunctionReturn(PETSC_SUCCESS);
  if (t->kind != PH_TOK_NUMBER) PetscCall(PhExpected(lx, what));
  else {
    *v = t->value;
    if (at) *at = PhTokLoc(lx, t);
    if (positive && !(*v > 0)) PetscCall(PhDiagAdd(lx->diag, PhTokLoc(lx, t), NULL, "%s must be positive, got %s", what, t->text));
    lx->i++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhWord(PhLex *lx, const char what[], PhTokKind kind, const char **s, PhSourceLoc *at)
{
  PhTok *t = PhPeek(lx);

  PetscFunctionBeginUser;
  *s = "";
  if (lx->bad) PetscFunctionReturn(PETSC_SUCCESS);
  if (t->kind != kind) PetscCall(PhExpected(lx, what));
  else {
    *s = t->text;
    if (at) *at = PhTokLoc(lx, t);
    lx->i++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---------------------------------------------------------------------------------------------------------------- */

typedef struct {
  const char *name;
  PetscReal   k[3], cap; /* SI */
  PhSourceLoc loc;
  PetscInt    index; /* in the import, or -1 until used */
} PhIceMaterial;

typedef struct {
  PetscReal   height; /* m */
  const char *material;
  PhSourceLoc loc;
  PetscBool   source;
} PhIceLayer;

typedef struct {
  const char *name;
  PhIceLayer  layers[64]; /* top to bottom, as written */
  PetscInt    n;
  PhSourceLoc loc;
} PhIceDie;

typedef struct {
  const char *name; /* the element's ID */
  const char *type; /* layer type or die type */
  const char *floorplan;
  PetscBool   die, channel;
  PhSourceLoc loc, type_loc, flp_loc;
} PhIceElement;

/* The micro-channel cavity of the stack (3D-ICE has at most one, used by every channel element), in SI. */
typedef struct {
  PetscBool   present;
  PetscInt    model;                                        /* PH_CAVITY_4RM, PH_CAVITY_2RM, PH_CAVITY_PINFIN */
  PetscReal   height, channel, wall, first_wall, last_wall; /* m; pins: channel the diameter, wall the pitch */
  const char *material;
  PhSourceLoc loc, material_loc;
  PetscReal   flow;                    /* mL/min; pins: the Darcy velocity, m/s */
  PetscReal   h_side, h_top, h_bottom; /* W/m^2/K as 3D-ICE applies them */
  PetscReal   vhc, t_in;               /* J/m^3/K, K */
  PetscBool   staggered;
} PhIceCavity;

typedef struct {
  char       *name;
  PetscReal   x0, x1, y0, y1; /* m */
  char       *material;       /* or NULL */
  PetscReal  *power;
  PetscInt    npower;
  PhSourceLoc loc;
} PhIceRect;

static PetscErrorCode PhIceMaterialIndex(PhImport *imp, PhIceMaterial *m)
{
  char c[256];

  PetscFunctionBeginUser;
  if (m->index < 0) {
    (void)snprintf(c, sizeof(c), "material %s: k %g W/(um K), %g J/(um^3 K)", m->name, (double)(m->k[2] * 1e-6), (double)(m->cap * 1e-18));
    PetscCall(PhImportAddMaterial(imp, m->name, m->k[0], m->k[1], m->k[2], m->cap, c, &m->index));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A number after keywords, in um (3D-ICE's lengths), to m. */
static PetscErrorCode PhIceLength(PhLex *lx, const char keys[], const char what[], PetscBool positive, PetscReal *v)
{
  PetscFunctionBeginUser;
  PetscCall(PhKeys(lx, keys));
  PetscCall(PhNumber(lx, what, positive, v, NULL));
  PetscCall(PhKeys(lx, ";"));
  *v *= PH_UM;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The cavity section: "microchannel 4rm : height H ; channel length w ; wall length ww ; [first wall length a ;]
  [last wall length b ;] wall material M ; coolant flow rate F ; coolant heat transfer coefficient [side s , top t ,
  bottom b | h] ; coolant volumetric heat capacity c ; coolant incoming temperature T ;", the same for 2rm without the
  edge walls and with "top t , bottom b" (or one h), or "pinfin : height H ; pin diameter d ; pin pitch p ; pin
  distribution inline|staggered ; pin material M ; darcy velocity v ; coolant volumetric heat capacity c ; coolant
  incoming temperature T ;".
*/
static PetscErrorCode PhIceReadCavity(PhLex *lx, PhIceCavity *cv)
{
  PetscReal h;

  PetscFunctionBeginUser;
  cv->loc = PhTokLoc(lx, PhPeek(lx));
  if (PhIs(lx, "pinfin")) {
    cv->model = PH_CAVITY_PINFIN;
    PetscCall(PhKeys(lx, "pinfin :"));
    PetscCall(PhIceLength(lx, "height", "a height in um", PETSC_TRUE, &cv->height));
    PetscCall(PhIceLength(lx, "pin diameter", "a diameter in um", PETSC_TRUE, &cv->channel));
    PetscCall(PhIceLength(lx, "pin pitch", "a pitch in um", PETSC_TRUE, &cv->wall));
    PetscCall(PhKeys(lx, "pin distribution"));
    if (PhIs(lx, "inline") || PhIs(lx, "staggered")) {
      cv->staggered = PhIs(lx, "staggered");
      lx->i++;
    } else PetscCall(PhExpected(lx, "inline or staggered"));
    PetscCall(PhKeys(lx, "; pin material"));
    PetscCall(PhWord(lx, "a material name", PH_TOK_WORD, &cv->material, &cv->material_loc));
    PetscCall(PhKeys(lx, "; darcy velocity"));
    PetscCall(PhNumber(lx, "a velocity in um/s", PETSC_TRUE, &cv->flow, NULL));
    PetscCall(PhKeys(lx, ";"));
    cv->flow *= PH_UM;
  } else {
    PetscCall(PhKeys(lx, "microchannel"));
    if (PhIs(lx, "4rm") || PhIs(lx, "2rm")) {
      cv->model = PhIs(lx, "4rm") ? PH_CAVITY_4RM : PH_CAVITY_2RM;
      lx->i++;
    } else PetscCall(PhExpected(lx, "4rm or 2rm"));
    PetscCall(PhKeys(lx, ":"));
    PetscCall(PhIceLength(lx, "height", "a height in um", PETSC_TRUE, &cv->height));
    PetscCall(PhIceLength(lx, "channel length", "a channel width in um", PETSC_TRUE, &cv->channel));
    PetscCall(PhIceLength(lx, "wall length", "a wall width in um", PETSC_TRUE, &cv->wall));
    cv->first_wall = cv->last_wall = cv->wall;
    if (cv->model == PH_CAVITY_4RM && PhIs(lx, "first"))
      PetscCall(PhIceLength(lx, "first wall length", "a wall width in um", PETSC_TRUE, &cv->first_wall));
    if (cv->model == PH_CAVITY_4RM && PhIs(lx, "last"))
      PetscCall(PhIceLength(lx, "last wall length", "a wall width in um", PETSC_TRUE, &cv->last_wall));
    PetscCall(PhKeys(lx, "wall material"));
    PetscCall(PhWord(lx, "a material name", PH_TOK_WORD, &cv->material, &cv->material_loc));
    PetscCall(PhKeys(lx, "; coolant flow rate"));
    PetscCall(PhNumber(lx, "a flow rate in mL/min", PETSC_TRUE, &cv->flow, NULL));
    PetscCall(PhKeys(lx, "; coolant heat transfer coefficient"));
    if (PhPeek(lx)->kind == PH_TOK_NUMBER) {
      PetscCall(PhNumber(lx, "a heat transfer coefficient in W/(um^2 K)", PETSC_TRUE, &h, NULL));
      cv->h_side = cv->model == PH_CAVITY_4RM ? h : 0;
      cv->h_top = cv->h_bottom = h;
    } else {
      if (cv->model == PH_CAVITY_4RM) {
        PetscCall(PhKeys(lx, "side"));
        PetscCall(PhNumber(lx, "a heat transfer coefficient in W/(um^2 K)", PETSC_TRUE, &cv->h_side, NULL));
        PetscCall(PhKeys(lx, ","));
      }
      PetscCall(PhKeys(lx, "top"));
      PetscCall(PhNumber(lx, "a heat transfer coefficient in W/(um^2 K)", PETSC_TRUE, &cv->h_top, NULL));
      PetscCall(PhKeys(lx, ", bottom"));
      PetscCall(PhNumber(lx, "a heat transfer coefficient in W/(um^2 K)", PETSC_TRUE, &cv->h_bottom, NULL));
    }
    PetscCall(PhKeys(lx, ";"));
    cv->h_side *= 1e12;
    cv->h_top *= 1e12;
    cv->h_bottom *= 1e12;
  }
  PetscCall(PhKeys(lx, "coolant volumetric heat capacity"));
  PetscCall(PhNumber(lx, "a volumetric heat capacity in J/(um^3 K)", PETSC_TRUE, &cv->vhc, NULL));
  PetscCall(PhKeys(lx, "; coolant incoming temperature"));
  PetscCall(PhNumber(lx, "a temperature in K", PETSC_TRUE, &cv->t_in, NULL));
  PetscCall(PhKeys(lx, ";"));
  cv->vhc *= 1e18;
  cv->present = (PetscBool)!lx->bad;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A channel stack element: a layer of type microchannel (cases/README.md sections 9.6 and 19.2). 3D-ICE's channels run
   along y (its rows), the coolant entering at y = 0. */
static PetscErrorCode PhIceAddCavity(PhImport *imp, PhDiag diag, const PhIceCavity *cv, PhIceMaterial *mats, PetscInt nmats, const PhIceElement *E,
                                     PetscReal L, PetscReal cell, PetscInt *coolant)
{
  PhIceMaterial *M = NULL;
  PetscInt       li;
  char           c[512], *extra = NULL;

  PetscFunctionBeginUser;
  for (PetscInt m = 0; m < nmats; m++)
    if (!strcmp(mats[m].name, cv->material)) M = &mats[m];
  if (M == NULL) {
    PetscCall(PhDiagAdd(diag, cv->material_loc, cv->material, "unknown material %s", cv->material));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhIceMaterialIndex(imp, M));
  if (*coolant < 0) {
    char *name;

    (void)snprintf(c, sizeof(c), "the coolant: 3D-ICE's volumetric heat capacity %g J/(um^3 K); its k is not used (h is given)",
                   (double)(cv->vhc * 1e-18));
    PetscCall(PhImportUniqueName(imp, "COOLANT", "COOLANT", &name));
    PetscCall(PhImportAddMaterial(imp, name, 0.6, 0.6, 0.6, cv->vhc, c, coolant));
    PetscCall(PetscFree(name));
  }
  if (cv->model == PH_CAVITY_4RM) {
    const PetscReal pitch = cv->channel + cv->wall;
    const PetscInt  n     = (PetscInt)PetscFloorReal(L / pitch * (1 + 1e-12)),
                   n3d    = (PetscInt)PetscFloorReal((L - cv->first_wall - cv->last_wall + cv->wall) / pitch + 0.5);
    const PetscReal first = 0.5 * (L - n * pitch) + 0.5 * cv->wall;

    if (n != n3d || PetscAbsReal(first - cv->first_wall) > 1e-9 ||
        PetscAbsReal(L - cv->first_wall - cv->last_wall - n3d * cv->channel - (n3d - 1) * cv->wall) > 1e-9) {
      PetscCall(
        PhDiagAdd(diag, cv->loc, "microchannel",
                  "photherm places floor(%g um / %g um) = %d channels centred, the first wall %g um wide; this cavity has %d channels, first wall "
                  "%g um and last wall %g um over the chip's %g um, which it cannot represent",
                  (double)(L * 1e6), (double)(pitch * 1e6), (int)n, (double)(first * 1e6), (int)n3d, (double)(cv->first_wall * 1e6),
                  (double)(cv->last_wall * 1e6), (double)(L * 1e6)));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(
      PhImportSetString(&extra,
                        "    type: microchannel  # 3D-ICE microchannel 4rm, the channels along y\n    channel_width: %.12g um\n    pitch: %.12g um\n"
                        "    coolant: %s\n    flow: %.12g mL/min\n    inlet: %.12g K\n    direction: +y\n"
                        "    h_side: %.12g W/m^2/K\n    h_top: %.12g W/m^2/K\n    h_bottom: %.12g W/m^2/K\n",
                        (double)(cv->channel * 1e6), (double)(pitch * 1e6), imp->materials[*coolant].name, (double)cv->flow, (double)cv->t_in,
                        (double)cv->h_side, (double)cv->h_top, (double)cv->h_bottom));
  } else if (cv->model == PH_CAVITY_2RM) {
    const PetscReal phi = cv->channel / (cv->channel + cv->wall);

    PetscCall(PhImportSetString(
      &extra,
      "    type: microchannel  # 3D-ICE microchannel 2rm: its h over the whole footprint are h / porosity here, no exchange with the walls\n"
      "    model: 2rm\n    cell: %.12g um  # two strips of 3D-ICE's cell\n    channel_width: %.12g um\n    pitch: %.12g um\n"
      "    coolant: %s\n    flow: %.12g mL/min\n    inlet: %.12g K\n    direction: +y\n"
      "    h_side: 0 W/m^2/K\n    h_top: %.12g W/m^2/K\n    h_bottom: %.12g W/m^2/K\n",
      (double)(2 * cell * 1e6), (double)(cv->channel * 1e6), (double)((cv->channel + cv->wall) * 1e6), imp->materials[*coolant].name,
      (double)cv->flow, (double)cv->t_in, (double)(cv->h_top / phi), (double)(cv->h_bottom / phi)));
  } else { /* pins: 3D-ICE's h of the Darcy velocity v (m/s) over the whole footprint, 1 / (2.527e-5 / (v + 1.35)^e + 1.533e-6), e = 0.64 inline, 1.52 staggered */
    const PetscReal phi = 1 - PETSC_PI * cv->channel * cv->channel / (4 * cv->wall * cv->wall);
    const PetscReal h   = 1 / (2.527e-5 / PetscPowReal(cv->flow + 1.35, cv->staggered ? 1.52 : 0.64) + 1.533e-6);

    PetscCall(PhImportSetString(
      &extra,
      "    type: microchannel  # 3D-ICE pinfin (%s): its h of the Darcy velocity %g m/s, %.6g W/m^2/K over the whole footprint, is h / porosity here\n"
      "    model: pinfin\n    cell: %.12g um  # two strips of 3D-ICE's cell\n    pin_diameter: %.12g um\n    pitch: %.12g um\n"
      "    coolant: %s\n    flow: %.12g m^3/s  # the Darcy velocity times the cavity's cross-section\n    inlet: %.12g K\n    direction: +y\n"
      "    h_side: 0 W/m^2/K\n    h_top: %.12g W/m^2/K\n    h_bottom: %.12g W/m^2/K\n",
      cv->staggered ? "staggered" : "inline", (double)cv->flow, (double)h, (double)(2 * cell * 1e6), (double)(cv->channel * 1e6),
      (double)(cv->wall * 1e6), imp->materials[*coolant].name, (double)(cv->flow * L * cv->height), (double)cv->t_in, (double)(h / phi),
      (double)(h / phi)));
  }
  (void)snprintf(c, sizeof(c), "stack element channel %s", E->name);
  PetscCall(PhImportAddLayer(imp, E->name, cv->height, M->index, 0, c, &li));
  imp->layers[li].extra = extra;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A floorplan: elements "ID : position x, y ; dimension w, h ; [discretization a, b ;] [material M ;] [power values ... ;]"
   or "ID : rectangle (x, y, w, h) ; ... [power values ... ;]". */
static PetscErrorCode PhIceReadFloorplan(MPI_Comm comm, const char path[], PhSourceLoc named, PhDiag diag, PhIceRect **rects, PetscInt *nrects)
{
  PhImpFile f;
  PhLex     lx;
  PetscBool ok;
  PetscInt  cap = 0;

  PetscFunctionBeginUser;
  *rects  = NULL;
  *nrects = 0;
  PetscCall(PhImpFileRead(comm, path, diag, named, "floorplan", &f, &ok));
  if (!ok) {
    PetscCall(PhImpFileFree(&f));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhLexFile(&f, diag, &lx));
  lx.path = path; /* outlives f */
  while (!lx.bad && PhPeek(&lx)->kind != PH_TOK_END) {
    const char *name;
    PhSourceLoc at;
    PetscInt    first = *nrects;
    PetscReal   v[4];
    char       *material = NULL;

    PetscCall(PhWord(&lx, "the name of a floorplan element", PH_TOK_WORD, &name, &at));
    PetscCall(PhKeys(&lx, ":"));
    for (PetscInt r = 0; !lx.bad && (r == 0 || PhIs(&lx, "rectangle")); r++) {
      PetscBool rect = PhIs(&lx, "rectangle");

      if (rect) {
        PetscCall(PhKeys(&lx, "rectangle ("));
        for (PetscInt k = 0; k < 4; k++) {
          PetscCall(PhNumber(&lx, k < 2 ? "a position in um" : "a size in um", k >= 2, &v[k], NULL));
          PetscCall(PhKeys(&lx, k < 3 ? "," : ") ;"));
        }
      } else {
        PetscCall(PhKeys(&lx, "position"));
        PetscCall(PhNumber(&lx, "a position in um", PETSC_FALSE, &v[0], NULL));
        PetscCall(PhKeys(&lx, ","));
        PetscCall(PhNumber(&lx, "a position in um", PETSC_FALSE, &v[1], NULL));
        PetscCall(PhKeys(&lx, "; dimension"));
        PetscCall(PhNumber(&lx, "a length in um", PETSC_TRUE, &v[2], NULL));
        PetscCall(PhKeys(&lx, ","));
        PetscCall(PhNumber(&lx, "a width in um", PETSC_TRUE, &v[3], NULL));
        PetscCall(PhKeys(&lx, ";"));
      }
      if (lx.bad) break;
      if (*nrects == cap) {
        PhIceRect *bigger;

        cap = cap ? 2 * cap : 16;
        PetscCall(PetscCalloc1(cap, &bigger));
        if (*nrects) PetscCall(PetscArraycpy(bigger, *rects, *nrects));
        PetscCall(PetscFree(*rects));
        *rects = bigger;
      }
      {
        PhIceRect *R = &(*rects)[(*nrects)++];

        PetscCall(PetscStrallocpy(name, &R->name));
        R->x0  = v[0] * PH_UM;
        R->y0  = v[1] * PH_UM;
        R->x1  = (v[0] + v[2]) * PH_UM;
        R->y1  = (v[1] + v[3]) * PH_UM;
        R->loc = at;
      }
      if (!rect) break;
    }
    while (!lx.bad && (PhIs(&lx, "discretization") || PhIs(&lx, "material"))) {
      if (PhIs(&lx, "material")) {
        const char *m;

        PetscCall(PhKeys(&lx, "material"));
        PetscCall(PhWord(&lx, "a material name", PH_TOK_WORD, &m, NULL));
        PetscCall(PetscFree(material));
        PetscCall(PetscStrallocpy(m, &material));
      } else {
        PetscReal d;

        PetscCall(PhKeys(&lx, "discretization"));
        PetscCall(PhNumber(&lx, "a cell count", PETSC_TRUE, &d, NULL));
        PetscCall(PhKeys(&lx, ","));
        PetscCall(PhNumber(&lx, "a cell count", PETSC_TRUE, &d, NULL));
      }
      PetscCall(PhKeys(&lx, ";"));
    }
    if (!lx.bad && PhIs(&lx, "power")) {
      PetscReal *values = NULL;
      PetscInt   nv = 0, vcap = 0;

      PetscCall(PhKeys(&lx, "power values"));
      do {
        PetscReal   p = 0;
        PhSourceLoc pl;

        if (nv && !lx.bad) lx.i++; /* the comma */
        PetscCall(PhNumber(&lx, "a power in W", PETSC_FALSE, &p, &pl));
        if (!lx.bad && p < 0) PetscCall(PhDiagAdd(diag, pl, name, "negative power %g W", (double)p));
        if (nv == vcap) {
          PetscReal *bigger;

          vcap = vcap ? 2 * vcap : 16;
          PetscCall(PetscMalloc1(vcap, &bigger));
          if (nv) PetscCall(PetscArraycpy(bigger, values, nv));
          PetscCall(PetscFree(values));
          values = bigger;
        }
        values[nv++] = p < 0 ? 0 : p;
      } while (!lx.bad && PhIs(&lx, ","));
      PetscCall(PhKeys(&lx, ";"));
      for (PetscInt r = first; r < *nrects; r++) { /* an element's power spread over its rectangles by area */
        PhIceRect *R     = &(*rects)[r];
        PetscReal  total = 0, share;

        for (PetscInt q = first; q < *nrects; q++) total += ((*rects)[q].x1 - (*rects)[q].x0) * ((*rects)[q].y1 - (*rects)[q].y0);
        share = (R->x1 - R->x0) * (R->y1 - R->y0) / total;
        PetscCall(PetscMalloc1(nv, &R->power));
        for (PetscInt k = 0; k < nv; k++) R->power[k] = values[k] * share;
        R->npower = nv;
      }
      PetscCall(PetscFree(values));
    }
    for (PetscInt r = first; r < *nrects; r++)
      if (material) PetscCall(PetscStrallocpy(material, &(*rects)[r].material));
    PetscCall(PetscFree(material));
  }
  PetscCall(PhLexFree(&lx));
  PetscCall(PhImpFileFree(&f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhIceRectsFree(PhIceRect **rects, PetscInt n)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    PetscCall(PetscFree((*rects)[i].name));
    PetscCall(PetscFree((*rects)[i].material));
    PetscCall(PetscFree((*rects)[i].power));
  }
  PetscCall(PetscFree(*rects));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief photherm import 3dice STACK.stk -o CASE.yaml.

  Collective on `comm`.
**/
PetscErrorCode PhImport3DIce(MPI_Comm comm, int argc, char **argv, const char output[], int *exit_code)
{
  PhDiag        diag;
  PhSourceLoc   cmd = {"command line", 0, 0}, at;
  PhImpFile     f;
  PhLex         lx;
  PetscBool     ok, steady = PETSC_FALSE, top = PETSC_FALSE, bottom = PETSC_FALSE, slot_output = PETSC_TRUE;
  PhIceMaterial mats[256];
  PhIceLayer    layers[256];
  const char   *layer_names[256];
  PhIceDie      dies[64];
  PhIceElement  elems[256];
  PetscInt      nmats = 0, nlayers = 0, ndies = 0, nelems = 0, nerrors, nout = 0;
  PetscReal     htc_top = 0, t_top = 0, htc_bot = 0, t_bot = 0, L = 0, Wd = 0, cl = 0, cw = 0, step = 0, slot = 0, t0 = 300;
  PhIceCavity   cav;
  PetscInt      coolant = -1;
  const char   *stk;
  char         *outputs[64];
  PhImport     *imp = NULL;

  PetscFunctionBeginUser;
  PetscCall(PhDiagCreate(&diag));
  PetscCall(PetscMemzero(&cav, sizeof(cav)));
  PetscCall(PetscMemzero(&lx, sizeof(lx)));
  PetscCall(PetscMemzero(&f, sizeof(f)));
  if (argc != 1 || argv[0][0] == '-') {
    PetscCall(PhDiagAdd(diag, cmd, NULL, "photherm import 3dice takes one stack file, STACK.stk%s%s", argc > 1 ? ", got also " : "",
                        argc > 1 ? argv[1] : ""));
    goto done;
  }
  stk = argv[0];
  PetscCall(PhImpFileRead(comm, stk, diag, cmd, NULL, &f, &ok));
  if (!ok) goto done;
  PetscCall(PhLexFile(&f, diag, &lx));
  lx.path = stk;
  /* materials */
  while (PhIs(&lx, "material")) {
    PhIceMaterial *m = &mats[nmats];
    PetscReal      k;

    PetscCall(PhKeys(&lx, "material"));
    PetscCall(PhWord(&lx, "a material name", PH_TOK_WORD, &m->name, &m->loc));
    PetscCall(PhKeys(&lx, ": thermal conductivity"));
    PetscCall(PhNumber(&lx, "a conductivity in W/(um K)", PETSC_TRUE, &k, NULL));
    m->k[0] = m->k[1] = m->k[2] = k * 1e6;
    if (PhIs(&lx, ",")) {
      PetscCall(PhKeys(&lx, ","));
      PetscCall(PhNumber(&lx, "a conductivity in W/(um K)", PETSC_TRUE, &k, NULL));
      m->k[1] = k * 1e6;
      PetscCall(PhKeys(&lx, ","));
      PetscCall(PhNumber(&lx, "a conductivity in W/(um K)", PETSC_TRUE, &k, NULL));
      m->k[2] = k * 1e6;
    }
    PetscCall(PhKeys(&lx, "; volumetric heat capacity"));
    PetscCall(PhNumber(&lx, "a volumetric heat capacity in J/(um^3 K)", PETSC_TRUE, &m->cap, NULL));
    m->cap *= 1e18;
    PetscCall(PhKeys(&lx, ";"));
    m->index = -1;
    for (PetscInt i = 0; i < nmats && !lx.bad; i++)
      if (!strcmp(mats[i].name, m->name))
        PetscCall(PhDiagAdd(diag, m->loc, m->name, "material %s already declared (line %d)", m->name, (int)mats[i].loc.line));
    if (!lx.bad && nmats + 1 < (PetscInt)(sizeof(mats) / sizeof(mats[0]))) nmats++;
  }
  if (!lx.bad && nmats == 0) PetscCall(PhExpected(&lx, "a material"));
  /* heat sinks */
  while (PhIs(&lx, "top") || PhIs(&lx, "bottom")) {
    PetscBool is_top = PhIs(&lx, "top");

    lx.i++;
    if (PhIs(&lx, "pluggable")) {
      PetscCall(PhDiagAdd(diag, PhTokLoc(&lx, PhPeek(&lx)), NULL,
                          "a pluggable heat sink (an external program) is not representable: give a heat transfer coefficient"));
      lx.bad = PETSC_TRUE;
      break;
    }
    PetscCall(PhKeys(&lx, "heat sink : heat transfer coefficient"));
    PetscCall(PhNumber(&lx, "a heat transfer coefficient in W/(um^2 K)", PETSC_TRUE, is_top ? &htc_top : &htc_bot, NULL));
    PetscCall(PhKeys(&lx, "; temperature"));
    PetscCall(PhNumber(&lx, "a temperature in K", PETSC_TRUE, is_top ? &t_top : &t_bot, NULL));
    PetscCall(PhKeys(&lx, ";"));
    if (is_top) top = PETSC_TRUE;
    else bottom = PETSC_TRUE;
  }
  if (PhIs(&lx, "microchannel") || PhIs(&lx, "pinfin")) PetscCall(PhIceReadCavity(&lx, &cav));
  /* dimensions */
  PetscCall(PhKeys(&lx, "dimensions : chip length"));
  PetscCall(PhNumber(&lx, "the chip length in um", PETSC_TRUE, &L, NULL));
  PetscCall(PhKeys(&lx, ", width"));
  PetscCall(PhNumber(&lx, "the chip width in um", PETSC_TRUE, &Wd, NULL));
  PetscCall(PhKeys(&lx, "; cell length"));
  PetscCall(PhNumber(&lx, "the cell length in um", PETSC_TRUE, &cl, NULL));
  PetscCall(PhKeys(&lx, ", width"));
  PetscCall(PhNumber(&lx, "the cell width in um", PETSC_TRUE, &cw, NULL));
  PetscCall(PhKeys(&lx, ";"));
  if (PhIs(&lx, "non-uniform")) {
    PetscCall(PhKeys(&lx, "non-uniform"));
    if (PhIs(&lx, "true") || PhIs(&lx, "false")) lx.i++;
    else PetscCall(PhExpected(&lx, "true or false"));
    PetscCall(PhKeys(&lx, ";"));
  }
  /* layers */
  while (PhIs(&lx, "layer")) {
    PetscCall(PhKeys(&lx, "layer"));
    PetscCall(PhWord(&lx, "a layer name", PH_TOK_WORD, &layer_names[nlayers], &layers[nlayers].loc));
    PetscCall(PhKeys(&lx, ": height"));
    PetscCall(PhNumber(&lx, "a height in um", PETSC_TRUE, &layers[nlayers].height, NULL));
    PetscCall(PhKeys(&lx, "; material"));
    PetscCall(PhWord(&lx, "a material name", PH_TOK_WORD, &layers[nlayers].material, &at));
    PetscCall(PhKeys(&lx, ";"));
    layers[nlayers].height *= PH_UM;
    if (!lx.bad && nlayers + 1 < (PetscInt)(sizeof(layers) / sizeof(layers[0]))) nlayers++;
  }
  /* dies: layers from top to bottom, one source layer */
  while (PhIs(&lx, "die")) {
    PhIceDie *d       = &dies[ndies];
    PetscInt  nsource = 0;

    PetscCall(PhKeys(&lx, "die"));
    PetscCall(PhWord(&lx, "a die name", PH_TOK_WORD, &d->name, &d->loc));
    PetscCall(PhKeys(&lx, ":"));
    d->n = 0;
    while (!lx.bad && (PhIs(&lx, "layer") || PhIs(&lx, "source"))) {
      PhIceLayer *l = &d->layers[d->n];

      l->source = PhIs(&lx, "source");
      nsource += l->source;
      lx.i++;
      PetscCall(PhNumber(&lx, "a height in um", PETSC_TRUE, &l->height, NULL));
      l->height *= PH_UM;
      PetscCall(PhWord(&lx, "a material name", PH_TOK_WORD, &l->material, &l->loc));
      PetscCall(PhKeys(&lx, ";"));
      if (!lx.bad && d->n + 1 < (PetscInt)(sizeof(d->layers) / sizeof(d->layers[0]))) d->n++;
    }
    if (!lx.bad && nsource != 1) PetscCall(PhDiagAdd(diag, d->loc, d->name, "a die has exactly one source layer, this one %d", (int)nsource));
    if (!lx.bad && ndies + 1 < (PetscInt)(sizeof(dies) / sizeof(dies[0]))) ndies++;
  }
  /* stack: top to bottom */
  PetscCall(PhKeys(&lx, "stack :"));
  while (!lx.bad && (PhIs(&lx, "layer") || PhIs(&lx, "die") || PhIs(&lx, "channel"))) {
    PhIceElement *e = &elems[nelems];

    PetscCall(PetscMemzero(e, sizeof(*e)));
    e->die     = PhIs(&lx, "die");
    e->channel = PhIs(&lx, "channel");
    if (e->channel && !cav.present)
      PetscCall(PhDiagAdd(diag, PhTokLoc(&lx, PhPeek(&lx)), "channel", "a channel element needs a microchannel or pinfin section"));
    lx.i++;
    PetscCall(PhWord(&lx, "the name of the stack element", PH_TOK_WORD, &e->name, &e->loc));
    if (!e->channel) PetscCall(PhWord(&lx, e->die ? "a die name" : "a layer name", PH_TOK_WORD, &e->type, &e->type_loc));
    if (e->die) {
      PetscCall(PhKeys(&lx, "floorplan"));
      PetscCall(PhWord(&lx, "the floorplan file as a \"string\"", PH_TOK_STRING, &e->floorplan, &e->flp_loc));
    }
    if (PhIs(&lx, "discretization")) {
      PetscReal d;

      PetscCall(PhKeys(&lx, "discretization"));
      PetscCall(PhNumber(&lx, "a cell count", PETSC_TRUE, &d, NULL));
      PetscCall(PhNumber(&lx, "a cell count", PETSC_TRUE, &d, NULL));
    }
    PetscCall(PhKeys(&lx, ";"));
    for (PetscInt i = 0; i < nelems && !lx.bad; i++)
      if (!strcmp(elems[i].name, e->name))
        PetscCall(PhDiagAdd(diag, e->loc, e->name, "stack element %s already declared (line %d)", e->name, (int)elems[i].loc.line));
    if (!lx.bad && nelems + 1 < (PetscInt)(sizeof(elems) / sizeof(elems[0]))) nelems++;
  }
  if (!lx.bad && nelems == 0) PetscCall(PhExpected(&lx, "a stack element (layer, die or channel)"));
  /* solver */
  PetscCall(PhKeys(&lx, "solver :"));
  if (PhIs(&lx, "steady")) {
    steady = PETSC_TRUE;
    PetscCall(PhKeys(&lx, "steady ;"));
  } else {
    PhSourceLoc sl;

    PetscCall(PhKeys(&lx, "transient step"));
    PetscCall(PhNumber(&lx, "a time step in s", PETSC_TRUE, &step, NULL));
    PetscCall(PhKeys(&lx, ", slot"));
    PetscCall(PhNumber(&lx, "a slot time in s", PETSC_TRUE, &slot, &sl));
    PetscCall(PhKeys(&lx, ";"));
    if (!lx.bad && slot < step)
      PetscCall(PhDiagAdd(diag, sl, "slot", "the slot (%g s) must not be shorter than the step (%g s)", (double)slot, (double)step));
  }
  PetscCall(PhKeys(&lx, "initial temperature"));
  PetscCall(PhNumber(&lx, "a temperature in K", PETSC_TRUE, &t0, NULL));
  PetscCall(PhKeys(&lx, ";"));
  if (PhIs(&lx, "numofcores")) {
    PetscReal n;

    PetscCall(PhKeys(&lx, "numofcores"));
    PetscCall(PhNumber(&lx, "a number of cores", PETSC_TRUE, &n, NULL));
    PetscCall(PhKeys(&lx, ";"));
  }
  /* output instructions: kept as comments, with the photherm result that holds the same quantity */
  if (PhIs(&lx, "output")) {
    PetscCall(PhKeys(&lx, "output :"));
    while (!lx.bad && PhPeek(&lx)->kind == PH_TOK_WORD) {
      PhTok      *kind  = PhPeek(&lx);
      PetscInt    start = lx.i, depth = 0;
      char        text[512] = "";
      const char *when      = "final";

      if (strcmp(kind->text, "T") && strcmp(kind->text, "Tflp") && strcmp(kind->text, "Tflpel") && strcmp(kind->text, "Tmap") &&
          strcmp(kind->text, "T3d") && strcmp(kind->text, "Pmap") && strcmp(kind->text, "Tcoolant")) {
        PetscCall(PhExpected(&lx, "an output instruction (T, Tflp, Tflpel, Tmap, T3d, Pmap or Tcoolant)"));
        break;
      }
      lx.i++;
      PetscCall(PhKeys(&lx, "("));
      depth = 1;
      while (!lx.bad && depth > 0 && PhPeek(&lx)->kind != PH_TOK_END) {
        PhTok *t = PhPeek(&lx);

        if (!strcmp(t->text, "(") && t->kind == PH_TOK_PUNCT) depth++;
        if (!strcmp(t->text, ")") && t->kind == PH_TOK_PUNCT) depth--;
        if (t->kind == PH_TOK_WORD && (!strcmp(t->text, "step") || !strcmp(t->text, "slot") || !strcmp(t->text, "final"))) when = t->text;
        lx.i++;
      }
      if (depth > 0) PetscCall(PhExpected(&lx, "\")\""));
      PetscCall(PhKeys(&lx, ";"));
      if (!strcmp(when, "step")) slot_output = PETSC_FALSE;
      for (PetscInt k = start; k < lx.i - 1 && strlen(text) + 40 < sizeof(text); k++) { /* without the ; */
        PhTok *t = &lx.t[k];

        (void)snprintf(text + strlen(text), sizeof(text) - strlen(text), t->kind == PH_TOK_STRING ? "\"%s\"%s" : "%s%s", t->text,
                       t->kind == PH_TOK_PUNCT && !strcmp(t->text, ",") ? " " : "");
      }
      if (nout < (PetscInt)(sizeof(outputs) / sizeof(outputs[0]))) PetscCall(PetscStrallocpy(text, &outputs[nout++]));
    }
  }
  if (!lx.bad && PhPeek(&lx)->kind != PH_TOK_END) PetscCall(PhExpected(&lx, "the end of the file (after the output instructions)"));

  /* names refer to what exists: checked whenever the file could be read to its end */
  if (!lx.bad) {
    PhIceMaterial *matof[256];
    PetscInt       nl = 0;

    PetscCall(PhImportCreate(&imp));
    for (PetscInt i = 0; i < nlayers; i++) {
      matof[i] = NULL;
      for (PetscInt m = 0; m < nmats; m++)
        if (!strcmp(mats[m].name, layers[i].material)) matof[i] = &mats[m];
      if (!matof[i]) PetscCall(PhDiagAdd(diag, layers[i].loc, layer_names[i], "unknown material %s", layers[i].material));
    }
    for (PetscInt d = 0; d < ndies; d++)
      for (PetscInt i = 0; i < dies[d].n; i++) {
        PetscBool found = PETSC_FALSE;

        for (PetscInt m = 0; m < nmats; m++) found = (PetscBool)(found || !strcmp(mats[m].name, dies[d].layers[i].material));
        if (!found) PetscCall(PhDiagAdd(diag, dies[d].layers[i].loc, dies[d].name, "unknown material %s", dies[d].layers[i].material));
      }
    PetscBool any_channel = PETSC_FALSE;

    for (PetscInt e = 0; e < nelems; e++) any_channel = (PetscBool)(any_channel || elems[e].channel);
    if (!top && !bottom && !any_channel) {
      PhSourceLoc file = {stk, 0, 0};

      PetscCall(
        PhDiagAdd(diag, file, NULL,
                  "no heat sink and no channel: heat cannot leave the stack (give a top or bottom heat sink with its heat transfer coefficient)"));
    }

    /* the case, bottom to top: 3D-ICE lists the stack and each die from the top */
    {
      const char *slash = strrchr(output, '/'), *base = slash ? slash + 1 : output;
      size_t      n = strlen(base);

      if (n > 5 && !strcmp(base + n - 5, ".yaml")) n -= 5;
      PetscCall(PhImportSetString(&imp->name, "%.*s", (int)n, base));
      for (char *p = imp->name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.')) *p = '_';
    }
    PetscCall(PhImportSetString(&imp->description, "3D-ICE stack %s converted by photherm import 3dice", stk));
    PetscCall(PhImportAddLine(&imp->header, &imp->nheader,
                              "Converted from the 3D-ICE 4 stack %s by photherm import 3dice (cases/README.md section 19.2).", stk));
    PetscCall(
      PhImportAddLine(&imp->header, &imp->nheader,
                      "3D-ICE lists the stack from the top; photherm from the bottom. Units converted from um, W/(um K), J/(um^3 K), W/(um^2 K)."));
    imp->fx0         = 0;
    imp->fx1         = L * PH_UM;
    imp->fy0         = 0;
    imp->fy1         = Wd * PH_UM;
    imp->max_cell_xy = PetscMin(cl, cw) * PH_UM;
    PetscCall(PhImportSetString(&imp->grid_comment, "3D-ICE's cell %g um x %g um (photherm adds the floorplan's edges and grades around them)",
                                (double)cl, (double)cw));
    if (steady) {
      imp->steady = PETSC_TRUE;
      PetscCall(PhImportSetString(&imp->time_comment, "3D-ICE steady analysis: the first power value of each floorplan element"));
    } else {
      imp->dt             = step;
      imp->dt_max         = step;
      imp->initial_steady = PETSC_FALSE;
      imp->initial        = t0;
      imp->series_every   = slot_output ? slot : step;
      imp->fields_every   = slot;
    }
    for (PetscInt e = nelems - 1; e >= 0; e--) {
      PhIceElement *E = &elems[e];

      if (E->channel) {
        if (cav.present) PetscCall(PhIceAddCavity(imp, diag, &cav, mats, nmats, E, L * PH_UM, PetscMin(cl, cw) * PH_UM, &coolant));
        nl++;
        continue;
      }
      if (!E->die) {
        PetscInt li = -1, m;
        char     c[256];

        for (PetscInt i = 0; i < nlayers; i++)
          if (!strcmp(layer_names[i], E->type)) li = i;
        if (li < 0 || !matof[li]) {
          if (li < 0) PetscCall(PhDiagAdd(diag, E->type_loc, E->name, "unknown layer %s", E->type));
          continue;
        }
        PetscCall(PhIceMaterialIndex(imp, matof[li]));
        m = matof[li]->index;
        (void)snprintf(c, sizeof(c), "stack element layer %s %s", E->name, E->type);
        PetscCall(PhImportAddLayer(imp, E->name, layers[li].height, m, 1, c, NULL));
        nl++;
      } else {
        PhIceDie  *D = NULL;
        PhIceRect *rects;
        PetscInt   nrects;
        char      *flp;

        for (PetscInt d = 0; d < ndies; d++)
          if (!strcmp(dies[d].name, E->type)) D = &dies[d];
        if (D == NULL) {
          PetscCall(PhDiagAdd(diag, E->type_loc, E->name, "unknown die %s", E->type));
          continue;
        }
        PetscCall(PhPathJoin(stk, E->floorplan, &flp));
        PetscCall(PhIceReadFloorplan(comm, flp, E->flp_loc, diag, &rects, &nrects));
        for (PetscInt i = D->n - 1; i >= 0; i--) {
          PhIceLayer    *Ly = &D->layers[i];
          PhIceMaterial *M  = NULL;
          PetscInt       li;
          char           lname[256], c[512];

          for (PetscInt m = 0; m < nmats; m++)
            if (!strcmp(mats[m].name, Ly->material)) M = &mats[m];
          if (M == NULL) continue;
          PetscCall(PhIceMaterialIndex(imp, M));
          (void)snprintf(lname, sizeof(lname), Ly->source ? "%s_source" : "%s_%d", E->name, (int)(D->n - 1 - i));
          (void)snprintf(c, sizeof(c), "die %s (%s): %s %d of %d from the top%s%s", E->name, D->name,
                         Ly->source ? "its source layer, layer" : "layer", (int)i + 1, (int)D->n, Ly->source ? ", floorplan " : "",
                         Ly->source ? flp : "");
          PetscCall(PhImportAddLayer(imp, lname, Ly->height, M->index, 1, c, &li));
          nl++;
          if (!Ly->source) continue;
          for (PetscInt r = 0; r < nrects; r++) {
            PhIceRect *R = &rects[r];
            char       want[512], *bname;
            PetscInt   bm = M->index;

            if (R->x0 < -1e-12 || R->y0 < -1e-12 || R->x1 > L * PH_UM + 1e-12 || R->y1 > Wd * PH_UM + 1e-12)
              PetscCall(PhDiagAdd(diag, R->loc, R->name, "the element lies outside the chip (%g um x %g um)", (double)L, (double)Wd));
            if (R->material) {
              PhIceMaterial *RM = NULL;

              for (PetscInt m = 0; m < nmats; m++)
                if (!strcmp(mats[m].name, R->material)) RM = &mats[m];
              if (RM == NULL) PetscCall(PhDiagAdd(diag, R->loc, R->name, "unknown material %s", R->material));
              else {
                PetscCall(PhIceMaterialIndex(imp, RM));
                bm = RM->index;
              }
            }
            (void)snprintf(want, sizeof(want), "%s.%s", E->name, R->name);
            PetscCall(PhImportUniqueName(imp, want, NULL, &bname));
            PetscCall(PhImportAddBlock(imp, li, bname, bm, R->x0, R->x1, R->y0, R->y1));
            if (R->npower > 0) {
              if (imp->nsteps == 0) {
                imp->nsteps = steady ? 1 : R->npower;
                PetscCall(PetscMalloc1(imp->nsteps, &imp->step_times));
                for (PetscInt k = 0; k < imp->nsteps; k++) imp->step_times[k] = k * slot;
              }
              if (!steady && R->npower != imp->nsteps)
                PetscCall(PhDiagAdd(diag, R->loc, R->name, "%d power values, other elements %d: every element needs one per slot", (int)R->npower,
                                    (int)imp->nsteps));
              else if (steady) PetscCall(PhImportAddSource(imp, bname, bname, R->power[0], -1, NULL));
              else PetscCall(PhImportAddSource(imp, bname, bname, 0, -1, R->power));
            } else if (!R->material)
              PetscCall(PhDiagAdd(diag, R->loc, R->name,
                                  "no power values: 3D-ICE takes this die's powers from its network client, which a case cannot"));
            PetscCall(PetscFree(bname));
          }
        }
        PetscCall(PhIceRectsFree(&rects, nrects));
        PetscCall(PetscFree(flp));
      }
    }
    (void)nl;
    if (!steady) imp->end = imp->nsteps > 0 ? imp->nsteps * slot : slot;
    if (!steady)
      PetscCall(PhImportSetString(&imp->time_comment, "3D-ICE transient: steps of %g s, %d slots of %g s (one power value each), from %g K",
                                  (double)step, (int)imp->nsteps, (double)slot, (double)t0));
    if (top) {
      imp->top.present = PETSC_TRUE;
      imp->top.h       = htc_top * 1e12;
      imp->top.ambient = t_top;
      PetscCall(PhImportSetString(&imp->top.comment, "top heat sink: %g W/(um^2 K)", (double)htc_top));
    }
    if (bottom) {
      imp->bottom.present = PETSC_TRUE;
      imp->bottom.h       = htc_bot * 1e12;
      imp->bottom.ambient = t_bot;
      PetscCall(PhImportSetString(&imp->bottom.comment, "bottom heat sink: %g W/(um^2 K)", (double)htc_bot));
    }
    for (PetscInt i = 0; i < nout; i++)
      PetscCall(PhImportAddLine(&imp->notes, &imp->nnotes, "3D-ICE output %s: in photherm's result file (README.md, Result file layout)",
                                outputs[i]));
    PetscCall(PhImportAddLine(
      &imp->notes, &imp->nnotes,
      "Tflp/Tflpel (element average, maximum): /series/sources/t_mean, t_max (a source per element); Tmap, T3d: /fields/temperature; Pmap: /fields/power_density."));
    PetscCall(PhDiagGetCount(diag, &nerrors, NULL));
    if (nerrors == 0) PetscCall(PhImportWrite(comm, imp, output, diag, exit_code));
  }
done:
  PetscCall(PhDiagGetCount(diag, &nerrors, NULL));
  if (nerrors > 0 && *exit_code == PH_EXIT_SUCCESS) {
    PetscCall(PhDiagPrint(diag, comm, stderr));
    *exit_code = PH_EXIT_BAD_INPUT;
  }
  for (PetscInt i = 0; i < nout; i++) PetscCall(PetscFree(outputs[i]));
  PetscCall(PhImportDestroy(&imp));
  PetscCall(PhLexFree(&lx));
  PetscCall(PhImpFileFree(&f));
  PetscCall(PhDiagDestroy(&diag));
  PetscFunctionReturn(PETSC_SUCCESS);
}
