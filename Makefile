# Pulse: the two commands of the README's quick start are `make demo` and `make test`.
SWIFT ?= swift
PULSE := .build/debug/pulse

.PHONY: deps build test demo clean

# libyaml is the system library (Debian: libyaml-dev), found through pkg-config.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists yaml-0.1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing libyaml-dev and pkg-config with apt-get..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libyaml-dev pkg-config; \
		else \
			echo "Pulse needs libyaml (yaml-0.1) and pkg-config. Install them as root:"; \
			echo "    sudo apt-get install libyaml-dev pkg-config"; \
			exit 1; \
		fi; \
	fi

build: deps
	$(SWIFT) build

# The Swift suites, then the card and profile tests in tests/ (pulse test).
test: build
	$(SWIFT) test
	$(PULSE) test

demo: build
	$(PULSE) validate
	$(PULSE) eval --profile demo --snapshot examples/demo --max-rows 5

clean:
	rm -rf .build
