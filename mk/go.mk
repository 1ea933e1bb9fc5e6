# mk/go.mk — the Go parts: the environment every Go command here runs in,
# and the real Go runtime built from an installed GOROOT (default Debian's
# /usr/lib/go-1.19) with `go build -overlay` / `go test -c -overlay`:
# ci/go-build says how, and cases/go/flavours.tsv what each flavour is.
# Outputs in build/<arch>/go/.
#   make go-protocol    rewrite cases/go/workload/protocol_gen.go after a
#                       change to protocol/protocol.h
# GO_OWN=DIR builds (and repro-go-eof runs) your Go tree (ci/go-build --goroot).
# The overlay holds only runtime patches: cases/go/workload and
# tests/programs/go are plain modules, which make check (check-units,
# native) vets in GO_ENV, along with gofmt and the generated file's drift.
GO          ?= /usr/lib/go-1.19/bin/go
GO_ARCH_ENV := $(if $(filter native,$(ARCH)),,$(filter GO%,$(call arch_field,$(ARCH),7)))
# The one Go environment of the build (ci/go-build sets the same for its
# builds): offline, no cgo, no user settings, caches under build/.
GO_ENV      := GOROOT=$(patsubst %/bin/go,%,$(GO)) GOENV=off GOSUMDB=off CGO_ENABLED=0 GOPROXY=off \
               GOFLAGS=-mod=mod GOCACHE=$(CURDIR)/build/go-cache GOPATH=$(CURDIR)/build/gopath \
               $(GO_ARCH_ENV) \
               $(if $(filter GOARCH=mips GOARCH=mipsle,$(GO_ARCH_ENV)),GOMIPS=softfloat)
GO_VET_DIRS := cases/go/workload tests/programs/go
GOFMT       := $(patsubst %/bin/go,%/bin/gofmt,$(GO))

GO_ARCHES   ?= $(ARCHES)
GO_FLAVOURS ?=
GO_BUILD     = ci/go-build --arch "$(GO_ARCHES)" $(if $(GO_FLAVOURS),--flavour $(GO_FLAVOURS)) $(GO_OWN_FLAG)
REPRO_GO_EOF_FLAGS ?=
GO_OWN      ?=
# Every repro-go* target passes GO_OWN on: one that built DIR's workload but
# ran without --goroot would quietly test Debian's Go instead.
GO_OWN_FLAG  = $(if $(GO_OWN),--goroot "$(GO_OWN)")

go-workloads:
	$(GO_BUILD) --what workload

go-runtime-tests:
	$(GO_BUILD) --what runtime-test

# go-stats: harness/judge/stats.c's intervals and Fisher test for the scripts.
$(B)/go-stats: ci/go-stats.c $(B)/obj/harness/judge/stats.o
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -lm

repro-go-eof:
	$(MAKE) --no-print-directory ARCH=native build/native/go-stats
	ci/repro-go-eof $(GO_OWN_FLAG) $(REPRO_GO_EOF_FLAGS)

check-go:
	$(MAKE) --no-print-directory ARCH=native build/native/torture
	ci/check-go

go-protocol:
	$(MAKE) --no-print-directory ARCH=native build/native/torture
	GOROOT=$(patsubst %/bin/go,%,$(GO)) ci/gen-go-protocol --write build/native/torture

# repro-go: the real Go runtime in the runner. The go cell kind
# (harness/kinds/kind_go.c) drives the flavours ci/go-build makes: the ones
# its matrix runs (and GO_OWN's tree, run in stock's place) for armel armhf
# mips mipsel, then proftorture repro-go: its built-in matrix, summary.json,
# report.html. repro-go-quick is the quick version check-all runs.
REPRO_GO_ARCHES   := $(REPRO_ARCHES)
REPRO_GO_FLAVOURS := stock,regressed,unchecked
REPRO_GO_ARMEL    := helpers-named,regressed-named
REPRO_GO_FLAGS    ?=

repro-go-binaries: repro-binaries
	ci/go-build --arch "$(REPRO_GO_ARCHES)" --flavour $(REPRO_GO_FLAVOURS) --what workload
	ci/go-build --arch armel --flavour $(REPRO_GO_ARMEL) --what workload
	$(if $(GO_OWN),ci/go-build --arch "$(REPRO_GO_ARCHES)" $(GO_OWN_FLAG) --what workload)

repro-go:
	build/native/proftorture repro-go $(GO_OWN_FLAG) $(REPRO_GO_FLAGS)

repro-go-quick:
	build/native/proftorture repro-go $(GO_OWN_FLAG) --quick --status-interval 30 --out build/repro-go-quick $(REPRO_GO_FLAGS)

# Go's own runtime/pprof tests under the gated cannon, mipsel: the small
# version of docs/measurements/hangs.md (cases/go/pprof-hangs.tsv).
check-pprof-hangs:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture
	ci/go-build --arch mipsel --flavour stock --what pprof-test
	build/native/proftorture run --matrix cases/go/pprof-hangs.tsv --arch mipsel \
	  --status-interval 30 --out build/check-pprof-hangs
