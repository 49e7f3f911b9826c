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

/* Times closer than PH_TIME_RESOLUTION seconds, or beyond 1 s closer than that fraction of themselves, are one instant
   to the time loop (its landings skip edges within 1e-12 of the time, PhSignalNextBreak): trace rows and steps must be
   further apart, also where a repeated trace reaches time.end. An input may change at most PH_MAX_INPUT_CHANGES times
   over a run: the time loop lands on every change, a step each (cases/README.md section 18). */
#define PH_TIME_RESOLUTION   1e-9 /* messages say "1 ns (or 1e-9 of their time beyond 1 s)" */
#define PH_MAX_INPUT_CHANGES 1e7

/* What PhSignalCheckTiming() found. */
typedef enum {
  PH_TIMING_OK,
  PH_TIMING_ROWS_TOO_CLOSE,  /* rows `row` - 1 and `row` of a repeated trace are one instant at time.end */
  PH_TIMING_EDGES_TOO_CLOSE, /* the high or low part of a square pattern is one instant at time.end */
  PH_TIMING_TOO_MANY_CHANGES /* more than PH_MAX_INPUT_CHANGES changes before time.end */
} PhTiming;

PH_EXTERN PetscReal      PhTimeResolution(PetscReal t);
PH_EXTERN PhTiming       PhSignalCheckTiming(const PhSignal *signal, PetscReal t_end, PetscInt *row, PetscReal *changes);
PH_EXTERN PetscReal      PhSignalEvaluate(const PhSignal *signal, PetscReal t);
PH_EXTERN PetscErrorCode PhSignalNextBreak(const PhSignal *signal, PetscReal t, PetscReal *t_next);
PH_EXTERN PetscBool      PhSignalIsConstant(const PhSignal *signal);
PH_EXTERN PetscReal      PhSignalMaxAbs(const PhSignal *signal);
PH_EXTERN PetscReal      PhSignalMean(const PhSignal *signal, PetscReal t0, PetscReal t1);
PH_EXTERN PetscErrorCode PhSignalDestroyContents(PhSignal *signal);
