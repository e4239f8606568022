# Pulse: the two commands of the README's quick start are `make demo` and `make test`.
SWIFT ?= swift
PULSE := .build/debug/pulse

PREFIX ?= /usr/local

.PHONY: deps test-deps build test test-asan fuzz demo install uninstall clean

DEMO_DB := .pulse/demo.sqlite

# libyaml (Debian: libyaml-dev), SQLite (libsqlite3-dev, for the history store) and RE2
# (libre2-dev, for CEL's matches) are system libraries, found through pkg-config.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists yaml-0.1 || ! pkg-config --exists sqlite3 || ! pkg-config --exists re2; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing libyaml-dev, libsqlite3-dev, libre2-dev and pkg-config with apt-get..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libyaml-dev libsqlite3-dev libre2-dev pkg-config; \
		else \
			echo "Pulse needs libyaml (yaml-0.1), SQLite (sqlite3), RE2 (re2) and pkg-config. Install them as root:"; \
			echo "    sudo apt-get install libyaml-dev libsqlite3-dev libre2-dev pkg-config"; \
			exit 1; \
		fi; \
	fi

build: deps
	$(SWIFT) build

# The dashboard's browser test drives Debian's chromium through chromedriver (chromium-driver).
test-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing chromium and chromium-driver with apt-get (the dashboard's browser test)..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
		else \
			echo "The dashboard's browser test needs chromium and chromedriver. Install them as root:"; \
			echo "    sudo apt-get install chromium chromium-driver"; \
			exit 1; \
		fi; \
	fi

# The Swift suites (the browser test among them), then the card and profile tests in card-tests/ (pulse test).
# The tests' temporary folders go under $(TEST_TMP), emptied before each run and removed after a
# green one (a red run leaves them to look at).
TEST_TMP := $(CURDIR)/.build/test-tmp
test: build test-deps
	@rm -rf $(TEST_TMP) && mkdir -p $(TEST_TMP)
	TMPDIR=$(TEST_TMP) $(SWIFT) test
	$(PULSE) test
	@rm -rf $(TEST_TMP)

# The snapshot, expression and engine suites under AddressSanitizer: the tests that reach the
# pointer work (the loader's byte runs and worker slots, the column stores and key indexes, the
# activation's slots, row values outliving their snapshot). Only those three suites: the whole
# suite under ASan takes far longer (and the browser test drives chromium, which is not ours to
# check). The instrumented build goes to its own folder, so that it does not replace the debug build.
# Its temporary folders go under $(ASAN_TMP), as `make test`'s go under $(TEST_TMP); leaks are
# checked too (LeakSanitizer), but for XCTest's own (Tests/lsan-suppressions.txt).
ASAN_SUITES ?= PulseSnapshotTests|PulseExpressionsTests|PulseEngineTests
ASAN_TMP := $(CURDIR)/.build/asan-tmp
test-asan: deps
	@rm -rf $(ASAN_TMP) && mkdir -p $(ASAN_TMP)
	TMPDIR=$(ASAN_TMP) LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt $(SWIFT) test --sanitize=address --scratch-path .build/asan --filter '$(ASAN_SUITES)'
	@rm -rf $(ASAN_TMP)

# A long run of the fuzz tests (a bounded round of each runs in `make test`): the connectors'
# mutated vendor answers, and the config, CEL and snapshot front ends. FUZZ_ITERATIONS rounds each;
# PULSE_FUZZ_SEED=N replays another seed of the connector fuzz test.
FUZZ_ITERATIONS ?= 5000
fuzz: build
	@rm -rf $(TEST_TMP) && mkdir -p $(TEST_TMP)
	PULSE_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) TMPDIR=$(TEST_TMP) $(SWIFT) test --filter 'ConnectorFuzzTests|FuzzTests'
	@rm -rf $(TEST_TMP)

# Validate the config, then record two days of the demo store in a fresh history store: the
# second day's BigCommerce sync broke, and the alerts show what fired and what resolved. Each day
# is evaluated as of its own morning (--now): judged today, the demo's data is months old (stale).
demo: build
	$(PULSE) validate
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(PULSE) eval --profile demo --snapshot examples/demo --record --db $(DEMO_DB) --max-rows 3 --now 2026-03-17T08:00:00Z
	$(PULSE) eval --profile demo --snapshot examples/demo-next --record --db $(DEMO_DB) --max-rows 3 --now 2026-03-18T08:00:00Z
	$(PULSE) alerts --profile demo --db $(DEMO_DB)
	@rm -rf .pulse/snapshots && mkdir -p .pulse/snapshots/demo
	@cp -r examples/demo .pulse/snapshots/demo/2026-03-17 && cp -r examples/demo-next .pulse/snapshots/demo/2026-03-18
	@$(PULSE) token new --profile demo --role owner --name demo-owner > .pulse/demo-token.txt
	@{ echo "tokens:"; grep '^  - ' .pulse/demo-token.txt; } > .pulse/demo-tokens.yaml
	@echo
	@echo "The live dashboard of the demo store (judged by today's clock, its March 2026 data shows as stale):"
	@echo "    $(PULSE) serve --snapshots .pulse/snapshots --db $(DEMO_DB) --tokens .pulse/demo-tokens.yaml"
	@echo "then open http://127.0.0.1:8080 and sign in with the owner token $$(awk '/^token:/{print $$2}' .pulse/demo-token.txt)"

# A release build of pulse in $(PREFIX)/bin (default /usr/local/bin; `make install PREFIX=~/.local`).
install: deps
	$(SWIFT) build -c release --product pulse
	install -d $(PREFIX)/bin
	install -m 755 .build/release/pulse $(PREFIX)/bin/pulse
	@echo "installed $(PREFIX)/bin/pulse ($$($(PREFIX)/bin/pulse --version))"

uninstall:
	rm -f $(PREFIX)/bin/pulse

clean:
	rm -rf .build
