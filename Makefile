# sentinelsim — see README.md. Every target works from a fresh clone with Go installed.

GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHSTAT     := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
SEED          ?=
SEEDS         ?= 200
BENCH_COUNT   ?= 6
BENCH_OUT     ?= bench.txt

.PHONY: all demo test test-race verify bench perf cost pgo benchstat determinism build clean scenarios fuzz canaries golden conformance

all: verify test

## demo: run the built-in failover example once (random seed unless SEED=n; EXAMPLE=demo for the simulator's fault tour); prints the seed first, the replay command last
EXAMPLE ?= failover
demo:
	$(GO) run ./cmd/sentinelsim run --example $(EXAMPLE) $(if $(SEED),--seed $(SEED))

## test: the test suite CI runs (unit, property, determinism and fault-semantics tests); -pgo=off: the CLI's profile (cmd/sentinelsim/default.pgo) would compile much of the module a second time for its tests, for nothing
test:
	$(GO) test -pgo=off ./...

## golden: rewrite the library's golden decision traces (scenarios/testdata/golden, seed 1 of each scenario); review the diff before committing
golden:
	$(GO) test ./scenarios -run '^TestLibrary$$' -library-seeds 1 -update
	@git --no-pager diff --stat -- scenarios/testdata/golden || true

## conformance: the conformance scenarios (scenarios/conformance/testdata) on the real redis-server and redis-sentinel 7.0.15 and in the simulator; writes conformance.md and conformance.json
conformance:
	SENTINELSIM_CONFORMANCE=$(CURDIR)/conformance.md $(GO) test ./scenarios/conformance -run '^TestConformance$$' -timeout 20m -v
	@cat conformance.md

## scenarios: every library scenario over SCENARIO_SEEDS seeds (default 1..200) with the CLI's sweep; fails on any verdict mismatch; JUNIT_DIR=dir also writes one JUnit report per scenario there
SCENARIO_SEEDS ?= 1..200
JUNIT_DIR      ?=
scenarios: build
	@$(if $(JUNIT_DIR),mkdir -p $(JUNIT_DIR);) fail=0; for s in $$(./bin/sentinelsim list --names); do \
	  ./bin/sentinelsim sweep $$s --seeds $(SCENARIO_SEEDS) --progress none $(if $(JUNIT_DIR),--junit $(JUNIT_DIR)/$$s.xml) || fail=1; \
	done; exit $$fail

## fuzz: long fuzzing: FUZZ_CHECKS drawn fault schedules against Sentinel's promises (rapid, shrinking failures), then FUZZTIME of coverage-guided go test -fuzz on the schedules and on every parser
FUZZ_CHECKS ?= 20000
FUZZTIME    ?= 2m
fuzz:
	$(GO) test ./scenarios -run 'TestFuzzSchedules|TestFuzzStateMachine' -rapid.checks=$(FUZZ_CHECKS) -timeout 0 -v
	$(GO) test ./scenarios -run '^$$' -fuzz '^FuzzSchedules$$' -fuzztime $(FUZZTIME)
	$(GO) test ./scenarios -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	@for pkg in $$(grep -l 'func Fuzz' $$(find . -name '*_test.go' -not -path './scenarios/*') | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -ho 'func Fuzz[A-Za-z0-9_]*' $$pkg/*_test.go | sed 's/func //'); do \
	    echo "== $$pkg $$f"; $(GO) test $$pkg -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; \
	done

## canaries: how fast the fuzzer catches every planted bug (mutants, historical profiles); writes canaries.md
canaries:
	$(GO) test ./scenarios -run '^TestCanaryTable$$' -canary-table $(CURDIR)/canaries.md -canary-max 10000 -timeout 0 -v
	@cat canaries.md

## test-race: the test suite under the race detector
test-race:
	$(GO) test -pgo=off -race ./...

## verify: formatting (every .go file, tracked or not), vet, tidy go.mod/go.sum, staticcheck (pinned)
verify:
	@out=$$(find . -path ./.git -prune -o -name '*.go' -type f -print0 | xargs -0 gofmt -l); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; gofmt -d $$out; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) run $(STATICCHECK) ./...

## bench: the simulator benchmarks, BENCH_COUNT times each, into $(BENCH_OUT) (compare runs with 'make benchstat')
bench:
	$(GO) test -pgo=$(PGO) -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./... | tee $(BENCH_OUT)

## pgo: rewrite the CLI's profile-guided-optimisation profile (cmd/sentinelsim/default.pgo, used by every go build of the CLI and by make bench) from the bench shapes; commit it after a change to the hot paths
PGO ?= $(CURDIR)/cmd/sentinelsim/default.pgo
pgo:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(GO) test ./scenarios/bench -run '^$$' -bench 'BenchmarkShape/|BenchmarkSweep/' -benchtime 4x -count 1 -cpuprofile $$tmp/cpu.prof -o $$tmp/bench.test >/dev/null; \
	$(GO) tool pprof -proto $$tmp/cpu.prof > $(PGO); ls -l $(PGO)

## cost: instructions and first-level data-cache read misses per simulated second of COST_SHAPE (default idle-3s-3n; trace on, or off with COST_TRACE=off: the world's own work), counted by valgrind's cachegrind (apt-get install valgrind; its simulated cache, not this machine's): repeatable (to a fraction of a percent) where wall time on a shared machine is not, for comparing two commits' hot paths (SHA-256 runs without SHA-NI under valgrind, so hashing counts several times its native share)
COST_SHAPE ?= idle-3s-3n
COST_TRACE ?= on
cost: build
	@command -v valgrind >/dev/null || { echo "make cost needs valgrind (apt-get install valgrind)"; exit 1; }
	@set -e; for d in 20 80; do \
	  GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null \
	    ./bin/sentinelsim bench --shapes $(COST_SHAPE) --duration $${d}s --min-time 0 --untraced=false --trace=$(if $(filter off,$(COST_TRACE)),false,true) \
	    --sweep-seeds 0 --porcupine-ops 0 --memory-seeds 0 2>&1 | tr -d , | \
	    awk '/I *refs:/ { i = $$4 } /D1 *misses:/ { sub(/\(/, ""); r = $$5 } END { print i, r }'; \
	done | awk 'NR == 1 { i = $$1; r = $$2 } NR == 2 { printf "$(COST_SHAPE), trace $(COST_TRACE): %.2f M instructions, %.1f k first-level data-cache read misses per simulated second (two runs of 80 s less two of 20 s: boot left out)\n", ($$1 - i) / 120e6, ($$2 - r) / 120e3 }'

## perf: sentinelsim bench, every figure of README's Performance section (about 4 minutes); PERF_ARGS="--memory-seeds 10000" for the long memory figure, "--format json" for CI
PERF_ARGS ?=
perf:
	$(GO) run ./cmd/sentinelsim bench $(PERF_ARGS)

## benchstat: summarise $(BENCH_OUT) (give OLD=file to compare two runs)
benchstat:
	$(GO) run $(BENCHSTAT) $(OLD) $(BENCH_OUT)

## determinism: $(SEEDS) seeds of the demo and 50 of the failover example run twice each must replay, with equal digests under GOMAXPROCS=1, GOMAXPROCS=4 and -race
determinism:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(GO) build -o $$tmp/sentinelsim ./cmd/sentinelsim; \
	$(GO) build -race -o $$tmp/sentinelsim-race ./cmd/sentinelsim; \
	GOMAXPROCS=1 $$tmp/sentinelsim selfcheck --seeds $(SEEDS) | tee $$tmp/p1; \
	GOMAXPROCS=4 $$tmp/sentinelsim selfcheck --seeds $(SEEDS) | tee $$tmp/p4; \
	$$tmp/sentinelsim-race selfcheck --seeds 20 --duration 120s | tee $$tmp/race; \
	$$tmp/sentinelsim selfcheck --seeds 20 --duration 120s > $$tmp/norace; \
	d1=$$(grep '^digest' $$tmp/p1); d4=$$(grep '^digest' $$tmp/p4); \
	dr=$$(grep '^digest' $$tmp/race); dn=$$(grep '^digest' $$tmp/norace); \
	if [ "$$d1" != "$$d4" ]; then echo "FAIL: GOMAXPROCS=1 and 4 differ: $$d1 vs $$d4"; exit 1; fi; \
	if [ "$$dr" != "$$dn" ]; then echo "FAIL: -race and normal builds differ: $$dr vs $$dn"; exit 1; fi; \
	f1=$$(GOMAXPROCS=1 $$tmp/sentinelsim selfcheck --example failover --seeds 50 | tee /dev/stderr | grep '^digest'); \
	f4=$$(GOMAXPROCS=4 $$tmp/sentinelsim selfcheck --example failover --seeds 50 | grep '^digest'); \
	if [ "$$f1" != "$$f4" ]; then echo "FAIL: failover example differs under GOMAXPROCS=1 and 4: $$f1 vs $$f4"; exit 1; fi; \
	echo "determinism: OK (demo $$d1 and failover $$f1 under GOMAXPROCS=1 and 4; race build agrees)"
	GOMAXPROCS=1 $(GO) test -pgo=off -count=1 -run 'Determinism' ./...
	GOMAXPROCS=4 $(GO) test -pgo=off -count=1 -run 'Determinism' ./...

## build: the CLI as ./bin/sentinelsim
build:
	$(GO) build -o bin/sentinelsim ./cmd/sentinelsim

clean:
	rm -rf bin $(BENCH_OUT)
