# Bulwark's build, demo and test entry points. `make demo` and `make test`
# are the two set-up commands in the README; .ci/run calls `make test`.

GO        ?= go
BIN       := bin/bulwark
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/bulwarksec/bulwark/internal/version.Version=$(VERSION)
# Packages cheap enough to run under the race detector on every CI run:
# the concurrent lint engine and everything it calls.
RACE_PKGS := ./pkg/build/lint/... ./pkg/build/dfrule/... ./pkg/build/dockerfile/... ./pkg/core/policy/... ./internal/cli/... ./pkg/image/imagefs/... ./pkg/image/analyzer/... ./pkg/runtime/audit/...
FUZZTIME  ?= 30s
# ISA-L's gzip decompressor (cgo) is about three times faster than pure Go;
# it is used when libisal-dev is installed (apt-get install libisal-dev).
TAGS      ?= $(shell test -f /usr/include/isa-l/igzip_lib.h && echo isal)

.PHONY: all build demo test bench-smoke conformance vet check-tree race fuzz bench docs clean

all: build

build:
	$(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/bulwark

# The main job on the built-in example, with no network and no Docker:
# build bulwark, assemble the example image (examples/image) and the sample
# feed (examples/feeds, marked as sample data), build the database from it,
# scan the image, then lint the example Dockerfiles.
demo: build
	@echo '== assemble the example image and the sample feed (go run ./examples/buildimage)'
	$(GO) run ./examples/buildimage bin
	@echo
	@echo '== bulwark db build: the vulnerability database from the sample feed'
	./$(BIN) db build --from bin/demo-feeds --db bin/demo.db
	@echo
	@echo '== bulwark sbom: what the image holds'
	./$(BIN) sbom --no-cache oci-dir:bin/demo-image
	@echo
	@echo '== bulwark scan: its known vulnerabilities'
	./$(BIN) scan --offline --no-cache --db bin/demo.db oci-dir:bin/demo-image
	@echo
	@echo '== bulwark base: what the example is built on, and smaller bases that fit'
	./$(BIN) base --offline --no-cache --db bin/demo.db oci-dir:bin/demo-image
	@echo
	@echo '== bulwark audit: how the example is deployed (Kubernetes and Compose), at the restricted level'
	./$(BIN) audit --level restricted examples/webapp/deploy; echo "audit --level restricted: exit $$? (1: admission at the restricted level would reject these)"
	@echo
	@echo '== bulwark audit --diff: what --fix would add'
	./$(BIN) audit --diff examples/webapp/deploy
	@echo
	@echo '== bulwark harden: the settings that run the example image hardened, derived from the image'
	./$(BIN) harden --no-cache oci-dir:bin/demo-image
	@echo
	@echo '== bulwark lint examples/webapp (the Dockerfile with mistakes, and the hardened one)'
	./$(BIN) lint examples/webapp
	@echo
	@echo '== the same as SARIF for code scanning: bin/demo.sarif'
	./$(BIN) lint --format sarif --output bin/demo.sarif examples/webapp
	@echo
	@echo '== a CI gate, --fail-on high: the example fails it (exit 1), the hardened one passes (exit 0)'
	./$(BIN) lint --fail-on high --format json examples/webapp/Dockerfile > /dev/null; echo "Dockerfile: exit $$?"
	./$(BIN) lint --fail-on high examples/webapp/Dockerfile.hardened; echo "Dockerfile.hardened: exit $$?"

test: vet check-tree
	$(GO) test ./...
	@$(MAKE) -s conformance
	$(GO) test -race $(RACE_PKGS)
	@$(MAKE) -s bench-smoke
ifneq ($(TAGS),)
	$(GO) test -tags '$(TAGS)' ./pkg/image/imagefs/... ./pkg/image/analyzer/... ./cmd/...
endif

# No build outputs in the repository: no committed executable, no file over
# 1 MiB outside testdata folders.
check-tree:
	@.ci/check-tree.sh --self-test
	@.ci/check-tree.sh

vet:
	@# No "tee /dev/stderr" here: tee truncates stderr when it is a file, a CI log.
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "$$out" >&2; echo 'gofmt needed on the files above' >&2; exit 1; fi
	$(GO) vet ./...

# Every peer fixture case in ../shared/testdata/peers, one line per case and a
# table per ecosystem; a difference passes only when docs/conformance.md
# lists it with its reason.
conformance:
	@mkdir -p bin; rc=0; $(GO) test ./conformance -run '^TestPeers$$' -count=1 -v > bin/conformance.txt 2>&1 || rc=$$?; \
	grep -v '^=== RUN' bin/conformance.txt | sed 's/^        //'; exit $$rc

# Run every fuzz target (every func Fuzz* in a _test.go file) for FUZZTIME
# each: make fuzz FUZZTIME=10m. Minimizing a new input is capped at 5 s:
# the default minute per input spent most of a run on large inputs.
fuzz:
	@grep -rl --include='*_test.go' '^func Fuzz' pkg internal | sort | while read -r f; do \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' "$$f" | cut -d' ' -f2); do \
			echo "== $$(dirname $$f) $$t"; \
			$(GO) test ./$$(dirname $$f) -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s -parallel 1 || exit 1; \
		done; \
	done

# Bulwark against its peers on the same inputs; see bench/README.md.
bench: build
	./bench/lint.sh
	./bench/sbom.sh
	./bench/scan.sh
	./bench/image.sh
	./bench/audit.sh
	./bench/registry.sh

# Every bench script once, on its own small input and without peers, so a
# benchmark cannot rot unnoticed (make test runs it); output in bin/bench-smoke.
bench-smoke: build
	@mkdir -p bin/bench-smoke; for s in lint sbom scan image audit registry; do \
		if ! BULWARK_REGISTRY_STATE=$$(mktemp -d) BULWARK_REGISTRY_PORT=5124 RUNS=1 PRUNE_TAGS=30 PRUNE_IMAGES=10 TRIVY=/nonexistent SYFT=/nonexistent OSV_SCANNER=/nonexistent DIVE=/nonexistent DOCKLE=/nonexistent \
			bash bench/$$s.sh > bin/bench-smoke/$$s.txt 2>&1; then echo "bench/$$s.sh failed:" >&2; cat bin/bench-smoke/$$s.txt >&2; exit 1; fi; \
	done; echo "bench smoke: lint sbom scan image audit registry ran"

# Regenerate docs/rules from the rule data.
docs:
	$(GO) test ./pkg/build/dfrule -run TestDocs -update
	$(GO) test ./pkg/imagecheck/imgrule -run TestDocs -update
	$(GO) test ./pkg/runtime/rtrule -run TestDocs -update

clean:
	rm -rf bin
