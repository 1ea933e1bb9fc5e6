/* The table of out-of-line helpers; see outline.h. */
#include "outline.h"

/* Each line of the generated file is OUTLINE_HELPER(symbol, size). */
#define OUTLINE_HELPER(sym, size) extern const char outline_##sym[] __asm__(#sym);
#include "outline_helpers.inc"
#undef OUTLINE_HELPER

#define OUTLINE_HELPER(sym, size) { outline_##sym, size, #sym },
const struct outline_helper outline_helpers[] = {
#include "outline_helpers.inc"
	{ 0, 0, 0 },
};
#undef OUTLINE_HELPER
