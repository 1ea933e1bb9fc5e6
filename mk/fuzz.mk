# mk/fuzz.mk — fuzzing (libFuzzer, clang): the validating reader, the
# cpuprof parser and the runner's result-line classifier, FUZZ_SECONDS each
# from the seed corpora in tests/fuzz/corpus (new inputs stay under
# build/); then the option parsers of torture and proftorture, as processes
# (ci/fuzz-options). A crash input is kept as build/native-fuzz/crash-*:
# add it to the corpus. The fuzzers link a SAN=fuzz build (mk/arch.mk).
FUZZ_SECONDS ?= 15
FUZZ_TARGETS := profbuf_read cpuprof_parse classify_run
ifeq ($(SAN),fuzz)
$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB) $(HARNESS_LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(HARNESS_LIB_OBJS) $(LIB) $(ATOMIC_LIBS) $(JANSSON_LIBS) -lm
endif
fuzz:
	$(MAKE) --no-print-directory ARCH=native all
	$(MAKE) --no-print-directory ARCH=native SAN=fuzz $(FUZZ_TARGETS:%=build/native-fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/native-fuzz/corpus-$$t && cp tests/fuzz/corpus/$$t/* build/native-fuzz/corpus-$$t/; \
	  echo "+ fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  (cd build/native-fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	     corpus-$$t 2>fuzz_$$t.log) || { tail -40 build/native-fuzz/fuzz_$$t.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units|stat::new_units_added" build/native-fuzz/fuzz_$$t.log; \
	done
	ci/fuzz-options build/native 150
