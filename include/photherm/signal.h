/*
  photherm/signal.h - a value that varies in time: a source power, a coolant temperature, a surface flux (DESIGN §3.6).

  A signal is a constant, a CSV trace column (held or linear, repeated, scaled) or a pattern (square, sine, steps).
  Signals are plain structs owned by the case (PhCase); their arrays are freed with the case.

  Layer: base; the case builds signals, thermal evaluates them and finds their breakpoints. It calls only sys.
*/
#pragma once

#include <photherm/sys.h>

typedef enum {
  PH_SIGNAL_CONSTANT,
  PH_SIGNAL_TRACE,
  PH_SIGNAL_SQUARE,
  PH_SIGNAL_SINE,
  PH_SIGNAL_STEPS
} PhSignalType;

typedef struct {
  PhSignalType type;
  PetscReal    value;     /* PH_SIGNAL_CONSTANT: the value, SI (W, K or W/m^2) */
  PetscInt     n;         /* TRACE and STEPS: number of rows */
  PetscReal   *t;         /* TRACE and STEPS: times, s, strictly increasing; length n */
  PetscReal   *v;         /* TRACE and STEPS: values, SI, already multiplied by `scale`; length n */
  PetscBool    linear;    /* TRACE: interpolate linearly between rows (otherwise hold, as HotSpot traces) */
  PetscBool    repeat;    /* TRACE: loop with period t[n-1] - t[0] */
  PetscReal    scale;     /* TRACE: factor applied to the column (already in v) */
  PetscReal    period;    /* SQUARE, SINE: s */
  PetscReal    duty;      /* SQUARE: fraction of the period at `high`, in [0, 1] */
  PetscReal    high, low; /* SQUARE: SI */
  PetscReal    mean;      /* SINE: SI */
  PetscReal    amplitude; /* SINE: SI */
  PetscReal    delay;     /* SQUARE, SINE: s; the pattern starts at t = delay (before it: low, resp. mean) */
  char        *file;      /* TRACE: path of the CSV file as resolved */
  char        *column;    /* TRACE: column name */
} PhSignal;

PH_EXTERN PetscReal      PhSignalEvaluate(const PhSignal *signal, PetscReal t);
PH_EXTERN PetscErrorCode PhSignalNextBreak(const PhSignal *signal, PetscReal t, PetscReal *t_next);
PH_EXTERN PetscBool      PhSignalIsConstant(const PhSignal *signal);
PH_EXTERN PetscReal      PhSignalMaxAbs(const PhSignal *signal);
PH_EXTERN PetscReal      PhSignalMean(const PhSignal *signal, PetscReal t0, PetscReal t1);
PH_EXTERN PetscErrorCode PhSignalDestroyContents(PhSignal *signal);
