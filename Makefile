# Thin wrapper over CMake/CTest. Every target sets itself up on a fresh Debian 12 machine.
#   make test                 build and run the test suite
#   make update-goldens       rewrite the golden files (findings, stream checksums, CLI output)
#   make test-asan            the suite under AddressSanitizer + UBSan
#   make bench-allocs-check   the allocation gate (ALLOCATOR=glibc|mimalloc|jemalloc)
#   make bench-ratchet        lower ceilings to the current measurements (never raises)
#   make bench-explain DETECTOR=pod_evicted   where a detector's allocations come from
#   make bench-instr-check    the instruction gate (callgrind instr/event; targets at the end)
#   make bench-phases [DETECTOR=x]           phase profile: per-phase ns/event and allocs/event
#   make consumer-test        allocgate used by another project (find_package, add_subdirectory,
#                             FetchContent), from the installed build
#   make build | clean | format | format-check | tidy | hook-overhead
.DEFAULT_GOAL := test
.PHONY: deps configure build test update-goldens test-asan clean format format-check tidy \
        bench-build bench-allocs-check bench-ratchet bench-explain hook-overhead fuzz-smoke

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

SOURCES = $(shell git ls-files '*.cpp' '*.h' 2>/dev/null)

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -LE no_default

# Rewrites every golden file from what the code does now: each detector's findings, the corpus's
# whole-stream checksums, the CLIs' saved output. Review `git diff` before committing it.
update-goldens: build
	ALLOCGATE_UPDATE_GOLDEN=1 ctest --test-dir $(BUILD_DIR) -j $(JOBS) -LE 'no_default|no_asan' >/dev/null
	@git status --short -- '*testdata*' | sed 's/^/update-goldens: /'

ALLOCATOR ?= glibc
BENCH_TARGETS = detector_bench_$(ALLOCATOR) detector_bench_attribution ratchet

bench-build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(BENCH_TARGETS)

bench-allocs-check: bench-build
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) scripts/bench-allocs-check.sh check

bench-ratchet: bench-build
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) scripts/bench-allocs-check.sh tighten

bench-explain: bench-build
	@test -n "$(DETECTOR)" || { echo "usage: make bench-explain DETECTOR=pod_evicted" >&2; exit 2; }
	BUILD_DIR=$(BUILD_DIR) scripts/bench-allocs-check.sh explain $(DETECTOR)

# Phase profile (not the gate's numbers): make bench-phases [DETECTOR=x] [FORMAT=markdown]
.PHONY: bench-phases
bench-phases: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target detector_phases
	BUILD_DIR=$(BUILD_DIR) FORMAT=$(or $(FORMAT),text) scripts/bench-phases.sh $(DETECTOR)

# Sanitizer build: Clang, ASan + UBSan, optimized (the million-event state tests would take
# minutes at -O0), with libFuzzer's coverage instrumentation so that the same build also holds
# the fuzz targets: CI compiles the sources once for both `test-asan` and `fuzz-smoke`, and the
# suite runs under a second compiler (which is what keeps the corpus generator portable).
# Tests labelled no_asan cannot coexist with ASan's malloc interception and are excluded here
# (each says why in its CMakeLists.txt).
SANITIZE_BUILD_DIR ?= build-sanitize
FUZZ_TARGETS = $(patsubst %.cpp,%,$(notdir $(shell git ls-files '*_fuzz.cpp' 2>/dev/null)))

$(SANITIZE_BUILD_DIR)/CMakeCache.txt: | deps
	CC=clang CXX=clang++ cmake -S . -B $(SANITIZE_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DALLOCGATE_SANITIZE=ON -DALLOCGATE_FUZZ=ON -DALLOCGATE_BUILD_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link $(CMAKE_FLAGS)

test-asan: $(SANITIZE_BUILD_DIR)/CMakeCache.txt
	cmake --build $(SANITIZE_BUILD_DIR) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(SANITIZE_BUILD_DIR) --output-on-failure -j $(JOBS) -LE 'no_asan|no_default'

# libFuzzer targets (from the sanitizer build), each run briefly: no crash, no sanitizer report.
fuzz-smoke: $(SANITIZE_BUILD_DIR)/CMakeCache.txt
	cmake --build $(SANITIZE_BUILD_DIR) -j $(JOBS) --target corpus-gen $(FUZZ_TARGETS)
	scripts/fuzz-smoke.sh $(SANITIZE_BUILD_DIR)

hook-overhead: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	scripts/hook-overhead.sh $(BUILD_DIR)

format:
	clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run --Werror $(SOURCES) && echo "format-check: $(words $(SOURCES)) files clean"

tidy: configure
	clang-tidy -p $(BUILD_DIR) --quiet $(filter %.cpp,$(SOURCES))

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_BUILD_DIR)

# The consumer test: allocgate installed from $(BUILD_DIR), then used by the project in
# alloc_hooks/test/consumer through find_package, add_subdirectory and FetchContent.
.PHONY: consumer-test
consumer-test: build
	ALLOCGATE_INSTALL_FROM=$(BUILD_DIR) JOBS=$(JOBS) alloc_hooks/test/consumer/run.sh

# ---- Timing gates and history (benchhist; see README "Timing gates and history") ----
#   make bench-check                 ns/event against baselines/<platform>.json (hard gates fail)
#   make bench-baseline              capture baselines/<platform>.json and print what moved
#   N=20 make bench-cv-report        noise per benchmark over the last N runs: soft -> hard?
#   make bench-rolling-median METRIC=ns/event MAX=400 [BENCHMARK=BM_...] [N=10]
#   make bench-history-report        static HTML report of the history in $(BUILD_DIR)/bench-report
#   make lint-workflows              yamllint over .github/workflows
.PHONY: bench-check bench-baseline bench-cv-report bench-rolling-median bench-history-report \
        lint-workflows benchhist-build
N ?= 10
BENCHHIST = $(BUILD_DIR)/bin/benchhist

benchhist-build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target benchhist

bench-check: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target detector_bench_$(ALLOCATOR) benchhist
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) scripts/bench-check.sh

bench-baseline: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target detector_bench_$(ALLOCATOR) benchhist
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) scripts/capture-baseline.sh

bench-cv-report: benchhist-build
	$(BENCHHIST) cv --last $(N)

bench-rolling-median: benchhist-build
	@test -n "$(MAX)" || { echo "usage: make bench-rolling-median METRIC=ns/event MAX=<budget> [BENCHMARK=BM_...] [N=10]" >&2; exit 2; }
	$(BENCHHIST) median --last $(N) --metric "$(or $(METRIC),ns/event)" --max $(MAX) \
	  $(if $(BENCHMARK),--benchmark $(BENCHMARK))

bench-history-report: benchhist-build
	$(BENCHHIST) report --out $(BUILD_DIR)/bench-report

lint-workflows:
	@command -v yamllint >/dev/null || { echo "lint-workflows: yamllint missing: scripts/install-deps.sh --with-optional" >&2; exit 2; }
	yamllint --strict -d '{extends: default, rules: {line-length: {max: 120}, truthy: {check-keys: false}, document-start: disable}}' .github/workflows

# ---- The instruction gate (callgrind; see README "The instruction gate") ----
#   make bench-instr-check            instr/event against baselines/instr-ceilings.txt (exit 0/1/2)
#   make bench-instr-tighten          lower instruction ceilings to the measurements (never raises)
#   make bench-instr-restamp REASON="..."   re-record the ceilings on this platform
#   make bench-instr-explain BENCHMARK=BM_X [BASE=profile file or folder]   by function
.PHONY: bench-instr-build bench-instr-check bench-instr-tighten bench-instr-restamp \
        bench-instr-explain
INSTR_TARGETS = detector_instr_count_$(ALLOCATOR) instr-report ratchet

bench-instr-build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(INSTR_TARGETS)

bench-instr-check: bench-instr-build
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) scripts/bench-instr-check.sh check

bench-instr-tighten: bench-instr-build
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) scripts/bench-instr-check.sh tighten

bench-instr-restamp: bench-instr-build
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) REASON="$(REASON)" scripts/bench-instr-check.sh restamp

bench-instr-explain: bench-instr-build
	@test -n "$(or $(BENCHMARK),$(DETECTOR))" || { echo "usage: make bench-instr-explain BENCHMARK=BM_PodEvictedDetector (or DETECTOR=pod_evicted) [BASE=...]" >&2; exit 2; }
	BUILD_DIR=$(BUILD_DIR) ALLOCATOR=$(ALLOCATOR) BASE="$(BASE)" FORMAT=$(or $(FORMAT),text) \
	  scripts/bench-instr-check.sh explain $(or $(BENCHMARK),$(DETECTOR))
