# jiesu — the two commands of DESIGN §6.1, and the steps behind them.
#   make run    install what is missing, build (Release), fill jiesu.db with demo data, serve :8080
#   make test   install what is missing, build (Debug + ASan/UBSan), run every test
JOBS ?= $(shell nproc)
RELEASE_DIR := build
TEST_DIR := build-test
BENCH_DIR := build-bench
# The category model: trained from the shared requests when they are present (they are not part
# of the repository), else the catalogue's keywords propose categories alone.
REQUESTS ?= ../shared/data/requests
MODEL := $(RELEASE_DIR)/category.model

.PHONY: run test deps build build-test model bench clean

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

run: build model
	$(RELEASE_DIR)/jiesu demo --db sqlite:jiesu.db --listen 127.0.0.1:8080 \
	  $$([ -f $(MODEL) ] && echo --model $(MODEL))

build-test: deps
	@cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DJIESU_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

test: build-test
	cd $(TEST_DIR) && ctest --output-on-failure

# Benchmarks (docs/benchmarks.md): dispatch latency, and the classifier against fastText.
bench: model
	@cmake -S . -B $(BENCH_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIESU_TESTS=OFF \
	  -DJIESU_BENCHMARKS=ON >/dev/null
	@cmake --build $(BENCH_DIR) -j $(JOBS) --target jiesu_dispatch_benchmark
	JIESU_BENCH_MODEL=$(MODEL) taskset -c 0 $(BENCH_DIR)/jiesu_dispatch_benchmark
	python3 bench/classifier_baseline.py --jiesu $(RELEASE_DIR)/jiesu

clean:
	rm -rf $(RELEASE_DIR) $(TEST_DIR) $(BENCH_DIR)
