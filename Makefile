# jiesu — the two commands of DESIGN §6.1, and the steps behind them.
#   make run    install what is missing, build (Release), fill jiesu.db with demo data, serve :8080
#   make test   install what is missing, build (Debug + ASan/UBSan), run every test
JOBS ?= $(shell nproc)
RELEASE_DIR := build
TEST_DIR := build-test

.PHONY: run test deps build build-test clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIESU_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS)

run: build
	$(RELEASE_DIR)/jiesu demo --db sqlite:jiesu.db --listen 127.0.0.1:8080

build-test: deps
	@cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DJIESU_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

test: build-test
	cd $(TEST_DIR) && ctest --output-on-failure

clean:
	rm -rf $(RELEASE_DIR) $(TEST_DIR)
