# The two set-up commands (README.md): `make run` and `make test`. Both install what is missing.
JOBS ?= 2
DATA_DIR ?= ./data

.PHONY: deps build-release build-dev run test fuzz clean

deps:
	./scripts/install-deps.sh

build-release: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS) --target tracehouse

build-dev: deps
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)

# Starts `tracehouse serve` with the embedded default: data in ./data, no config.
run: build-release
	./build/release/src/app/tracehouse serve --data-dir $(DATA_DIR)

# Builds the dev preset (Debug + ASan + UBSan) and runs every test with ctest, in parallel.
test: build-dev
	cd build/dev && ctest -j $(JOBS) --output-on-failure --timeout 600

# libFuzzer targets (clang); run one with e.g. build/fuzz/src/model/otlp_proto_fuzz -max_total_time=60
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)

clean:
	rm -rf build
