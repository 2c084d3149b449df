# Switchboard: the two commands of the README.
#   make start  - install what is missing, build, start the chat example on the embedded default
#   make test   - install what is missing, build, run every test (unit + integration)
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: all deps build start service test unit-test integration-test format clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Until the functions host lands, `make start` runs the service alone.
start: build
	./$(BUILD_DIR)/switchboard service

service: build
	./$(BUILD_DIR)/switchboard service

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

integration-test: build
	node --test --test-concurrency=1 tests/integration/

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)
	node --test --test-concurrency=1 tests/integration/

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR)
