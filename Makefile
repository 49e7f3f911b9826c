# photherm - parallel finite-volume heat flow in chip-package stacks with co-packaged optics.
# Targets: all (default), run, test, verify-long, bench, fuzz, sanitize, deps, install, format, check-format, clean.
# Variables: V=1 verbose, search=PATTERN selects regression tests, quick=1 runs the short benchmarks,
#            examples=2d,2p5d,3d and end=1s for make verify-long,
#            FUZZ_TIME=S seconds per fuzz target (default 180), SANITIZE_TESTS="GLOB ..." the tests of make sanitize,
#            PETSC_DIR/PETSC_ARCH for an own PETSc build (HDF5_PKG=hdf5 when its HDF5 is not Debian's hdf5-openmpi),
#            PREFIX (default /usr/local) and DESTDIR for make install. They may also be set in config.mk.

CC           = mpicc
PYTHON       = /usr/bin/python3
CLANG_FORMAT ?= clang-format-14
HDF5_PKG     ?= hdf5-openmpi
PKGS         = PETSc $(HDF5_PKG) yaml-0.1
PREFIX       ?= /usr/local
CFLAGS_WARN  = -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wvla -Werror
CFLAGS_OPT   ?= -O2 -g
Q            = $(if $(V),,@)

-include config.mk

ifneq ($(PETSC_DIR),)
  export PKG_CONFIG_PATH := $(PETSC_DIR)/$(PETSC_ARCH)/lib/pkgconfig:$(PETSC_DIR)/lib/pkgconfig:$(PKG_CONFIG_PATH)
endif

SRC      = $(filter-out src/main.c src/launch.c,$(wildcard src/*.c))
OBJ      = $(SRC:src/%.c=build/%.o)
TEST_SRC = $(wildcard tests/unit/*.c)
TEST_OBJ = $(TEST_SRC:tests/unit/%.c=build/tests/%.o)
FORMAT_FILES = $(wildcard src/*.c src/*.h include/photherm/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h benchmarks/*.c)

NO_CONFIG_GOALS = clean deps format check-format
ifeq ($(filter $(NO_CONFIG_GOALS),$(MAKECMDGOALS)),)
  # Generated once: installs missing Debian packages (when apt is available) and records pkg-config flags; generated
  # again when PETSC_DIR, PETSC_ARCH or HDF5_PKG change.
  -include build/config.mk
  ifneq ($(PH_CONFIG_FOR),$(PETSC_DIR):$(PETSC_ARCH):$(HDF5_PKG))
    PH_CONFIG_FORCE = FORCE  # remade (not .PHONY: make never remakes a phony included makefile, so a fresh clone had none)
  endif
endif

.PHONY: all run test verify-long test-unit test-regress bench fuzz sanitize deps install format check-format clean FORCE
.DEFAULT_GOAL := all

all: bin/photherm libexec/photherm/photherm lib/libphotherm.a

FORCE:

build/config.mk: scripts/install-deps.sh Makefile $(PH_CONFIG_FORCE)
	$(Q)$(if $(PETSC_DIR),,./scripts/install-deps.sh --if-missing)
	$(Q)mkdir -p build
	$(Q)pkg-config --exists $(PKGS) || { echo "photherm: pkg-config cannot find $(PKGS); run 'make deps' or set PETSC_DIR/PETSC_ARCH" >&2; exit 1; }
	$(Q)printf 'PH_CONFIG_FOR := %s\nPH_CFLAGS := %s\nPH_LIBS := %s\nCHECK_CFLAGS := %s\nCHECK_LIBS := %s\nPH_GIT := %s\n' \
	  "$(PETSC_DIR):$(PETSC_ARCH):$(HDF5_PKG)" "$$(pkg-config --cflags $(PKGS))" "$$(pkg-config --libs $(PKGS)) $$(pkg-config --libs-only-l --static PETSc | tr ' ' '\n' | grep -E '^-l(lapack|blas|openblas|flapack|fblas|mkl_[a-z_0-9]+)$$' | tr '\n' ' ') -lm" \
	  "$$(pkg-config --cflags check 2>/dev/null)" "$$(pkg-config --libs check 2>/dev/null)" \
	  "$$(git describe --always --dirty 2>/dev/null || echo unknown)" > $@

ALL_CFLAGS = $(CFLAGS_WARN) $(CFLAGS_OPT) -Iinclude $(PH_CFLAGS) $(CFLAGS)

build/%.o: src/%.c $(wildcard include/photherm/*.h src/*.h) build/config.mk
	@mkdir -p $(@D)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -DPH_GIT_DESCRIBE='"$(PH_GIT)"' -c $< -o $@

lib/libphotherm.a: $(OBJ)
	@mkdir -p $(@D)
	$(if $(V),,@echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

# bin/photherm is a launcher that links the C library only (src/launch.c: it asks for huge pages, then starts the
# program); the program, which loads MPI, PETSc and HDF5, is libexec/photherm/photherm.
LAUNCH_CC ?= cc
bin/photherm: src/launch.c libexec/photherm/photherm
	@mkdir -p $(@D)
	$(if $(V),,@echo "  LD      $@")
	$(Q)$(LAUNCH_CC) $(CFLAGS_WARN) $(CFLAGS_OPT) $(CFLAGS) -o $@ src/launch.c $(LDFLAGS)

libexec/photherm/photherm: build/main.o lib/libphotherm.a
	@mkdir -p $(@D)
	$(if $(V),,@echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< lib/libphotherm.a $(PH_LIBS) $(LDFLAGS)

build/tests/%.o: tests/unit/%.c $(wildcard include/photherm/*.h src/*.h tests/unit/*.h) build/config.mk
	@mkdir -p $(@D)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Isrc -c $< -o $@

build/test_unit: $(TEST_OBJ) lib/libphotherm.a
	$(if $(V),,@echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(TEST_OBJ) lib/libphotherm.a $(PH_LIBS) $(CHECK_LIBS) $(LDFLAGS)

# The unit tests (Check) and the command-line and regression tests; the last line is "N passed, N failed".
# The tools the tests use (pvpython, Xvfb, h5diff, ...) are installed first when missing: a missing tool fails its test.
test: bin/photherm build/test_unit
	$(Q)$(if $(PETSC_DIR),,./scripts/install-deps.sh --if-missing)
	$(Q)$(PYTHON) tests/run.py $(if $(search),--search '$(search)')

# The reduced model against tightly solved full runs of the shipped examples over 1 s (tests/README.md, "The reduced
# model on the shipped examples"): about 40 min of CPU, one example at a time on 1 rank, so not part of make test.
verify-long: bin/photherm
	$(Q)nice $(PYTHON) tests/long/examples_window.py $(if $(examples),--examples $(examples)) $(if $(end),--end $(end))

test-unit: build/test_unit
	$(Q)./build/test_unit

test-regress: bin/photherm
	$(Q)$(PYTHON) tests/run.py --no-unit $(if $(search),--search '$(search)')

run: bin/photherm
	$(Q)./scripts/run-example.sh

bench: bin/photherm
	$(Q)$(PYTHON) benchmarks/run.py $(if $(quick),--quick)

deps:
	./scripts/install-deps.sh

# The ASan + UBSan build (build/sanitize/: its own objects, bin/photherm and test_unit) and the tests it runs: every unit
# test, then the regression and verification tests whose names match SANITIZE_TESTS (tests/README.md, "Sanitizers").
# A sanitizer report fails the run that printed it (halt_on_error: exit status 1 or a signal). Leaks are left to PETSc's
# -malloc_dump tests, which stay in the suite, and to the fuzzers' LeakSanitizer: LSan here would need the slow unwinder
# to tell MPI's start-up allocations from photherm's (7 s instead of 1.5 s for one check). PETSc's signal handler is
# off so that ASan sees a crash first.
SANITIZE_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SANITIZE_TESTS ?= $(addprefix tests/regress/errors/,several_errors parameter_ trace_ yaml_ unit_ value_ include_ alias grid_ geometry \
                  control invalid_utf8 name_with binary) tests/regress/warnings/ cases/first test_slab test_energy test_faults
SANITIZE_ENV   = PHOTHERM_BIN=$(CURDIR)/build/sanitize/bin/photherm PHOTHERM_UNIT=$(CURDIR)/build/sanitize/test_unit PHOTHERM_TIMEOUT_SCALE=5 \
                 PETSC_OPTIONS=-no_signal_handler \
                 ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=0 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
SANITIZE_OBJ   = $(SRC:src/%.c=build/sanitize/obj/%.o)
.SECONDARY: $(SANITIZE_OBJ) build/sanitize/obj/main.o

build/sanitize/obj/%.o: src/%.c $(wildcard include/photherm/*.h src/*.h) build/config.mk
	@mkdir -p $(@D)
	$(if $(V),,@echo "  CC      $< (sanitize)")
	$(Q)$(CC) $(CFLAGS_WARN) $(SANITIZE_FLAGS) -Iinclude $(PH_CFLAGS) -DPH_GIT_DESCRIBE='"$(PH_GIT)"' -c $< -o $@

build/sanitize/tests/%.o: tests/unit/%.c $(wildcard include/photherm/*.h src/*.h tests/unit/*.h) build/config.mk
	@mkdir -p $(@D)
	$(if $(V),,@echo "  CC      $< (sanitize)")
	$(Q)$(CC) $(CFLAGS_WARN) $(SANITIZE_FLAGS) -Iinclude $(PH_CFLAGS) $(CHECK_CFLAGS) -Isrc -c $< -o $@

build/sanitize/bin/photherm: build/sanitize/obj/main.o $(SANITIZE_OBJ)
	@mkdir -p $(@D)
	$(if $(V),,@echo "  LD      $@")
	$(Q)$(CC) $(SANITIZE_FLAGS) -o $@ $^ $(PH_LIBS) $(LDFLAGS)

build/sanitize/test_unit: $(TEST_SRC:tests/unit/%.c=build/sanitize/tests/%.o) $(SANITIZE_OBJ)
	$(if $(V),,@echo "  LD      $@")
	$(Q)$(CC) $(SANITIZE_FLAGS) -o $@ $^ $(PH_LIBS) $(CHECK_LIBS) $(LDFLAGS)

sanitize: build/sanitize/bin/photherm build/sanitize/test_unit
	$(Q)$(SANITIZE_ENV) $(PYTHON) tests/run.py --unit --search '$(if $(search),$(search),$(SANITIZE_TESTS))'

# libFuzzer harnesses (tests/fuzz/, clang-14 and libclang-rt-14-dev) of the case loader, the CSV trace parser and the
# units parser, built with ASan and UBSan; `make fuzz` runs each for FUZZ_TIME seconds from seeds taken from cases/ and
# tests/ and the committed regression inputs (tests/fuzz/regress/TARGET/). A crash, a hang (> 2 s for one input) or
# more than 2 GiB fails it (FUZZ_HANG=S: the seconds one input may take, default 5), with the input in build/fuzz/crashes/.
FUZZ_TIME    ?= 180
FUZZ_CLANG   ?= clang-14
FUZZ_TARGETS = case trace units
FUZZ_FLAGS   = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ     = $(SRC:src/%.c=build/fuzz/obj/%.o)
.SECONDARY: $(FUZZ_OBJ)

build/fuzz/obj/%.o: src/%.c $(wildcard include/photherm/*.h src/*.h) build/config.mk
	@mkdir -p $(@D)
	$(if $(V),,@echo "  CC      $< (fuzz)")
	$(Q)OMPI_CC=$(FUZZ_CLANG) $(CC) $(CFLAGS_WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Iinclude $(PH_CFLAGS) -DPH_GIT_DESCRIBE='"$(PH_GIT)"' -c $< -o $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(if $(V),,@echo "  LD      $@")
	$(Q)OMPI_CC=$(FUZZ_CLANG) $(CC) $(CFLAGS_WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer -Iinclude $(PH_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(PH_LIBS)

fuzz: $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
	$(Q)$(PYTHON) tests/fuzz/seeds.py build/fuzz/seeds
	$(Q)./tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_TARGETS)

# photherm, the scripts (with photherm-scan, photherm-plot-scan and photherm-plot-run on PATH), the material library
# and the example cases; render_slice.py runs with pvpython from $(PREFIX)/share/photherm/scripts.
SHARE = $(DESTDIR)$(PREFIX)/share/photherm
install: bin/photherm
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/scripts $(SHARE)/meshes $(SHARE)/cases/traces $(SHARE)/cases/scans
	install -d $(DESTDIR)$(PREFIX)/libexec/photherm
	install -m 755 bin/photherm $(DESTDIR)$(PREFIX)/bin/photherm
	install -m 755 libexec/photherm/photherm $(DESTDIR)$(PREFIX)/libexec/photherm/photherm
	install -m 755 scripts/scan.py scripts/plot_scan.py scripts/plot_run.py scripts/render_slice.py scripts/make_traces.py $(SHARE)/scripts
	install -m 644 meshes/materials.yaml $(SHARE)/meshes
	install -m 644 cases/*.yaml cases/README.md $(SHARE)/cases
	install -m 644 cases/traces/*.csv $(SHARE)/cases/traces
	install -m 644 cases/scans/*.yaml $(SHARE)/cases/scans
	ln -sf ../share/photherm/scripts/scan.py $(DESTDIR)$(PREFIX)/bin/photherm-scan
	ln -sf ../share/photherm/scripts/plot_scan.py $(DESTDIR)$(PREFIX)/bin/photherm-plot-scan
	ln -sf ../share/photherm/scripts/plot_run.py $(DESTDIR)$(PREFIX)/bin/photherm-plot-run
	@echo "photherm: installed $(PREFIX)/bin/photherm, photherm-scan, photherm-plot-scan, photherm-plot-run and $(PREFIX)/share/photherm"

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

check-format:
	@command -v $(CLANG_FORMAT) >/dev/null || { echo "photherm: $(CLANG_FORMAT) not found; run 'make deps'" >&2; exit 1; }
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build bin libexec lib tests/regress/work
