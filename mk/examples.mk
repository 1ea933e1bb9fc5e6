# mk/examples.mk — examples/: small programs of the kind a user brings to
# proftorture, each built as the user would build it (its own source, no
# project header), for any arch: static for cross arches, like everything.
#
# examples/sampler-ring/: one source, two builds. The binaries are a
# contract (examples/sampler-ring/README.md; matrix files name them):
#   build/<arch>/examples/sampler-ring-buggy   -DSAMPLER_RING_BUGGY=1
#   build/<arch>/examples/sampler-ring-fixed   -DSAMPLER_RING_BUGGY=0
# tls_pin's object too: on i686 the row's ldflags wrap pthread_create
# (tls_pin.h), and the sampler's handler reads thread-local storage.
SAMPLER_RING_SRC := examples/sampler-ring/sampler_ring.c
SAMPLER_RING_BINS := $(B)/examples/sampler-ring-buggy $(B)/examples/sampler-ring-fixed
EXAMPLES := $(SAMPLER_RING_BINS)
sampler_ring_buggy = $(if $(filter buggy,$(1)),1,0)

$(SAMPLER_RING_BINS): $(B)/examples/sampler-ring-%: $(SAMPLER_RING_SRC) $(B)/obj/tls_pin/tls_pin.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DSAMPLER_RING_BUGGY=$(call sampler_ring_buggy,$*) $(LDFLAGS) -o $@ $^

# tests/check_sampler_ring links both builds into the test program, each
# with its entry point renamed: under qemu-user the test cannot start a
# guest program of its own, so it runs the two mains in forked children.
SAMPLER_RING_TEST_OBJS := $(B)/obj/examples/sampler-ring/buggy.o $(B)/obj/examples/sampler-ring/fixed.o
$(SAMPLER_RING_TEST_OBJS): $(B)/obj/examples/sampler-ring/%.o: $(SAMPLER_RING_SRC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DSAMPLER_RING_BUGGY=$(call sampler_ring_buggy,$*) \
	  -DSAMPLER_RING_MAIN=sampler_ring_$*_main -c -o $@ $<
$(B)/tests/check_sampler_ring: $(SAMPLER_RING_TEST_OBJS)
