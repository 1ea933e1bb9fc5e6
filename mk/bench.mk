# mk/bench.mk — the measurements: profbuf's throughput, every arch side by
# side, the torture cases measured per arch, and the soak.

# The user targets of this file (make help lists their ## make lines).
## make bench-profbuf [ARCH=a] | profbuf against a mutex ring of the same size, about 2 s
bench-profbuf: $(B)/bench_profbuf $(RUN_NEEDS)
## make bench [BENCH_FLAGS=--quick] | each arch side by side, against its ceiling (ci/bench)
bench:
## make check-cases-<arch> [CASES_RUNS=20] | lost-atomic and atomic-deadlock measured on one arch
## make soak [SOAK_FOR=30m] [SOAK_EVERY=60] | the runner for 30 min natively: does anything grow?
soak:
## make measure-stress [ARCH=a] | the numbers of docs/measurements/stress.md
measure-stress:

# bench-profbuf: records/s through profbuf against a mutex ring of the same
# size (one writer, one reader), one human line and one JSON line; about 2 s.
$(B)/bench_profbuf: profbuf/bench/bench_profbuf.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(ATOMIC_LIBS) -lm

bench-profbuf:
	$(RUN) $(B)/bench_profbuf

# bench: ci/bench says what each column is.
BENCH_ARCHES := native $(REPRO_ARCHES)
bench:
	@for a in $(BENCH_ARCHES); do \
	  $(MAKE) --no-print-directory ARCH=$$a build/$$a/torture build/$$a/bench_profbuf || exit 1; \
	done
	ci/bench $(BENCH_FLAGS)

# check-cases-<arch>: lost-atomic buggy vs fixed, CASES_RUNS runs of 1 s each,
# and atomic-deadlock for every handler shape under every strategy the arch
# supports, 3 runs each (a negative control up to 12, until it fails); every
# cell judged against cases/expected.tsv.
# Natively the arch's own atomics are native, so lost-atomic runs under
# global there too.
CASES_RUNS ?= 20
check-cases-%:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture
	$(MAKE) --no-print-directory ARCH=$* build/$*/torture
	build/native/proftorture run --arch $* --case lost-atomic \
	  --variant unlocked-flush,locked-flush,locked-flush-kuser,exact \
	  --atomics $(if $(filter native,$*),default$(COMMA)global,default) --runs $(CASES_RUNS)
	build/native/proftorture run --arch $* --case atomic-deadlock \
	  --variant unchecked,unlocked-flush,locked-flush,locked-flush-kuser,exact --atomics all --runs 3 \
	  --max-runs 12

# soak: the runner for SOAK_FOR natively, its RSS, open fds and children
# sampled every SOAK_EVERY seconds, one verdict line (ci/soak says what it
# samples and what "flat" means).
SOAK_FOR   ?= 30m
SOAK_EVERY ?= 60
soak:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture build/native/torture
	SOAK_FOR=$(SOAK_FOR) SOAK_EVERY=$(SOAK_EVERY) ci/soak
