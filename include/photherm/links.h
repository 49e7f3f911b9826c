/*
  photherm/links.h - the optics of a run (PHYSICS §2-§5): ring and laser temperatures from the thermal field, locking
  at every series sample, heater and laser heat fed back into the mesh until the next sample, the steady fixed point,
  the self-response R_ii of each ring slice, the optics series and the link and yield metrics.

  Layer: links owns the lock and relock state of every ring and line, the heat it feeds back (handed to thermal with
  PhThermalSetExtraHeat()), and its columns of the series table. It may call case, mesh, optics (the device models),
  output (the series table and the summary) and thermal (temperatures, steady solves); it never sees the run (sim).
  Devices are the rings of all groups in case order (global ring index), then the lasers; lines are those of all
  links in case order.

  Ownership: PhLinksCreate() gives the caller an object to destroy with PhLinksDestroy(); it is NULL for a case without
  links, and every function accepts NULL and then does nothing (PhLinksSolveSteady() only solves). The case, mesh,
  thermal model and series table are borrowed and must outlive it.
*/
#pragma once

#include <photherm/output.h>
#include <photherm/thermal.h>

typedef struct _p_PhLinks *PhLinks;

PH_EXTERN PetscErrorCode PhLinksCreate(MPI_Comm comm, PhCase problem, PhMesh mesh, PhThermal thermal, PhSeries series, PhLinks *links);
PH_EXTERN PetscErrorCode PhLinksSolveSteady(PhLinks links, PhThermal thermal);
PH_EXTERN PetscErrorCode PhLinksRestore(PhLinks links, hid_t file, const char name[], PetscReal t_snap);
PH_EXTERN PetscErrorCode PhLinksSample(PhLinks links, PetscReal t);
PH_EXTERN PetscErrorCode PhLinksWriteSummary(PhLinks links, PhOutput out);
PH_EXTERN PetscErrorCode PhLinksDestroy(PhLinks *links);
PH_EXTERN PetscErrorCode PhLinksSeriesWidth(PhCase problem, PetscInt *width);
