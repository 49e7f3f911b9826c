/*
  photherm/units.h - quantities with units, dimension checks and the arithmetic of case-file values (DESIGN §3.1).

  A value is an expression: NUMBER [UNIT], `${parameter}`, `+ - * /` with spaces around them, and parentheses.
  A UNIT is one token without spaces (`W/m^2/K`, `1/K`) that binds tighter than any operator.
  Inside the program every quantity is SI with kelvin for temperatures; dB, dBm and dB/K stay logarithmic.
  Bad input is never a PETSc error here: the functions report `valid` and a reason for the diagnostics.

  Layer: base; used by the case loader and for printing quantities. It calls only sys.
*/
#pragma once

#include <photherm/sys.h>

/* Limits of a value (cases/README.md section 4.1): each dimension of a unit within +-8 (m^4*m^4*... must not wrap);
   a value converted for a key, in SI units, 0 or of magnitude 1e-30 to 1e30, so that nothing the model forms from a
   few of them overflows (1e308 W is finite, but not its energy). */
#define PH_MAX_UNIT_EXPONENT 8
#define PH_MAX_MAGNITUDE     1e30
#define PH_MIN_MAGNITUDE     1e-30
/* A time (time.end, a trace row, a pattern period) is at most 1e9 s, some 32 years: at 1e19 s a step of less than
   2048 s does not change the time at all. s */
#define PH_MAX_TIME 1e9

/* Base dimensions: length, mass, time, temperature, information (bit). */
enum {
  PH_DIM_LENGTH = 0,
  PH_DIM_MASS,
  PH_DIM_TIME,
  PH_DIM_TEMP,
  PH_DIM_BIT,
  PH_NDIM
};

/* What kind of number a quantity is; temperatures and logarithmic units follow their own arithmetic. */
typedef enum {
  PH_QK_LINEAR,    /* an ordinary SI quantity */
  PH_QK_TEMP_ABS,  /* an absolute temperature (written in C, or the result of absolute ± difference), K */
  PH_QK_TEMP_K,    /* written in K: absolute or difference, decided by the key that takes it */
  PH_QK_TEMP_DIFF, /* a temperature difference (absolute - absolute), K */
  PH_QK_DB,        /* a ratio in dB (with dimensions for dB/K) */
  PH_QK_DBM        /* an optical power level in dBm */
} PhQuantityKind;

typedef struct {
  PetscReal      value; /* SI; kelvin for temperatures; dB or dBm for the logarithmic kinds */
  signed char    dim[PH_NDIM];
  PhQuantityKind kind;
  PetscBool      bare; /* written without any unit: read in SI base units by the key that takes it */
} PhQuantity;

/* What a key expects. */
typedef enum {
  PH_QT_DIMENSIONLESS,
  PH_QT_LENGTH,
  PH_QT_WAVELENGTH, /* a length that must carry a unit */
  PH_QT_TIME,
  PH_QT_FREQUENCY,
  PH_QT_POWER,
  PH_QT_OPTICAL_POWER, /* dBm, or a power in W that is converted to dBm */
  PH_QT_TEMPERATURE,   /* absolute: C or K */
  PH_QT_TEMPERATURE_DIFFERENCE,
  PH_QT_CONDUCTIVITY,
  PH_QT_HEAT_TRANSFER,
  PH_QT_DENSITY,
  PH_QT_SPECIFIC_HEAT,
  PH_QT_FLUX,
  PH_QT_DRIFT,  /* nm/K */
  PH_QT_TUNING, /* nm/mW */
  PH_QT_DB,
  PH_QT_DB_PER_K,
  PH_QT_INVERSE_TEMPERATURE,
  PH_QT_RATE,
  PH_QT_ENERGY_PER_BIT,
  PH_QT_VOLUME_FLOW, /* m^3/s: L/min, mL/min */
  PH_QT_MASS_FLOW,   /* kg/s */
  PH_QT_VELOCITY,    /* m/s */
  PH_QT_COUNT_
} PhQuantityType;

/* Resolves `${name}` inside an expression; sets *found, and on a broken parameter *valid = PETSC_FALSE with a reason. */
typedef PetscErrorCode (*PhParamLookupFn)(void *ctx, const char name[], PhQuantity *q, PetscBool *found, PetscBool *valid, char *reason,
                                          size_t reason_len);

PH_EXTERN PetscErrorCode PhUnitsEvaluate(const char text[], PhParamLookupFn lookup, void *ctx, PhQuantity *q, PetscBool *valid, char *reason,
                                         size_t reason_len);
PH_EXTERN PetscErrorCode PhUnitsConvert(const PhQuantity *q, PhQuantityType type, const char text[], PetscReal *value, PetscBool *valid, char *reason,
                                        size_t reason_len);
PH_EXTERN PetscErrorCode PhUnitsParse(const char text[], PhQuantityType type, PhParamLookupFn lookup, void *ctx, PhQuantity *q, PetscReal *value,
                                      PetscBool *valid, char *reason, size_t reason_len);
PH_EXTERN PetscErrorCode PhUnitsAffine(const char unit[], PhQuantityType type, PetscReal *scale, PetscReal *offset, PetscBool *valid, char *reason,
                                       size_t reason_len);
PH_EXTERN PetscBool      PhUnitsIsDecimal(const char s[]);
PH_EXTERN PetscBool      PhUnitsMatch(const PhQuantity *q, PhQuantityType type);
PH_EXTERN const char    *PhQuantityTypeDescription(PhQuantityType type);
PH_EXTERN const char    *PhQuantityTypeUnit(PhQuantityType type);
PH_EXTERN PetscErrorCode PhUnitsFormat(PetscReal value, PhQuantityType type, char *buf, size_t len);
PH_EXTERN PetscErrorCode PhUnitsFormatQuantity(const PhQuantity *q, char *buf, size_t len);
