# Switchboard: the two commands of the README.
#   make start  - install what is missing, build, start the chat example on the embedded default
#   make test   - install what is missing, build, run every test (unit + integration + browser e2e)
#   make sanitize - the unit and integration tests against an ASan + UBSan build (docs/testing.md)
#   make fuzz     - every libFuzzer target for FUZZ_TIME seconds (docs/fuzzing.md)
#   make install  - install under PREFIX (/usr/local), DESTDIR honoured (docs/install.md)
#   make package  - the Debian package build/switchboard_<version>_<arch>.deb (docs/install.md)
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: all deps build start service cluster-demo test unit-test integration-test e2e-test format clean
.PHONY: install package
PREFIX ?= /usr/local

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The chat example (examples/chat): open http://localhost:7071/
start: build
	./$(BUILD_DIR)/switchboard start examples/chat

service: build
	./$(BUILD_DIR)/switchboard service

# Redis, three nodes and the chat example across them (docs/cluster.md): open http://localhost:7071/
cluster-demo: build
	SWITCHBOARD_BIN=./$(BUILD_DIR)/switchboard ./scripts/cluster-demo.sh

# node --test with a bound on each test: a test that hangs fails after 10 minutes instead of holding
# the run (and CI) forever.
NODE_TEST = node --test --test-concurrency=1 --test-timeout=600000

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

integration-test: build
	$(NODE_TEST) tests/integration/

# The chat example in Debian's chromium (playwright-core); screenshots in $(BUILD_DIR)/e2e-screenshots/
e2e-test: build
	$(NODE_TEST) tests/e2e/

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)
	$(NODE_TEST) tests/integration/
	$(NODE_TEST) tests/e2e/
	@$(MAKE) --no-print-directory fuzz-test

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD_DIR) --prefix $(PREFIX)

package: build
	cd $(BUILD_DIR) && cpack -G DEB

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR)

# Benchmarks (bench/, docs/benchmarks.md): never part of `make test`. The load client is configured
# in only for this target (-DSWITCHBOARD_BENCH=ON), then the option is switched back off so that
# the normal build does not compile it. BENCH_ARGS go to bench/run.py (e.g. --quick, --runs 5).
BENCH_ARGS ?=

.PHONY: bench
bench: build
	@./bench/install.sh
	@cmake -S . -B $(BUILD_DIR) -DSWITCHBOARD_BENCH=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target switchboard-loadclient bare-fanout rest-floor negotiate-cpp
	@cmake -S . -B $(BUILD_DIR) -DSWITCHBOARD_BENCH=OFF >/dev/null
	python3 bench/run.py $(BENCH_ARGS)

# The metrics counters' cost per received message (bench/counters/counter_cost.cpp,
# docs/metrics.md): built like the load client, then run (three rounds, medians).
.PHONY: bench-counters
bench-counters: build
	@cmake -S . -B $(BUILD_DIR) -DSWITCHBOARD_BENCH=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target counter-cost
	@cmake -S . -B $(BUILD_DIR) -DSWITCHBOARD_BENCH=OFF >/dev/null
	$(BUILD_DIR)/bench/counter-cost

# The sanitized build (docs/testing.md): clang with ASan + UBSan, and libFuzzer coverage for the
# fuzz targets when they exist (SWITCHBOARD_FUZZ), in one build directory of its own.
SAN_BUILD_DIR ?= build-san
# The integration test files `make sanitize` runs (files or directories, for node --test).
SANITIZE_INTEGRATION ?= tests/integration/

.PHONY: san-configure san-build sanitize
san-configure: deps
	@CC=clang CXX=clang++ cmake -S . -B $(SAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSWITCHBOARD_SANITIZE=ON -DSWITCHBOARD_FUZZ=ON >/dev/null

san-build: san-configure
	@cmake --build $(SAN_BUILD_DIR) -j$(JOBS)

# Unit tests + SANITIZE_INTEGRATION against the sanitized binary; fails on a test failure or on
# any sanitizer report (written to $(SAN_BUILD_DIR)/sanitizer-logs/, printed at the end).
sanitize: san-build
	JOBS=$(JOBS) ./scripts/sanitize.sh $(SAN_BUILD_DIR) $(SANITIZE_INTEGRATION)

# The libFuzzer targets (tests/fuzz, docs/fuzzing.md), in the sanitized build directory.
# fuzz-test (part of `make test`): each target over its committed corpus, then a few seconds of
# fuzzing; fuzz: each target for FUZZ_TIME seconds, new inputs kept in $(SAN_BUILD_DIR)/fuzz-corpus/.
FUZZ_TIME ?= 60
FUZZ_TARGETS ?=

.PHONY: fuzz-targets fuzz fuzz-test
fuzz-targets: san-configure
	@cmake --build $(SAN_BUILD_DIR) -j$(JOBS) --target fuzz-targets

fuzz-test: fuzz-targets
	./scripts/fuzz.sh test $(SAN_BUILD_DIR) $(FUZZ_TARGETS)

fuzz: fuzz-targets
	./scripts/fuzz.sh run $(SAN_BUILD_DIR) $(FUZZ_TIME) $(FUZZ_TARGETS)
