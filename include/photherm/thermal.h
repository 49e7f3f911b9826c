/*
  photherm/thermal.h - the thermal model of DESIGN §5: cell-centred finite volumes on a PETSc DMDA, its temperature
  field and the integrator that advances it.

  C dT/dt = -A(T) T + b(t, T): C the cell capacitances rho*cp*V, A the conductance matrix (series half-cell
  resistances between cells, boundary conductances on its diagonal), b the heat of the sources (with leakage) and
  the boundary terms (ambient and surface temperatures, fluxes, the coolant of cold plates, which depends on T along
  its flow). Temperatures are in kelvin.

  Layer: thermal owns the DMDA, the operators, the temperature field T, the reference temperature the solvers work
  from, the time integrator (PETSc TS, created and configured here only) and the energy integrals of its quadrature;
  it gives the statistics of the field that need its grid (box maxima and means, the peak, the energy balance). It
  may call case and mesh (below it), never links, output or sim (above it). A run sets the initial field through
  PhThermalGetTemperature(), calls PhThermalStart() once, then PhThermalAdvance() to each landing time; the time of
  every change of an input (powers, ambients) is found here, so callers land only where they want output.

  Ownership: PhThermalCreate() gives the caller an object to destroy with PhThermalDestroy(). The case and mesh are
  borrowed and must outlive it. Vectors handed out by getters belong to the object.
*/
#pragma once

#include <petscdmda.h>
#include <petscts.h>
#include <photherm/case.h>
#include <photherm/mesh.h>

typedef struct _p_PhThermal *PhThermal;

/* Heat balance terms at one instant, all ranks reduced: the integrands of the energy balance. */
typedef struct {
  PetscReal generated; /* power of all sources including leakage and extra heat, W */
  PetscReal out;       /* power leaving through convection and fixed-temperature faces and into the coolant of cold plates, W */
  PetscReal flux_in;   /* power entering through flux faces, W */
  PetscReal residual;  /* sum of the residual of the discrete equations at this state, W */
} PhHeatRates;

/* Called after every accepted step of the integrator (progress reports). */
typedef PetscErrorCode PhThermalMonitorFn(void *ctx, PetscReal t, PetscInt steps);

PH_EXTERN PetscErrorCode PhThermalCreate(MPI_Comm comm, PhCase problem, PhMesh mesh, PhThermal *thermal);
PH_EXTERN PetscErrorCode PhThermalSetFromOptions(PhThermal thermal);
PH_EXTERN PetscErrorCode PhThermalGetDM(PhThermal thermal, DM *da);
PH_EXTERN PetscErrorCode PhThermalGetOwnedBox(PhThermal thermal, PhIndexBox *owned);
PH_EXTERN PetscErrorCode PhThermalGetCapacity(PhThermal thermal, Vec *capacity);
PH_EXTERN PetscErrorCode PhThermalGetVolume(PhThermal thermal, Vec *volume);
PH_EXTERN PetscErrorCode PhThermalGetTemperature(PhThermal thermal, Vec *T);
PH_EXTERN PetscErrorCode PhThermalStart(PhThermal thermal, PetscBool steady);
PH_EXTERN PetscErrorCode PhThermalAdvance(PhThermal thermal, PetscReal t_land);
PH_EXTERN PetscErrorCode PhThermalGetTime(PhThermal thermal, PetscReal *t, PetscInt *steps);
PH_EXTERN PetscErrorCode PhThermalSetMonitor(PhThermal thermal, PhThermalMonitorFn *monitor, void *ctx);
PH_EXTERN PetscErrorCode PhThermalSetReportBoxes(PhThermal thermal, PetscInt nbox, const PhIndexBox boxes[]);
PH_EXTERN PetscErrorCode PhThermalReportStats(PhThermal thermal, PetscReal tmax[], PetscReal tmean[]);
PH_EXTERN PetscErrorCode PhThermalPeak(PhThermal thermal, PetscReal *value, PetscInt *natural);
PH_EXTERN PetscErrorCode PhThermalEnergyError(PhThermal thermal, PetscReal *error);
PH_EXTERN PetscErrorCode PhThermalEnergyCheck(PhThermal thermal);
PH_EXTERN PetscErrorCode PhThermalGetReference(PhThermal thermal, PetscReal *t_ref);
PH_EXTERN PetscErrorCode PhThermalSetHeatInputs(PhThermal thermal, PetscInt ninput, PetscInt nentry, const PetscInt cell[], const PetscInt input[],
                                                const PetscReal weight[], const PetscReal magnitude[]);
PH_EXTERN PetscErrorCode PhThermalSetHeatPowers(PhThermal thermal, const PetscReal power[]);
PH_EXTERN PetscErrorCode PhThermalInputMeans(PhThermal thermal, Vec T, PetscReal mean[]);
PH_EXTERN PetscErrorCode PhThermalSolveInputResponse(PhThermal thermal, const PetscReal power[], Vec rise);
PH_EXTERN PetscErrorCode PhThermalSourcePowers(PhThermal thermal, PetscReal t, Vec T, PetscBool left, PetscReal power[], PetscReal leakage[]);
PH_EXTERN PetscErrorCode PhThermalPowerDensity(PhThermal thermal, PetscReal t, Vec T, Vec density);
PH_EXTERN PetscErrorCode PhThermalRates(PhThermal thermal, PetscReal t, Vec T, PetscBool left, PhHeatRates *rates);
PH_EXTERN PetscErrorCode PhThermalSteadyResidual(PhThermal thermal, PetscReal t, Vec T, Vec F);
PH_EXTERN PetscErrorCode PhThermalSolveSteady(PhThermal thermal, PetscReal t, Vec T);
PH_EXTERN PetscErrorCode PhThermalSolveResponse(PhThermal thermal, Vec heat, Vec rise);
PH_EXTERN PetscErrorCode PhThermalGetColdPlates(PhThermal thermal, PetscInt *n, const char *names[], PetscInt npoints[]);
PH_EXTERN PetscErrorCode PhThermalColdPlatePositions(PhThermal thermal, PetscInt plate, const PetscReal **position);
PH_EXTERN PetscErrorCode PhThermalColdPlateState(PhThermal thermal, PetscReal outlet[], PetscReal heat[], PetscReal *profile[]);
PH_EXTERN PetscErrorCode PhThermalGetReducedInfo(PhThermal thermal, PetscInt *basis, PetscInt *shifts, PetscReal *build_time, PetscReal *estimate,
                                                 PetscReal *freeze_error, PetscReal *check_window, PetscReal *check_error);
PH_EXTERN PetscErrorCode PhThermalSetReducedForReuse(PhThermal thermal);
PH_EXTERN PetscErrorCode PhThermalSaveReduced(PhThermal thermal, const char path[]);
PH_EXTERN PetscErrorCode PhThermalCheckReducedModel(PhThermal thermal, char why[], size_t len);
PH_EXTERN PetscErrorCode PhThermalDestroy(PhThermal *thermal);
