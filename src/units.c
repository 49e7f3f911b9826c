/* Quantities, units and expressions of case-file values (DESIGN §3.1). */
#include <photherm/units.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One unit symbol: SI scale, dimensions, and the kind it gives when it stands alone. */
typedef struct {
  const char    *symbol;
  double         scale;
  signed char    dim[PH_NDIM]; /* L M T Theta bit */
  PhQuantityKind kind;
} PhUnitSymbol;

static const PhUnitSymbol PhUnitTable[] = {
  {"m",   1.0,   {1, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"cm",  1e-2,  {1, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"mm",  1e-3,  {1, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"um",  1e-6,  {1, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"µm", 1e-6,  {1, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"nm",  1e-9,  {1, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"s",   1.0,   {0, 0, 1, 0, 0},  PH_QK_LINEAR  },
  {"ms",  1e-3,  {0, 0, 1, 0, 0},  PH_QK_LINEAR  },
  {"us",  1e-6,  {0, 0, 1, 0, 0},  PH_QK_LINEAR  },
  {"µs", 1e-6,  {0, 0, 1, 0, 0},  PH_QK_LINEAR  },
  {"ns",  1e-9,  {0, 0, 1, 0, 0},  PH_QK_LINEAR  },
  {"min", 60.0,  {0, 0, 1, 0, 0},  PH_QK_LINEAR  },
  {"L",   1e-3,  {3, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"mL",  1e-6,  {3, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"kg",  1.0,   {0, 1, 0, 0, 0},  PH_QK_LINEAR  },
  {"g",   1e-3,  {0, 1, 0, 0, 0},  PH_QK_LINEAR  },
  {"W",   1.0,   {2, 1, -3, 0, 0}, PH_QK_LINEAR  },
  {"kW",  1e3,   {2, 1, -3, 0, 0}, PH_QK_LINEAR  },
  {"mW",  1e-3,  {2, 1, -3, 0, 0}, PH_QK_LINEAR  },
  {"uW",  1e-6,  {2, 1, -3, 0, 0}, PH_QK_LINEAR  },
  {"µW", 1e-6,  {2, 1, -3, 0, 0}, PH_QK_LINEAR  },
  {"nW",  1e-9,  {2, 1, -3, 0, 0}, PH_QK_LINEAR  },
  {"J",   1.0,   {2, 1, -2, 0, 0}, PH_QK_LINEAR  },
  {"mJ",  1e-3,  {2, 1, -2, 0, 0}, PH_QK_LINEAR  },
  {"uJ",  1e-6,  {2, 1, -2, 0, 0}, PH_QK_LINEAR  },
  {"nJ",  1e-9,  {2, 1, -2, 0, 0}, PH_QK_LINEAR  },
  {"pJ",  1e-12, {2, 1, -2, 0, 0}, PH_QK_LINEAR  },
  {"fJ",  1e-15, {2, 1, -2, 0, 0}, PH_QK_LINEAR  },
  {"K",   1.0,   {0, 0, 0, 1, 0},  PH_QK_TEMP_K  },
  {"C",   1.0,   {0, 0, 0, 1, 0},  PH_QK_TEMP_ABS},
  {"Hz",  1.0,   {0, 0, -1, 0, 0}, PH_QK_LINEAR  },
  {"kHz", 1e3,   {0, 0, -1, 0, 0}, PH_QK_LINEAR  },
  {"MHz", 1e6,   {0, 0, -1, 0, 0}, PH_QK_LINEAR  },
  {"GHz", 1e9,   {0, 0, -1, 0, 0}, PH_QK_LINEAR  },
  {"THz", 1e12,  {0, 0, -1, 0, 0}, PH_QK_LINEAR  },
  {"b",   1.0,   {0, 0, 0, 0, 1},  PH_QK_LINEAR  },
  {"bit", 1.0,   {0, 0, 0, 0, 1},  PH_QK_LINEAR  },
  {"kb",  1e3,   {0, 0, 0, 0, 1},  PH_QK_LINEAR  },
  {"Mb",  1e6,   {0, 0, 0, 0, 1},  PH_QK_LINEAR  },
  {"Gb",  1e9,   {0, 0, 0, 0, 1},  PH_QK_LINEAR  },
  {"Tb",  1e12,  {0, 0, 0, 0, 1},  PH_QK_LINEAR  },
  {"%",   1e-2,  {0, 0, 0, 0, 0},  PH_QK_LINEAR  },
  {"dB",  1.0,   {0, 0, 0, 0, 0},  PH_QK_DB      },
  {"dBm", 1.0,   {0, 0, 0, 0, 0},  PH_QK_DBM     },
};

/* What each expected type accepts, for checks and messages. */
typedef struct {
  const char    *description; /* "a length such as \"50 um\"" */
  const char    *unit;        /* unit used in output files and reports */
  signed char    dim[PH_NDIM];
  PetscBool      unit_required;
  PhQuantityKind kind; /* PH_QK_LINEAR, PH_QK_TEMP_ABS (absolute), PH_QK_TEMP_DIFF, PH_QK_DB or PH_QK_DBM */
} PhQuantityTypeInfo;

static const PhQuantityTypeInfo PhTypeTable[PH_QT_COUNT_] = {
  [PH_QT_DIMENSIONLESS]          = {"a plain number such as \"0.5\"",                      "1",       {0, 0, 0, 0, 0},   PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_LENGTH]                 = {"a length such as \"50 um\"",                          "m",       {1, 0, 0, 0, 0},   PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_WAVELENGTH]             = {"a wavelength such as \"1310 nm\"",                    "m",       {1, 0, 0, 0, 0},   PETSC_TRUE,  PH_QK_LINEAR   },
  [PH_QT_TIME]                   = {"a time such as \"100 us\"",                           "s",       {0, 0, 1, 0, 0},   PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_FREQUENCY]              = {"a frequency such as \"200 GHz\"",                     "Hz",      {0, 0, -1, 0, 0},  PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_POWER]                  = {"a power such as \"700 W\"",                           "W",       {2, 1, -3, 0, 0},  PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_OPTICAL_POWER]          = {"an optical power such as \"10 dBm\"",                 "dBm",     {0, 0, 0, 0, 0},   PETSC_TRUE,  PH_QK_DBM      },
  [PH_QT_TEMPERATURE]            = {"a temperature such as \"25 C\"",                      "K",       {0, 0, 0, 1, 0},   PETSC_TRUE,  PH_QK_TEMP_ABS },
  [PH_QT_TEMPERATURE_DIFFERENCE] = {"a temperature difference such as \"10 K\"",           "K",       {0, 0, 0, 1, 0},   PETSC_TRUE,  PH_QK_TEMP_DIFF},
  [PH_QT_CONDUCTIVITY]           = {"a thermal conductivity such as \"148 W/m/K\"",        "W/m/K",   {1, 1, -3, -1, 0}, PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_HEAT_TRANSFER]          = {"a heat transfer coefficient such as \"2e4 W/m^2/K\"", "W/m^2/K", {0, 1, -3, -1, 0}, PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_DENSITY]                = {"a density such as \"2330 kg/m^3\"",                   "kg/m^3",  {-3, 1, 0, 0, 0},  PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_SPECIFIC_HEAT]          = {"a specific heat such as \"712 J/kg/K\"",              "J/kg/K",  {2, 0, -2, -1, 0}, PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_FLUX]                   = {"a heat flux such as \"1e4 W/m^2\"",                   "W/m^2",   {0, 1, -3, 0, 0},  PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_DRIFT]                  = {"a wavelength drift such as \"0.07 nm/K\"",            "m/K",     {1, 0, 0, -1, 0},  PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_TUNING]                 = {"a tuning efficiency such as \"0.28 nm/mW\"",          "m/W",     {-1, -1, 3, 0, 0}, PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_DB]                     = {"a ratio in dB such as \"8 dB\"",                      "dB",      {0, 0, 0, 0, 0},   PETSC_TRUE,  PH_QK_DB       },
  [PH_QT_DB_PER_K]               = {"a power drift such as \"-0.02 dB/K\"",                "dB/K",    {0, 0, 0, -1, 0},  PETSC_TRUE,  PH_QK_DB       },
  [PH_QT_INVERSE_TEMPERATURE]    = {"a temperature coefficient such as \"0.017 1/K\"",     "1/K",     {0, 0, 0, -1, 0},  PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_RATE]                   = {"a data rate such as \"112 Gb/s\"",                    "b/s",     {0, 0, -1, 0, 1},  PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_ENERGY_PER_BIT]         = {"an energy per bit such as \"2 pJ/bit\"",              "J/b",     {2, 1, -2, 0, -1}, PETSC_FALSE, PH_QK_LINEAR   },
  [PH_QT_VOLUME_FLOW]            = {"a flow such as \"1.5 L/min\" or \"0.025 kg/s\"",      "m^3/s",   {3, 0, -1, 0, 0},  PETSC_TRUE,  PH_QK_LINEAR   },
  [PH_QT_MASS_FLOW]              = {"a mass flow such as \"0.025 kg/s\"",                  "kg/s",    {0, 1, -1, 0, 0},  PETSC_TRUE,  PH_QK_LINEAR   },
  [PH_QT_VELOCITY]               = {"a velocity such as \"1.1 m/s\"",                      "m/s",     {1, 0, -1, 0, 0},  PETSC_TRUE,  PH_QK_LINEAR   },
};

/* Names of common dimensions, so that a mismatch says "got a power" rather than "got kg m^2 s^-3". */
static const struct {
  const char *name;
  signed char dim[PH_NDIM];
} PhDimNames[] = {
  {"a plain number",              {0, 0, 0, 0, 0}  },
  {"a length",                    {1, 0, 0, 0, 0}  },
  {"a time",                      {0, 0, 1, 0, 0}  },
  {"a frequency",                 {0, 0, -1, 0, 0} },
  {"a power",                     {2, 1, -3, 0, 0} },
  {"an energy",                   {2, 1, -2, 0, 0} },
  {"a mass",                      {0, 1, 0, 0, 0}  },
  {"a temperature",               {0, 0, 0, 1, 0}  },
  {"a thermal conductivity",      {1, 1, -3, -1, 0}},
  {"a heat transfer coefficient", {0, 1, -3, -1, 0}},
  {"a density",                   {-3, 1, 0, 0, 0} },
  {"a specific heat",             {2, 0, -2, -1, 0}},
  {"a heat flux",                 {0, 1, -3, 0, 0} },
  {"a wavelength drift",          {1, 0, 0, -1, 0} },
  {"a tuning efficiency",         {-1, -1, 3, 0, 0}},
  {"a temperature coefficient",   {0, 0, 0, -1, 0} },
  {"a data rate",                 {0, 0, -1, 0, 1} },
  {"an energy per bit",           {2, 1, -2, 0, -1}},
  {"an area",                     {2, 0, 0, 0, 0}  },
  {"a volume",                    {3, 0, 0, 0, 0}  },
  {"a volume flow",               {3, 0, -1, 0, 0} },
  {"a mass flow",                 {0, 1, -1, 0, 0} },
  {"a velocity",                  {1, 0, -1, 0, 0} },
};

static PetscBool PhDimEqual(const signed char a[], const signed char b[])
{
  for (int d = 0; d < PH_NDIM; d++)
    if (a[d] != b[d]) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* Describe the dimensions of q for messages: "a power", "dBm", or SI base units. */
static void PhDescribe(const PhQuantity *q, char *buf, size_t len)
{
  const char *base[PH_NDIM] = {"m", "kg", "s", "K", "b"};
  size_t      used          = 0;

  if (q->kind == PH_QK_DBM) {
    (void)snprintf(buf, len, "a power level in dBm");
    return;
  }
  if (q->kind == PH_QK_DB && PhDimEqual(q->dim, PhTypeTable[PH_QT_DB].dim)) {
    (void)snprintf(buf, len, "a ratio in dB");
    return;
  }
  if (q->kind == PH_QK_TEMP_ABS) {
    (void)snprintf(buf, len, "an absolute temperature");
    return;
  }
  if (q->kind == PH_QK_TEMP_DIFF) {
    (void)snprintf(buf, len, "a temperature difference");
    return;
  }
  if (q->kind == PH_QK_LINEAR || q->kind == PH_QK_TEMP_K) {
    for (size_t i = 0; i < sizeof(PhDimNames) / sizeof(PhDimNames[0]); i++) {
      if (PhDimEqual(q->dim, PhDimNames[i].dim)) {
        (void)snprintf(buf, len, "%s", PhDimNames[i].name);
        return;
      }
    }
  }
  used = (size_t)snprintf(buf, len, "%sa quantity in", q->kind == PH_QK_DB ? "dB per unit: " : "");
  for (int d = 0; d < PH_NDIM && used < len; d++) {
    if (q->dim[d] == 0) continue;
    if (q->dim[d] == 1) used += (size_t)snprintf(buf + used, len - used, " %s", base[d]);
    else used += (size_t)snprintf(buf + used, len - used, " %s^%d", base[d], q->dim[d]);
  }
}

/* Other spellings of a symbol: the temperatures as photherm prints them. */
static const char *const PhUnitAliases[][2] = {
  {"degC", "C"},
  {"°C",  "C"},
};

/* Look up one symbol of a unit (exact match, or an alias). */
static const PhUnitSymbol *PhUnitLookup(const char *s, size_t n)
{
  for (size_t i = 0; i < sizeof(PhUnitAliases) / sizeof(PhUnitAliases[0]); i++)
    if (strlen(PhUnitAliases[i][0]) == n && strncmp(PhUnitAliases[i][0], s, n) == 0) return PhUnitLookup(PhUnitAliases[i][1], 1);
  for (size_t i = 0; i < sizeof(PhUnitTable) / sizeof(PhUnitTable[0]); i++) {
    if (strlen(PhUnitTable[i].symbol) == n && strncmp(PhUnitTable[i].symbol, s, n) == 0) return &PhUnitTable[i];
  }
  return NULL;
}

/*
  Parse a unit token (`W/m^2/K`, `1/K`, `dBm`, `C`) into a quantity of value 1 in that unit.
  Offsets (C) are applied by the caller through the kind: a number n in C is n + 273.15 K.
*/
static PetscBool PhParseUnit(const char *u, size_t n, PhQuantity *q, char *reason, size_t reason_len)
{
  size_t    pos        = 0;
  int       sign       = 1;
  PetscBool first      = PETSC_TRUE;
  PetscBool has_log    = PETSC_FALSE;
  PetscBool has_c      = PETSC_FALSE;
  PetscBool c_alone    = PETSC_FALSE;
  int       nfactors   = 0;
  char      shown[128] = "";

  (void)snprintf(shown, sizeof(shown), "%.*s", (int)PetscMin(n, sizeof(shown) - 1), u);
  PetscCallAbort(PETSC_COMM_SELF, PetscMemzero(q, sizeof(*q)));
  q->value = 1.0;
  q->kind  = PH_QK_LINEAR;
  while (pos < n) {
    size_t              start = pos, len;
    int                 power = 1;
    const PhUnitSymbol *sym;

    while (pos < n && u[pos] != '/' && u[pos] != '*' && u[pos] != '^') pos++;
    len = pos - start;
    if (pos < n && u[pos] == '^') {
      char  *end;
      long   p;
      char   buf[16];
      size_t e = pos + 1;

      while (e < n && u[e] != '/' && u[e] != '*') e++;
      if (e - pos - 1 == 0 || e - pos - 1 >= sizeof(buf)) {
        (void)snprintf(reason, reason_len, "bad exponent in unit \"%s\"", shown);
        return PETSC_FALSE;
      }
      memcpy(buf, u + pos + 1, e - pos - 1);
      buf[e - pos - 1] = '\0';
      p                = strtol(buf, &end, 10);
      if (*end != '\0' || p < -4 || p > 4 || p == 0) {
        (void)snprintf(reason, reason_len, "bad exponent in unit \"%s\" (an integer from -4 to 4 is expected)", shown);
        return PETSC_FALSE;
      }
      power = (int)p;
      pos   = e;
    }
    if (len == 1 && u[start] == '1' && first && power == 1) {
      /* a leading 1 as in 1/K */
    } else {
      sym = PhUnitLookup(u + start, len);
      if (sym == NULL) {
        if (len == strlen(shown)) (void)snprintf(reason, reason_len, "unknown unit \"%s\"", shown);
        else (void)snprintf(reason, reason_len, "unknown unit \"%.*s\" in \"%s\"", (int)len, u + start, shown);
        return PETSC_FALSE;
      }
      if (sym->kind == PH_QK_DBM && !(first && len == n)) {
        (void)snprintf(reason, reason_len, "unit \"%s\": dBm stands alone", shown);
        return PETSC_FALSE;
      }
      if (sym->kind == PH_QK_DB && !(first && power == 1)) {
        (void)snprintf(reason, reason_len, "unit \"%s\": dB may only stand alone or lead a compound such as dB/K", shown);
        return PETSC_FALSE;
      }
      if (sym->kind == PH_QK_DB || sym->kind == PH_QK_DBM) {
        has_log = PETSC_TRUE;
        q->kind = sym->kind;
      } else {
        if (sym->kind == PH_QK_TEMP_ABS) {
          has_c   = PETSC_TRUE;
          c_alone = (PetscBool)(start == 0 && pos == n);
        }
        q->value *= pow(sym->scale, sign * power);
        for (int d = 0; d < PH_NDIM; d++) {
          int e = q->dim[d] + sign * power * sym->dim[d]; /* in int: 64 factors m^4 must not wrap a signed char to m^0 */

          if (e < -PH_MAX_UNIT_EXPONENT || e > PH_MAX_UNIT_EXPONENT) {
            (void)snprintf(reason, reason_len, "unit \"%s\": an exponent beyond %d", shown, PH_MAX_UNIT_EXPONENT);
            return PETSC_FALSE;
          }
          q->dim[d] = (signed char)e;
        }
        if (!(isfinite(q->value) && q->value > 0)) { /* nm^4/mm^4 repeated underflows to 0 */
          (void)snprintf(reason, reason_len, "unit \"%s\": its scale is beyond the range of numbers", shown);
          return PETSC_FALSE;
        }
      }
      nfactors++;
    }
    first = PETSC_FALSE;
    if (pos < n) {
      sign = u[pos] == '/' ? -1 : 1; /* an operator applies to the next factor only: W/m^2/K */
      pos++;
      if (pos == n) {
        (void)snprintf(reason, reason_len, "unit \"%s\" ends with an operator", shown);
        return PETSC_FALSE;
      }
    }
  }
  if (nfactors == 0) {
    (void)snprintf(reason, reason_len, "\"%s\" is not a unit", shown);
    return PETSC_FALSE;
  }
  if (has_c && !c_alone) {
    (void)snprintf(reason, reason_len, "unit \"%s\": C is an absolute temperature; use K in compound units", shown);
    return PETSC_FALSE;
  }
  if (!has_log && c_alone) q->kind = PH_QK_TEMP_ABS;
  else if (!has_log && n == 1 && u[0] == 'K') q->kind = PH_QK_TEMP_K;
  return PETSC_TRUE;
}

/* Tokens of an expression. */
typedef enum {
  PH_TOK_END,
  PH_TOK_NUMBER,
  PH_TOK_PARAM,
  PH_TOK_PLUS,
  PH_TOK_MINUS,
  PH_TOK_TIMES,
  PH_TOK_DIVIDE,
  PH_TOK_LPAREN,
  PH_TOK_RPAREN,
  PH_TOK_WORD,
  PH_TOK_ERROR
} PhTokenType;

typedef struct {
  const char     *text;
  size_t          pos;
  PhTokenType     type;
  const char     *start;
  size_t          len;
  double          number;
  PhParamLookupFn lookup;
  void           *ctx;
  char           *reason;
  size_t          reason_len;
  PetscBool       failed;
  int             depth;
} PhLexer;

static PetscBool PhIsDelim(char c)
{
  return c == '\0' || isspace((unsigned char)c) || c == '(' || c == ')';
}

static void PhFail(PhLexer *lx, const char *fmt, const char *arg)
{
  if (lx->failed) return;
  lx->failed = PETSC_TRUE;
  (void)snprintf(lx->reason, lx->reason_len, fmt, arg);
}

/* Scan a decimal number [+-]digits[.digits][(e|E)[+-]digits] starting at s; return its length or 0. */
static size_t PhScanNumber(const char *s)
{
  size_t i = 0, digits = 0;

  if (s[i] == '+' || s[i] == '-') i++;
  while (isdigit((unsigned char)s[i])) {
    i++;
    digits++;
  }
  if (s[i] == '.') {
    i++;
    while (isdigit((unsigned char)s[i])) {
      i++;
      digits++;
    }
  }
  if (digits == 0) return 0;
  if (s[i] == 'e' || s[i] == 'E') {
    size_t j = i + 1;

    if (s[j] == '+' || s[j] == '-') j++;
    if (isdigit((unsigned char)s[j])) {
      while (isdigit((unsigned char)s[j])) j++;
      i = j;
    }
  }
  return i;
}

static void PhNext(PhLexer *lx)
{
  const char *s = lx->text;
  size_t      n;

  while (isspace((unsigned char)s[lx->pos])) lx->pos++;
  lx->start = s + lx->pos;
  lx->len   = 0;
  if (s[lx->pos] == '\0') {
    lx->type = PH_TOK_END;
    return;
  }
  if (s[lx->pos] == '(' || s[lx->pos] == ')') {
    lx->type = s[lx->pos] == '(' ? PH_TOK_LPAREN : PH_TOK_RPAREN;
    lx->len  = 1;
    lx->pos++;
    return;
  }
  if ((s[lx->pos] == '+' || s[lx->pos] == '-' || s[lx->pos] == '*' || s[lx->pos] == '/') && PhIsDelim(s[lx->pos + 1]) && s[lx->pos + 1] != ')') {
    switch (s[lx->pos]) {
    case '+':
      lx->type = PH_TOK_PLUS;
      break;
    case '-':
      lx->type = PH_TOK_MINUS;
      break;
    case '*':
      lx->type = PH_TOK_TIMES;
      break;
    default:
      lx->type = PH_TOK_DIVIDE;
      break;
    }
    lx->len = 1;
    lx->pos++;
    return;
  }
  if (s[lx->pos] == '-' && s[lx->pos + 1] == '$') { /* -${x}: unary minus bound to a parameter */
    lx->type = PH_TOK_MINUS;
    lx->len  = 1;
    lx->pos++;
    return;
  }
  if (s[lx->pos] == '$' && s[lx->pos + 1] == '{') {
    const char *close = strchr(s + lx->pos, '}');

    if (close == NULL) {
      lx->type = PH_TOK_ERROR;
      PhFail(lx, "unterminated parameter reference in \"%s\"", s);
      return;
    }
    lx->type  = PH_TOK_PARAM;
    lx->start = s + lx->pos + 2;
    lx->len   = (size_t)(close - lx->start);
    lx->pos   = (size_t)(close - s) + 1;
    return;
  }
  n = PhScanNumber(s + lx->pos);
  if (n > 0) {
    char  buf[64];
    char *end;

    if (n >= sizeof(buf)) {
      lx->type = PH_TOK_ERROR;
      PhFail(lx, "number too long in \"%s\"", s);
      return;
    }
    memcpy(buf, s + lx->pos, n);
    buf[n]     = '\0';
    lx->number = strtod(buf, &end);
    lx->type   = PH_TOK_NUMBER;
    lx->len    = n;
    lx->pos += n;
    if (!isfinite(lx->number)) {
      lx->type = PH_TOK_ERROR;
      PhFail(lx, "number out of range in \"%s\"", s);
    }
    return;
  }
  /* a word: a unit, or something that is not a valid token */
  n = 0;
  while (!PhIsDelim(s[lx->pos + n])) n++;
  lx->type = PH_TOK_WORD;
  lx->len  = n;
  lx->pos += n;
}

/*
  After a number, the next word is its unit unless it is an operator, a parameter or another number:
  "50 um", "50um", "0.017 1/K" and "2e4 W/m^2/K" carry units; "5 - 2" and "5 ${x}" do not.
*/
static PetscBool PhPeekUnit(PhLexer *lx, size_t *start, size_t *len)
{
  const char *s = lx->text;
  size_t      p = lx->pos, n = 0;

  while (isspace((unsigned char)s[p])) p++;
  while (!PhIsDelim(s[p + n])) n++;
  if (n == 0) return PETSC_FALSE;
  if (n == 1 && strchr("+-*/", s[p]) != NULL) return PETSC_FALSE;
  if (s[p] == '$' || (s[p] == '-' && s[p + 1] == '$')) return PETSC_FALSE;
  if (PhScanNumber(s + p) == n) return PETSC_FALSE;
  *start = p;
  *len   = n;
  return PETSC_TRUE;
}

static PetscBool PhIsTemperature(PhQuantityKind k)
{
  return k == PH_QK_TEMP_ABS || k == PH_QK_TEMP_K || k == PH_QK_TEMP_DIFF;
}

static PetscBool PhIsLog(PhQuantityKind k)
{
  return k == PH_QK_DB || k == PH_QK_DBM;
}

static void PhCheckFinite(PhLexer *lx, const PhQuantity *q)
{
  if (!isfinite(q->value)) PhFail(lx, "arithmetic overflow in \"%s\"", lx->text);
}

/* a ± b under the rules of DESIGN §3.1 */
static void PhAdd(PhLexer *lx, PhQuantity *a, const PhQuantity *b_in, int sign)
{
  PhQuantity b = *b_in;

  if (lx->failed) return;
  if (a->bare && b.bare) {
    a->value += sign * b.value;
    PhCheckFinite(lx, a);
    return;
  }
  if (a->bare || b.bare) {
    const PhQuantity *unitful = a->bare ? &b : a;

    if (PhIsTemperature(unitful->kind) || PhIsLog(unitful->kind)) {
      PhFail(lx, "a number without unit cannot be added to a temperature or a dB value in \"%s\"", lx->text);
      return;
    }
    if (a->bare) {
      for (int d = 0; d < PH_NDIM; d++) a->dim[d] = b.dim[d];
      a->kind = b.kind;
      a->bare = PETSC_FALSE;
    }
  }
  if (!PhDimEqual(a->dim, b.dim) && !(a->bare || b.bare)) {
    char da[96], db[96], msg[400];

    PhDescribe(a, da, sizeof(da));
    PhDescribe(&b, db, sizeof(db));
    (void)snprintf(msg, sizeof(msg), "cannot add %s and %s in \"%%s\"", da, db);
    PhFail(lx, msg, lx->text);
    return;
  }
  if (PhIsLog(a->kind) || PhIsLog(b.kind)) {
    /* dB ± dB -> dB; dBm ± dB -> dBm; dB + dBm -> dBm; nothing else */
    if (a->kind == PH_QK_DB && b.kind == PH_QK_DB) a->kind = PH_QK_DB;
    else if (a->kind == PH_QK_DBM && b.kind == PH_QK_DB) a->kind = PH_QK_DBM;
    else if (a->kind == PH_QK_DB && b.kind == PH_QK_DBM && sign > 0) a->kind = PH_QK_DBM;
    else {
      PhFail(lx, "only dBm ± dB and dB ± dB are allowed with logarithmic units in \"%s\"", lx->text);
      return;
    }
  } else if (PhIsTemperature(a->kind) || PhIsTemperature(b.kind)) {
    PhQuantityKind ka = a->kind, kb = b.kind;

    if (ka == PH_QK_TEMP_ABS && kb == PH_QK_TEMP_ABS) {
      if (sign > 0) {
        PhFail(lx, "two absolute temperatures cannot be added in \"%s\" (absolute - absolute is a difference)", lx->text);
        return;
      }
      a->kind = PH_QK_TEMP_DIFF;
    } else if (ka == PH_QK_TEMP_ABS) {
      a->kind = PH_QK_TEMP_ABS; /* absolute ± difference */
    } else if (kb == PH_QK_TEMP_ABS) {
      if (sign < 0) {
        PhFail(lx, "an absolute temperature cannot be subtracted from a difference in \"%s\"", lx->text);
        return;
      }
      a->kind = PH_QK_TEMP_ABS;
    } else {
      a->kind = (ka == PH_QK_TEMP_DIFF && kb == PH_QK_TEMP_DIFF) ? PH_QK_TEMP_DIFF : PH_QK_TEMP_K; /* K may be either */
    }
  }
  a->value += sign * b.value;
  PhCheckFinite(lx, a);
}

/* a * b or a / b */
static void PhMultiply(PhLexer *lx, PhQuantity *a, const PhQuantity *b, int sign)
{
  PhQuantityKind kind = PH_QK_LINEAR;

  if (lx->failed) return;
  if (a->kind == PH_QK_TEMP_ABS || b->kind == PH_QK_TEMP_ABS) {
    PhFail(lx, "an absolute temperature can only be added to or subtracted from in \"%s\"", lx->text);
    return;
  }
  if (a->kind == PH_QK_DBM || b->kind == PH_QK_DBM) {
    PhFail(lx, "a dBm value cannot be multiplied or divided in \"%s\" (only dBm ± dB is allowed)", lx->text);
    return;
  }
  if (b->kind == PH_QK_DB && (sign < 0 || a->kind == PH_QK_DB)) {
    PhFail(lx, "a dB value can only be scaled, not divided by or multiplied with another dB value, in \"%s\"", lx->text);
    return;
  }
  if (a->kind == PH_QK_DB || b->kind == PH_QK_DB) kind = PH_QK_DB;
  else if ((a->kind == PH_QK_TEMP_K || a->kind == PH_QK_TEMP_DIFF) && b->bare) kind = a->kind;
  else if ((b->kind == PH_QK_TEMP_K || b->kind == PH_QK_TEMP_DIFF) && a->bare && sign > 0) kind = b->kind;
  if (sign < 0 && b->value == 0) {
    PhFail(lx, "division by zero in \"%s\"", lx->text);
    return;
  }
  a->value = sign > 0 ? a->value * b->value : a->value / b->value;
  for (int d = 0; d < PH_NDIM; d++) {
    int e = a->dim[d] + sign * b->dim[d];

    if (e < -PH_MAX_UNIT_EXPONENT || e > PH_MAX_UNIT_EXPONENT) {
      PhFail(lx, "unit exponent out of range in \"%s\"", lx->text);
      return;
    }
    a->dim[d] = (signed char)e;
  }
  a->kind = kind;
  a->bare = (PetscBool)(a->bare && b->bare);
  PhCheckFinite(lx, a);
}

static void PhParseExpr(PhLexer *lx, PhQuantity *q);

static void PhParseFactor(PhLexer *lx, PhQuantity *q)
{
  PetscCallAbort(PETSC_COMM_SELF, PetscMemzero(q, sizeof(*q)));
  if (lx->failed) return;
  if (++lx->depth > 100) {
    PhFail(lx, "expression nested too deeply in \"%s\"", lx->text);
    return;
  }
  switch (lx->type) {
  case PH_TOK_MINUS:
  case PH_TOK_PLUS: {
    int sign = lx->type == PH_TOK_MINUS ? -1 : 1;

    PhNext(lx);
    PhParseFactor(lx, q);
    if (lx->failed) break;
    if (sign < 0) {
      if (q->kind == PH_QK_TEMP_ABS || q->kind == PH_QK_DBM) {
        PhFail(lx, "cannot negate an absolute temperature or a dBm value in \"%s\"", lx->text);
        break;
      }
      q->value = -q->value;
    }
  } break;
  case PH_TOK_NUMBER: {
    double number = lx->number;

    size_t unit_start, unit_len;

    q->value = number;
    q->kind  = PH_QK_LINEAR;
    q->bare  = PETSC_TRUE;
    if (PhPeekUnit(lx, &unit_start, &unit_len)) {
      PhQuantity unit;
      char       reason[256];

      lx->pos = unit_start + unit_len;
      if (!PhParseUnit(lx->text + unit_start, unit_len, &unit, reason, sizeof(reason))) {
        PhFail(lx, "%s", reason);
        break;
      }
      if (unit.kind == PH_QK_TEMP_ABS) q->value = number + PH_ZERO_CELSIUS;
      else q->value = number * unit.value;
      for (int d = 0; d < PH_NDIM; d++) q->dim[d] = unit.dim[d];
      q->kind = unit.kind;
      q->bare = PETSC_FALSE;
      PhCheckFinite(lx, q);
    }
    PhNext(lx);
  } break;
  case PH_TOK_PARAM: {
    char      name[128];
    PetscBool found = PETSC_FALSE, valid = PETSC_TRUE;
    char      reason[512];

    if (lx->len == 0 || lx->len >= sizeof(name)) {
      PhFail(lx, "bad parameter reference in \"%s\"", lx->text);
      break;
    }
    memcpy(name, lx->start, lx->len);
    name[lx->len] = '\0';
    if (lx->lookup == NULL) {
      PhFail(lx, "parameter ${%s} cannot be used here", name);
      break;
    }
    reason[0] = '\0';
    PetscCallAbort(PETSC_COMM_SELF, lx->lookup(lx->ctx, name, q, &found, &valid, reason, sizeof(reason)));
    if (!found) {
      PhFail(lx, "unknown parameter ${%s} (declare it under parameters:)", name);
      break;
    }
    if (!valid) {
      PhFail(lx, "%s", reason);
      break;
    }
    PhNext(lx);
  } break;
  case PH_TOK_LPAREN:
    PhNext(lx);
    PhParseExpr(lx, q);
    if (lx->failed) break;
    if (lx->type != PH_TOK_RPAREN) {
      PhFail(lx, "missing ')' in \"%s\"", lx->text);
      break;
    }
    PhNext(lx);
    break;
  case PH_TOK_END:
    PhFail(lx, "expression ends where a value is expected in \"%s\"", lx->text);
    break;
  case PH_TOK_ERROR:
    break;
  default: {
    char word[80];

    (void)snprintf(word, sizeof(word), "%.*s", (int)PetscMin(lx->len, 60), lx->start);
    PhFail(lx, "unexpected \"%s\" where a value is expected", word);
  } break;
  }
  lx->depth--;
}

static void PhParseTerm(PhLexer *lx, PhQuantity *q)
{
  PhParseFactor(lx, q);
  while (!lx->failed && (lx->type == PH_TOK_TIMES || lx->type == PH_TOK_DIVIDE)) {
    int        sign = lx->type == PH_TOK_TIMES ? 1 : -1;
    PhQuantity rhs;

    PhNext(lx);
    PhParseFactor(lx, &rhs);
    PhMultiply(lx, q, &rhs, sign);
  }
}

static void PhParseExpr(PhLexer *lx, PhQuantity *q)
{
  PhParseTerm(lx, q);
  while (!lx->failed && (lx->type == PH_TOK_PLUS || lx->type == PH_TOK_MINUS)) {
    int        sign = lx->type == PH_TOK_PLUS ? 1 : -1;
    PhQuantity rhs;

    PhNext(lx);
    PhParseTerm(lx, &rhs);
    PhAdd(lx, q, &rhs, sign);
  }
}

/**
  @brief Evaluate an expression to a quantity with dimensions (no expected type yet).

  Not collective.

  @param[in]  text       the value as written, such as "${x0} + 2 mm"
  @param[in]  lookup     resolves ${name}; NULL when parameters are not allowed
  @param[in]  ctx        passed to `lookup`
  @param[out] q          the quantity
  @param[out] valid      PETSC_FALSE when the text is not a valid expression
  @param[out] reason     why it is invalid
  @param[in]  reason_len size of `reason`
**/
PetscErrorCode PhUnitsEvaluate(const char text[], PhParamLookupFn lookup, void *ctx, PhQuantity *q, PetscBool *valid, char *reason, size_t reason_len)
{
  PhLexer lx;

  PetscFunctionBeginUser;
  PetscCheck(text != NULL, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "text is NULL");
  PetscCall(PetscMemzero(&lx, sizeof(lx)));
  lx.text       = text;
  lx.lookup     = lookup;
  lx.ctx        = ctx;
  lx.reason     = reason;
  lx.reason_len = reason_len;
  reason[0]     = '\0';
  PhNext(&lx);
  if (lx.type == PH_TOK_END) PhFail(&lx, "empty value%s", "");
  else PhParseExpr(&lx, q);
  if (!lx.failed && lx.type != PH_TOK_END) {
    char word[80];

    (void)snprintf(word, sizeof(word), "%.*s", (int)PetscMin(lx.len, 60), lx.start);
    if (lx.type == PH_TOK_WORD) PhFail(&lx, "unexpected \"%s\" (a unit follows a number; operators need spaces around them)", word);
    else PhFail(&lx, "unexpected \"%s\" after a complete value", word);
  }
  *valid = lx.failed ? PETSC_FALSE : PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Whether a quantity has the dimensions and kind that `type` accepts (ignoring the unit-required rule).

  Not collective.
**/
PetscBool PhUnitsMatch(const PhQuantity *q, PhQuantityType type)
{
  const PhQuantityTypeInfo *t = &PhTypeTable[type];

  if (q->bare) return (PetscBool)(!t->unit_required);
  if (type == PH_QT_OPTICAL_POWER)
    return (PetscBool)(q->kind == PH_QK_DBM || (q->kind == PH_QK_LINEAR && PhDimEqual(q->dim, PhTypeTable[PH_QT_POWER].dim)));
  if (!PhDimEqual(q->dim, t->dim)) return PETSC_FALSE;
  switch (t->kind) {
  case PH_QK_TEMP_ABS:
    return (PetscBool)(q->kind == PH_QK_TEMP_ABS || q->kind == PH_QK_TEMP_K);
  case PH_QK_TEMP_DIFF:
    return (PetscBool)(q->kind == PH_QK_TEMP_DIFF || q->kind == PH_QK_TEMP_K);
  case PH_QK_DB:
    return (PetscBool)(q->kind == PH_QK_DB);
  case PH_QK_LINEAR:
    return (PetscBool)(q->kind == PH_QK_LINEAR || q->kind == PH_QK_TEMP_K || q->kind == PH_QK_TEMP_DIFF);
  default:
    return PETSC_FALSE;
  }
}

/**
  @brief Check a quantity against the type a key expects and give its value in SI (dB, dBm for logarithmic types).

  Not collective.

  @param[in]  q          evaluated quantity
  @param[in]  type       what the key expects
  @param[in]  text       the value as written, for the message
  @param[out] value      SI value
  @param[out] valid      whether the quantity fits
  @param[out] reason     why not: "expected a length such as \"50 um\", got a power (\"3 W\")"
**/
PetscErrorCode PhUnitsConvert(const PhQuantity *q, PhQuantityType type, const char text[], PetscReal *value, PetscBool *valid, char *reason,
                              size_t reason_len)
{
  const PhQuantityTypeInfo *t = &PhTypeTable[type];
  char                      got[128];

  PetscFunctionBeginUser;
  *valid    = PETSC_FALSE;
  *value    = 0;
  reason[0] = '\0';
  if (q->bare && t->unit_required) {
    if (type == PH_QT_TEMPERATURE || type == PH_QT_TEMPERATURE_DIFFERENCE)
      (void)snprintf(reason, reason_len, "expected %s, got \"%s\": a temperature needs its unit (%s)", t->description, text,
                     type == PH_QT_TEMPERATURE ? "C or K" : "K");
    else (void)snprintf(reason, reason_len, "expected %s, got \"%s\": this value needs its unit", t->description, text);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!PhUnitsMatch(q, type)) {
    if (type == PH_QT_TEMPERATURE && q->kind == PH_QK_TEMP_DIFF) {
      (void)snprintf(reason, reason_len, "expected %s, got a temperature difference (\"%s\")", t->description, text);
    } else if (type == PH_QT_TEMPERATURE_DIFFERENCE && q->kind == PH_QK_TEMP_ABS) {
      (void)snprintf(reason, reason_len, "expected %s, got an absolute temperature (\"%s\"); a difference is written in K", t->description, text);
    } else if (t->dim[PH_DIM_TEMP] != 0 && q->kind == PH_QK_LINEAR && PhDimEqual(q->dim, t->dim)) {
      (void)snprintf(reason, reason_len, "expected %s, got \"%s\"", t->description, text);
    } else {
      PhDescribe(q, got, sizeof(got));
      (void)snprintf(reason, reason_len, "expected %s, got %s (\"%s\")", t->description, got, text);
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (type == PH_QT_TEMPERATURE && !(q->value > 0)) {
    (void)snprintf(reason, reason_len, "\"%s\" is %.6g K: an absolute temperature must be above absolute zero", text, (double)q->value);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (type == PH_QT_OPTICAL_POWER && q->kind == PH_QK_LINEAR) {
    if (!(q->value > 0)) {
      (void)snprintf(reason, reason_len, "expected %s, got \"%s\": a power level in dBm needs a positive power", t->description, text);
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    *value = 10.0 * log10(q->value / 1e-3);
  } else {
    *value = q->value;
  }
  if (!(PetscAbsReal(*value) <= PH_MAX_MAGNITUDE) || (*value != 0 && PetscAbsReal(*value) < PH_MIN_MAGNITUDE)) {
    (void)snprintf(reason, reason_len, "\"%s\" is %.3g %s, outside the magnitudes accepted (0, or %g to %g in SI units)", text, (double)*value,
                   PhQuantityTypeUnit(type), PH_MIN_MAGNITUDE, PH_MAX_MAGNITUDE);
    *value = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (type == PH_QT_TIME && PetscAbsReal(*value) > PH_MAX_TIME) {
    (void)snprintf(reason, reason_len, "\"%s\" is %.3g s, more than the %g s (about 32 years) a time may be", text, (double)*value, PH_MAX_TIME);
    *value = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *valid = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Evaluate and convert in one call (PhUnitsEvaluate() then PhUnitsConvert()); `q` (may be NULL) receives the quantity.

  Not collective.
**/
PetscErrorCode PhUnitsParse(const char text[], PhQuantityType type, PhParamLookupFn lookup, void *ctx, PhQuantity *q_out, PetscReal *value,
                            PetscBool *valid, char *reason, size_t reason_len)
{
  PhQuantity q_local, *q = q_out != NULL ? q_out : &q_local;
  char       why[512];

  PetscFunctionBeginUser;
  PetscCall(PhUnitsEvaluate(text, lookup, ctx, q, valid, why, sizeof(why)));
  if (!*valid) {
    /* a plain word that is no expression at all reads best as "expected X, got Y" */
    if (strstr(why, "empty value") == why) (void)snprintf(reason, reason_len, "expected %s, got \"%s\"", PhTypeTable[type].description, text);
    else if (strstr(why, "number out of range") == why || strstr(why, "arithmetic overflow") == why)
      (void)snprintf(reason, reason_len, "expected %s, got \"%s\" (%s)", PhTypeTable[type].description, text,
                     why[0] == 'n' ? "number out of range" : "arithmetic overflow");
    else if (strstr(why, "unexpected") == why || strstr(why, "unknown unit") == why)
      (void)snprintf(reason, reason_len, "expected %s, got \"%s\" (%s)", PhTypeTable[type].description, text, why);
    else (void)snprintf(reason, reason_len, "%s", why);
    *value = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhUnitsConvert(q, type, text, value, valid, reason, reason_len));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The affine map of a unit written alone (a CSV header such as `[ms]` or `[C]`): SI = scale * number + offset.

  Not collective.
**/
PetscErrorCode PhUnitsAffine(const char unit[], PhQuantityType type, PetscReal *scale, PetscReal *offset, PetscBool *valid, char *reason,
                             size_t reason_len)
{
  char       text[160];
  PhQuantity zero, one;
  PetscReal  v0, v1;

  PetscFunctionBeginUser;
  (void)snprintf(text, sizeof(text), "0 %s", unit);
  PetscCall(PhUnitsEvaluate(text, NULL, NULL, &zero, valid, reason, reason_len));
  if (*valid) PetscCall(PhUnitsConvert(&zero, type, unit, &v0, valid, reason, reason_len));
  if (!*valid) PetscFunctionReturn(PETSC_SUCCESS);
  (void)snprintf(text, sizeof(text), "1 %s", unit);
  PetscCall(PhUnitsEvaluate(text, NULL, NULL, &one, valid, reason, reason_len));
  if (*valid) PetscCall(PhUnitsConvert(&one, type, unit, &v1, valid, reason, reason_len));
  if (!*valid) PetscFunctionReturn(PETSC_SUCCESS);
  *scale  = v1 - v0;
  *offset = v0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief "a length such as \"50 um\"": how messages name what a key expects.

  Not collective.
**/
const char *PhQuantityTypeDescription(PhQuantityType type)
{
  return PhTypeTable[type].description;
}

/**
  @brief The unit in which values of this type are stored in SI ("m", "W/m/K", "dBm"; "K" for temperatures).

  Not collective.
**/
const char *PhQuantityTypeUnit(PhQuantityType type)
{
  return PhTypeTable[type].unit;
}

/* Write value with an engineering prefix from `units` (scale factors in decreasing order). */
static void PhFormatPrefixed(double value, const char *const names[], const double scales[], int n, char *buf, size_t len)
{
  double a = fabs(value);
  int    u = 0;

  if (a == 0) {
    while (u < n - 1 && scales[u] != 1.0) u++; /* zero in the base unit: "0 W", not "0 kW" */
  } else {
    while (u < n - 1 && a < 0.9999999 * scales[u]) u++;
  }
  (void)snprintf(buf, len, "%.6g %s", value / scales[u], names[u]);
}

/**
  @brief Format an SI value for people: "50 um", "2.5 ms", "700 W", "35 C", "0.07 nm/K".

  Not collective.
**/
PetscErrorCode PhUnitsFormat(PetscReal value, PhQuantityType type, char *buf, size_t len)
{
  static const char  *lengths[] = {"m", "mm", "um", "nm"};
  static const double lscale[]  = {1, 1e-3, 1e-6, 1e-9};
  static const char  *times[]   = {"s", "ms", "us", "ns"};
  static const char  *powers[]  = {"kW", "W", "mW", "uW", "nW"};
  static const double pscale[]  = {1e3, 1, 1e-3, 1e-6, 1e-9};

  PetscFunctionBeginUser;
  switch (type) {
  case PH_QT_LENGTH:
    PhFormatPrefixed(value, lengths, lscale, 4, buf, len);
    break;
  case PH_QT_WAVELENGTH:
    (void)snprintf(buf, len, "%.6g nm", value * 1e9);
    break;
  case PH_QT_TIME:
    PhFormatPrefixed(value, times, lscale, 4, buf, len);
    break;
  case PH_QT_POWER:
    PhFormatPrefixed(value, powers, pscale, 5, buf, len);
    break;
  case PH_QT_TEMPERATURE:
    (void)snprintf(buf, len, "%.6g C", value - PH_ZERO_CELSIUS);
    break;
  case PH_QT_DRIFT:
    (void)snprintf(buf, len, "%.6g nm/K", value * 1e9);
    break;
  case PH_QT_TUNING:
    (void)snprintf(buf, len, "%.6g nm/mW", value * 1e9 * 1e-3);
    break;
  case PH_QT_RATE:
    (void)snprintf(buf, len, "%.6g Gb/s", value * 1e-9);
    break;
  case PH_QT_ENERGY_PER_BIT:
    (void)snprintf(buf, len, "%.6g pJ/bit", value * 1e12);
    break;
  case PH_QT_FREQUENCY:
    (void)snprintf(buf, len, "%.6g GHz", value * 1e-9);
    break;
  case PH_QT_VOLUME_FLOW:
    (void)snprintf(buf, len, "%.6g L/min", value * 6e4);
    break;
  case PH_QT_DIMENSIONLESS:
    (void)snprintf(buf, len, "%.6g", value);
    break;
  default:
    (void)snprintf(buf, len, "%.6g %s", value, PhTypeTable[type].unit);
    break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Format any quantity in SI with its base units, exactly (17 significant digits), for the resolved case.

  Not collective.
**/
PetscErrorCode PhUnitsFormatQuantity(const PhQuantity *q, char *buf, size_t len)
{
  const char *base[PH_NDIM] = {"m", "kg", "s", "K", "b"};
  size_t      used;
  PetscBool   first = PETSC_TRUE;

  PetscFunctionBeginUser;
  if (q->bare) {
    (void)snprintf(buf, len, "%.17g", (double)q->value);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (q->kind == PH_QK_DBM) {
    (void)snprintf(buf, len, "%.17g dBm", (double)q->value);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  used = (size_t)snprintf(buf, len, "%.17g ", (double)q->value);
  if (q->kind == PH_QK_DB) {
    used += (size_t)snprintf(buf + used, len - used, "dB");
    first = PETSC_FALSE;
  }
  for (int d = 0; d < PH_NDIM && used < len; d++) {
    if (q->dim[d] <= 0) continue;
    used += (size_t)snprintf(buf + used, len - used, "%s%s", first ? "" : "*", base[d]);
    if (q->dim[d] > 1) used += (size_t)snprintf(buf + used, len - used, "^%d", q->dim[d]);
    first = PETSC_FALSE;
  }
  for (int d = 0; d < PH_NDIM && used < len; d++) {
    if (q->dim[d] >= 0) continue;
    used += (size_t)snprintf(buf + used, len - used, "%s%s", first ? "1/" : "/", base[d]);
    if (q->dim[d] < -1) used += (size_t)snprintf(buf + used, len - used, "^%d", -q->dim[d]);
    first = PETSC_FALSE;
  }
  if (first) buf[used > 0 ? used - 1 : 0] = '\0'; /* dimensionless: drop the trailing space */
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Whether s is a plain decimal number, [+-]digits[.digits][(e|E)[+-]digits] with at least one digit: no
  hexadecimal, inf or nan, nothing after it.

  Not collective.
**/
PetscBool PhUnitsIsDecimal(const char s[])
{
  size_t i = 0, digits = 0;

  if (s[i] == '+' || s[i] == '-') i++;
  for (; isdigit((unsigned char)s[i]); i++) digits++;
  if (s[i] == '.')
    for (i++; isdigit((unsigned char)s[i]); i++) digits++;
  if (digits == 0) return PETSC_FALSE;
  if (s[i] == 'e' || s[i] == 'E') {
    i++;
    if (s[i] == '+' || s[i] == '-') i++;
    if (!isdigit((unsigned char)s[i])) return PETSC_FALSE;
    while (isdigit((unsigned char)s[i])) i++;
  }
  return (PetscBool)(s[i] == '\0');
}
