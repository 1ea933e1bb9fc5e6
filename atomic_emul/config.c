/*
 * atomic_emul: parsing and configuring (contract: atomic_emul.h). Runs before
 * other threads use the unit, never in a signal handler: so it lives outside
 * the classifier's section, and may open files and start a thread.
 */
#include <errno.h>
#include <string.h>

#include "atomic_emul.h"
#include "internal.h"
#include "protocol.h"

/* The configuration behind each strategy name of protocol.h, by its index. */
static const struct atomic_emul_config strategy_config[NSTRATEGIES] = {
	[STRATEGY_NATIVE] = { ATOMIC_EMUL_NATIVE, ATOMIC_EMUL_CAS32_BUILTIN },
	[STRATEGY_GLOBAL] = { ATOMIC_EMUL_GLOBAL, ATOMIC_EMUL_CAS32_BUILTIN },
	[STRATEGY_STRIPED] = { ATOMIC_EMUL_STRIPED, ATOMIC_EMUL_CAS32_BUILTIN },
	[STRATEGY_GLOBAL_KUSER] = { ATOMIC_EMUL_GLOBAL, ATOMIC_EMUL_CAS32_KUSER },
	[STRATEGY_STRIPED_KUSER] = { ATOMIC_EMUL_STRIPED, ATOMIC_EMUL_CAS32_KUSER },
	[STRATEGY_LIBATOMIC] = { ATOMIC_EMUL_LIBATOMIC, ATOMIC_EMUL_CAS32_BUILTIN },
};

int atomic_emul_parse(const char *name, struct atomic_emul_config *out)
{
	int i = protocol_lookup(protocol_strategy_names, name);
	if (i < 0)
		return -1;
	*out = strategy_config[i];
	return 0;
}

const char *atomic_emul_config_name(struct atomic_emul_config cfg)
{
	for (int i = 0; i < NSTRATEGIES; i++)
		if (strategy_config[i].strategy == cfg.strategy && strategy_config[i].cas32 == cfg.cas32)
			return protocol_strategy_names[i];
	return "invalid";
}

bool atomic_emul_supported(struct atomic_emul_config cfg)
{
	if (cfg.strategy == ATOMIC_EMUL_NATIVE)
		return HAVE_NATIVE64 && cfg.cas32 == ATOMIC_EMUL_CAS32_BUILTIN;
	if (cfg.cas32 == ATOMIC_EMUL_CAS32_KUSER)
		return HAVE_KUSER && cfg.strategy != ATOMIC_EMUL_LIBATOMIC;
	return cfg.strategy == ATOMIC_EMUL_GLOBAL || cfg.strategy == ATOMIC_EMUL_STRIPED ||
	       cfg.strategy == ATOMIC_EMUL_LIBATOMIC;
}

/* What libatomic really does here, found out once per process. */
static int libatomic_known(void)
{
	static int state; /* 0 not yet, 1 known, -1 cannot be mirrored */
	if (state == 0) {
		struct ae_libatomic found;
		state = ae_libatomic_discover(&found) == 0 ? 1 : -1;
		if (state == 1)
			ae_libatomic = found;
	}
	return state;
}

int atomic_emul_configure(struct atomic_emul_config cfg)
{
	if (!atomic_emul_supported(cfg) ||
	    (cfg.strategy == ATOMIC_EMUL_LIBATOMIC && libatomic_known() < 0)) {
		errno = ENOTSUP;
		return -1;
	}
	ae_config = cfg;
	return 0;
}

const char *atomic_emul_supported_names(void)
{
	static char buf[96];
	if (buf[0] == 0) {
		for (int i = 0; i < NSTRATEGIES; i++) {
			if (!atomic_emul_supported(strategy_config[i]))
				continue;
			if (buf[0])
				strcat(buf, " ");
			strcat(buf, protocol_strategy_names[i]);
		}
	}
	return buf;
}
