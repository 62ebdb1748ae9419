# jiesu — the two commands of DESIGN §6.1, and the steps behind them.
#   make run    install what is missing, build (Release), fill jiesu.db with demo data, serve :8080
#   make test   install what is missing, build (Debug + ASan/UBSan), run every test, then each
#               fuzzer briefly (clang, build-fuzz)
JOBS ?= $(shell nproc)
RELEASE_DIR := build
TEST_DIR := build-test
BENCH_DIR := build-bench
FUZZ_DIR := build-fuzz
# The category model: trained from the shared requests when they are present (they are not part
# of the repository), else the catalogue's keywords propose categories alone.
REQUESTS ?= ../shared/data/requests
MODEL := $(RELEASE_DIR)/category.model

.PHONY: run test deps build build-test model web bench bench-scale fuzz-smoke fuzz clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIESU_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS)

model: build
	@if [ ! -f $(MODEL) ] && [ -f $(REQUESTS)/labelled-train.csv ]; then \
	  $(RELEASE_DIR)/jiesu model train --data $(REQUESTS)/labelled-train.csv \
	    --pretrain $(REQUESTS)/unlabelled.csv $(REQUESTS)/replied.csv \
	    --taxonomy $(REQUESTS)/taxonomy.csv --out $(MODEL); \
	fi

# The screens (web/, npm: Vite, ECharts, Leaflet) built into web/dist, which jiesu serves.
web: deps
	@scripts/web-build.sh

run: build model web
	$(RELEASE_DIR)/jiesu demo --db sqlite:jiesu.db --listen 127.0.0.1:8080 \
	  $$([ -f $(MODEL) ] && echo --model $(MODEL))

build-test: deps
	@cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DJIESU_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

test: build-test web
	cd $(TEST_DIR) && ctest --output-on-failure
	$(MAKE) fuzz-smoke

# Benchmarks (docs/benchmarks.md): dispatch latency, the classifier against fastText, intake
# against its HTTP and storage ceilings on SQLite and PostgreSQL.
bench: model
	@cmake -S . -B $(BENCH_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIESU_TESTS=OFF \
	  -DJIESU_BENCHMARKS=ON >/dev/null
	@cmake --build $(BENCH_DIR) -j $(JOBS) --target jiesu_dispatch_benchmark
	JIESU_BENCH_MODEL=$(MODEL) taskset -c 0 $(BENCH_DIR)/jiesu_dispatch_benchmark
	python3 bench/classifier_baseline.py --jiesu $(RELEASE_DIR)/jiesu
	python3 bench/intake_bench.py --jiesu $(RELEASE_DIR)/jiesu

# The read paths at 10 million cases (docs/benchmarks.md "At scale"): fills SCALE_DB once (about
# 30 min and 28 GB; remove the file to make it again), then measures (about 25 min: the 60-month
# trend reads the whole file, and so does a search baseline).
SCALE_DB ?= $(BENCH_DIR)/scale.db
bench-scale: build
	@mkdir -p $(dir $(SCALE_DB))
	@[ -f $(SCALE_DB) ] || $(RELEASE_DIR)/jiesu demo --db sqlite:$(SCALE_DB) --months 60 \
	  --cases 10000000 --no-serve
	python3 bench/scale_bench.py --db sqlite:$(SCALE_DB) --repeat 3 --requests 50 --base-requests 2

# libFuzzer targets (fuzz/README.md): each briefly over its seeds and regressions (FUZZ_SECONDS,
# default 20 s each), or for long runs (10 minutes each).
fuzz-smoke: deps
	FUZZ_BUILD_DIR=$(FUZZ_DIR) JOBS=$(JOBS) scripts/fuzz-smoke.sh

fuzz: deps
	FUZZ_BUILD_DIR=$(FUZZ_DIR) JOBS=$(JOBS) FUZZ_SECONDS=$${FUZZ_SECONDS:-600} scripts/fuzz-smoke.sh

clean:
	rm -rf $(RELEASE_DIR) $(TEST_DIR) $(BENCH_DIR) $(FUZZ_DIR)
