# mk/check-all.mk — every arch, continuing past failures so one run shows
# the whole matrix, in phases sized for 2 cores: builds (and the
# handler-safety audit) 2 at a time, which is only compilation; the unit
# tests one arch at a time (CHECK_ALL_UNIT_JOBS), because several of them
# are timed or statistical (profbuf's flows must wrap the ring, its negative
# controls must fire) and were calibrated alone; under other load that flow
# check failed with two arches at a time and also with one, and one at a
# time cost about 7 min against about 6 for two (2026-11-30, loaded
# machine); then ONE quick matrix over every arch, which keeps exactly the
# 2 runs at a time its statistics were calibrated with; then the examples'
# matrix file on each arch it names (check-examples); then the bounded
# fuzz run and repro-go --quick. Each phase prints its time. Failures are
# collected in build/check-all.failed and named at the end.
CHECK_ALL_UNIT_JOBS ?= 1
check-all:
	@rm -f build/check-all.failed; mkdir -p build; t0=$$(date +%s); \
	phase() { echo "== check-all: $$1 took $$(( $$(date +%s) - t0 )) s"; t0=$$(date +%s); }; \
	echo "== check-all: build every arch, 2 at a time"; \
	$(MAKE) --no-print-directory -j2 -k -Otarget $(ARCHES:%=check-all-build-%) || true; \
	phase "building"; \
	echo "== check-all: unit tests, $(CHECK_ALL_UNIT_JOBS) arch(es) at a time"; \
	$(MAKE) --no-print-directory -j$(CHECK_ALL_UNIT_JOBS) -k -Otarget $(ARCHES:%=check-all-units-%) || true; \
	phase "the unit tests"; \
	echo "== check-all: the quick matrix of every arch"; \
	$(MAKE) --no-print-directory check-quick ARCH=native QUICK_ARCHES=$(ARCHES_CSV) \
	  QUICK_OUT=build/check-all-quick || echo quick-matrix >> build/check-all.failed; \
	phase "the quick matrix"; \
	for a in $(EXAMPLES_ARCHES); do \
	  $(MAKE) --no-print-directory check-examples ARCH=$$a || echo examples-$$a >> build/check-all.failed; \
	done; \
	phase "the examples' matrix file, arch by arch"; \
	$(MAKE) --no-print-directory fuzz || echo fuzz >> build/check-all.failed; \
	phase "fuzzing"; \
	$(MAKE) --no-print-directory repro-go-quick || echo repro-go-quick >> build/check-all.failed; \
	phase "repro-go --quick (the real Go runtime)"; \
	$(MAKE) --no-print-directory check-pprof-hangs || echo check-pprof-hangs >> build/check-all.failed; \
	phase "Go's pprof tests under the gated cannon"; \
	if [ -s build/check-all.failed ]; then \
	  echo "check-all: FAILED on" $$(cat build/check-all.failed); exit 1; fi; \
	echo "check-all: passed on $(ARCHES): unit tests, handler safety, the quick matrix, the examples; the bounded fuzz run; repro-go --quick and Go's pprof tests under the gated cannon"

check-all-build-%:
	@$(MAKE) --no-print-directory ARCH=$* all build/$*/profbuf_go_cases check-handler-safety \
	  || { echo "build-$*" >> build/check-all.failed; exit 1; }
check-all-units-%:
	@$(MAKE) --no-print-directory ARCH=$* check-units || { echo "$*" >> build/check-all.failed; exit 1; }
