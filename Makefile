# The two README commands, and a few conveniences. Everything real is in CMake; this file only
# chains "install what is missing -> configure -> build -> run".
#   make run    build in Release and run the default scenario (results in results/stargate/)
#   make test   build the CI configuration and run the whole test suite with ctest, then
#               make test-sanitize and make test-fuzz
#   make test-sanitize   the same suite built with clang 14, ASan and UBSan (preset asan)
#   make test-fuzz       each libFuzzer target for FUZZ_SECONDS (tests/fuzz/README.md)
#   make bench-ci   benchmark subset + scenario runs vs a stored baseline (bench/README.md)
PRESET ?= release
SCENARIO ?= configs/scenarios/stargate.yaml
JOBS ?= 2
FUZZ_SECONDS ?= 20

.PHONY: deps build run test test-sanitize test-fuzz bench bench-ci clean

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	build/$(PRESET)/fleetsim run $(SCENARIO)

# Stages in order (sub-makes, so `make -j` cannot interleave them).
test: deps
	cmake --preset ci
	cmake --build --preset ci -j $(JOBS)
	ctest --preset ci -j $(JOBS)
	$(MAKE) --no-print-directory test-sanitize
	$(MAKE) --no-print-directory test-fuzz

test-sanitize: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

test-fuzz: deps
	cmake --preset asan -DFLEETSIM_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build --preset asan -j $(JOBS)
	ctest --preset fuzz -j $(JOBS)

bench: build
	build/$(PRESET)/bench/fleetsim_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

# Ratios of medians against a baseline measured on the same machine with the same preset.
BENCH_BASELINE ?= bench/baselines/dev-vm-$(PRESET).json
bench-ci: build
	python3 scripts/bench_ci.py run --build build/$(PRESET) --out build/$(PRESET)/bench-ci.json \
	  --baseline $(BENCH_BASELINE)

clean:
	rm -rf build results
