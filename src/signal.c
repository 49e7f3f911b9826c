/* Time-varying values: constants, CSV traces, square, sine and step patterns (DESIGN §3.6). */
#include <photherm/signal.h>

#include <math.h>

/* Map t into the trace's own time axis, looping when `repeat` is set. */
static PetscReal PhTraceTime(const PhSignal *s, PetscReal t)
{
  PetscReal period, u, k;

  if (!s->repeat || s->n < 2 || t <= s->t[0]) return t;
  period = s->t[s->n - 1] - s->t[0];
  u      = (t - s->t[0]) / period;
  k      = floor(u + 1e-12); /* a time on a period boundary belongs to the next period, whatever the rounding */
  return s->t[0] + PetscMax(u - k, 0.0) * period;
}

/* Index of the last row with t_row <= t (0 before the first row). */
static PetscInt PhRow(const PhSignal *s, PetscReal t)
{
  PetscInt lo = 0, hi = s->n - 1;

  t += 1e-12 * PetscAbsReal(t) + 1e-300; /* a time on a row, up to rounding, is that row's */
  if (t < s->t[0]) return 0;
  while (lo < hi) {
    PetscInt mid = (lo + hi + 1) / 2;

    if (s->t[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
  @brief The value of a signal at time t (SI).

  Traces and steps hold a value until the next row (or interpolate linearly with `linear`); before the first row the
  first value holds, after the last the last (a repeated trace loops with period t_last - t_first). A square pattern
  is `high` for the first `duty` fraction of each period after `delay`, `low` otherwise; a sine is
  mean + amplitude * sin(2 pi (t - delay) / period) after `delay`, `mean` before.

  Not collective.
**/
PetscReal PhSignalEvaluate(const PhSignal *s, PetscReal t)
{
  switch (s->type) {
  case PH_SIGNAL_CONSTANT:
    return s->value;
  case PH_SIGNAL_TRACE:
  case PH_SIGNAL_STEPS: {
    PetscReal tt = s->type == PH_SIGNAL_TRACE ? PhTraceTime(s, t) : t;
    PetscInt  r  = PhRow(s, tt);

    if (s->type == PH_SIGNAL_TRACE && s->linear && tt > s->t[0] && r < s->n - 1) {
      PetscReal w = (tt - s->t[r]) / (s->t[r + 1] - s->t[r]);

      return (1 - w) * s->v[r] + w * s->v[r + 1];
    }
    return s->v[r];
  }
  case PH_SIGNAL_SQUARE: {
    PetscReal phase;

    if (t < s->delay) return s->low;
    phase = (t - s->delay) / s->period;
    phase -= floor(phase + 1e-12); /* an edge, up to rounding, belongs to the part after it */
    return phase + 1e-12 < s->duty ? s->high : s->low;
  }
  case PH_SIGNAL_SINE:
    if (t < s->delay) return s->mean;
    return s->mean + s->amplitude * sin(2 * PETSC_PI * (t - s->delay) / s->period);
  }
  return 0;
}

/**
  @brief The first time after t at which the signal jumps (held rows, square edges, steps) or changes slope (linear rows).

  Returns PETSC_INFINITY when there is none (constants, sines, the end of a trace). Edges closer than 1e-12 s
  (relative) after t are skipped, so that a step that just landed on an edge moves on to the next one.

  Not collective.
**/
PetscErrorCode PhSignalNextBreak(const PhSignal *s, PetscReal t, PetscReal *t_next)
{
  PetscReal eps = 1e-12 * PetscMax(1.0, PetscAbsReal(t));

  PetscFunctionBeginUser;
  *t_next = PETSC_INFINITY;
  switch (s->type) {
  case PH_SIGNAL_TRACE:
  case PH_SIGNAL_STEPS: {
    PetscReal base = 0, tt = t;

    if (s->type == PH_SIGNAL_TRACE && s->repeat && s->n >= 2 && t >= s->t[0]) {
      PetscReal period = s->t[s->n - 1] - s->t[0];
      PetscReal cycles = floor((t - s->t[0]) / period);

      base = cycles * period;
      tt   = t - base;
    }
    { /* the first row after t, by bisection: a trace of a million rows is searched at every landing */
      PetscInt lo = 0, hi = s->n;

      while (lo < hi) {
        PetscInt mid = (lo + hi) / 2;

        if (s->t[mid] + base > t + eps) hi = mid;
        else lo = mid + 1;
      }
      if (lo < s->n) *t_next = s->t[lo] + base;
    }
    if (*t_next == PETSC_INFINITY && s->type == PH_SIGNAL_TRACE && s->repeat && s->n >= 2) *t_next = s->t[1] + base + (s->t[s->n - 1] - s->t[0]);
    (void)tt;
  } break;
  case PH_SIGNAL_SQUARE: {
    PetscReal k, start, rise, fall;

    if (t + eps < s->delay) {
      *t_next = s->delay;
      break;
    }
    k     = floor((t - s->delay) / s->period);
    start = s->delay + k * s->period;
    for (int c = 0; c < 3; c++, start += s->period) {
      rise = start;
      fall = start + s->duty * s->period;
      if (rise > t + eps && s->duty > 0) {
        *t_next = rise;
        break;
      }
      if (fall > t + eps && s->duty > 0 && s->duty < 1) {
        *t_next = fall;
        break;
      }
    }
  } break;
  default:
    break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The resolution of times near t (s): PH_TIME_RESOLUTION below 1 s, that fraction of |t| beyond. Two times
  closer than this are one instant to the time loop.

  Not collective.
**/
PetscReal PhTimeResolution(PetscReal t)
{
  return PH_TIME_RESOLUTION * PetscMax(1.0, PetscAbsReal(t));
}

/**
  @brief Whether the time loop can land on every change of the signal over [0, t_end]: the rows of a repeated trace
  and the edges of a square pattern stay further apart than the resolution of times at t_end (a trace's rows are
  checked where it is read, against their own times), and the signal changes at most PH_MAX_INPUT_CHANGES times.
  *row is the later of two rows too close, *changes the number of changes before t_end.

  Not collective.
**/
PhTiming PhSignalCheckTiming(const PhSignal *s, PetscReal t_end, PetscInt *row, PetscReal *changes)
{
  const PetscReal res = PhTimeResolution(t_end);

  *row     = -1;
  *changes = 0;
  if (!(t_end > 0)) return PH_TIMING_OK;
  if (s->type == PH_SIGNAL_TRACE && s->repeat && s->n >= 2) {
    for (PetscInt r = 1; r < s->n; r++)
      if (!(s->t[r] - s->t[r - 1] >= res)) {
        *row = r;
        return PH_TIMING_ROWS_TOO_CLOSE;
      }
    *changes = (PetscReal)(s->n - 1) * PetscMax(0.0, t_end - s->t[0]) / (s->t[s->n - 1] - s->t[0]);
  } else if (s->type == PH_SIGNAL_SQUARE && s->period > 0 && s->duty > 0 && s->high != s->low) {
    PetscBool both = (PetscBool)(s->duty < 1);

    if (!(s->period >= res) || (both && !(s->duty * s->period >= res && (1 - s->duty) * s->period >= res))) return PH_TIMING_EDGES_TOO_CLOSE;
    *changes = (both ? 2 : 1) * PetscMax(0.0, t_end - s->delay) / s->period;
  }
  return *changes > PH_MAX_INPUT_CHANGES ? PH_TIMING_TOO_MANY_CHANGES : PH_TIMING_OK;
}

/**
  @brief Whether the signal never changes in time.

  Not collective.
**/
PetscBool PhSignalIsConstant(const PhSignal *s)
{
  if (s->type == PH_SIGNAL_CONSTANT) return PETSC_TRUE;
  if (s->type == PH_SIGNAL_SQUARE) return (PetscBool)(s->high == s->low || s->duty == 0);
  if (s->type == PH_SIGNAL_SINE) return (PetscBool)(s->amplitude == 0);
  for (PetscInt r = 1; r < s->n; r++)
    if (s->v[r] != s->v[0]) return PETSC_FALSE;
  return PETSC_TRUE;
}

/**
  @brief The largest magnitude the signal takes, in its SI unit.

  Not collective.
**/
PetscReal PhSignalMaxAbs(const PhSignal *s)
{
  PetscReal m = 0;

  if (s->type == PH_SIGNAL_CONSTANT) return PetscAbsReal(s->value);
  if (s->type == PH_SIGNAL_SQUARE) return PetscMax(PetscAbsReal(s->high), PetscAbsReal(s->low));
  if (s->type == PH_SIGNAL_SINE) return PetscAbsReal(s->mean) + PetscAbsReal(s->amplitude);
  for (PetscInt r = 0; r < s->n; r++) m = PetscMax(m, PetscAbsReal(s->v[r]));
  return m;
}

/**
  @brief The time average of the signal over [t0, t1] (s), by the midpoint rule on 10^4 intervals.

  Not collective.
**/
PetscReal PhSignalMean(const PhSignal *s, PetscReal t0, PetscReal t1)
{
  const PetscInt n   = 10000;
  PetscReal      sum = 0;

  if (s->type == PH_SIGNAL_CONSTANT || !(t1 > t0)) return PhSignalEvaluate(s, t0);
  for (PetscInt i = 0; i < n; i++) sum += PhSignalEvaluate(s, t0 + (t1 - t0) * (i + 0.5) / n);
  return sum / n;
}

/**
  @brief Free the arrays and strings of a signal (the struct itself belongs to its owner).

  Not collective.
**/
PetscErrorCode PhSignalDestroyContents(PhSignal *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree2(s->t, s->v));
  PetscCall(PetscFree(s->file));
  PetscCall(PetscFree(s->column));
  PetscFunctionReturn(PETSC_SUCCESS);
}
