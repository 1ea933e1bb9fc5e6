/*
 * elf_symbols — a guest binary's functions, from its ELF symbol table, to
 * name the guest addresses the guest-PC plugin records (guest_pcs.h):
 * 0x42298c -> "sched_yield+0x0".
 *
 * Any ELF the arches of ci/arches.tsv run: 32- or 64-bit, little- or
 * big-endian, read field by field in the file's own byte order. The
 * table is .symtab (static binaries keep it, Go binaries too unless
 * stripped), else .dynsym. Only defined functions count (STT_FUNC and
 * STT_GNU_IFUNC, in a real section). On 32-bit arm and on mips, bit 0 of
 * a function's value marks Thumb or MIPS16/microMIPS code, not its
 * address, and is cleared. Every offset, size and name is checked against
 * the file: a truncated or hostile file gives an error, never a read
 * past it.
 *
 * Several names at one address (glibc's `__sched_yield` and its weak alias
 * `sched_yield`) become one function, named by the first of: the fewest
 * leading underscores (the name a reader knows), then the strongest
 * binding (global, weak, local), then the symbol table's order. A
 * function with a size contains [value, value + size); one without
 * (assembly without .size) reaches up to the next function.
 *
 * The addresses are the file's: a position-independent executable (ET_DYN)
 * runs at a bias the runner does not know under qemu-user, so its lookups
 * are refused (elf_symbols_load says so in *why) rather than wrong.
 */
#ifndef HARNESS_ELF_SYMBOLS_H
#define HARNESS_ELF_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_symbols;

/* The functions of the ELF file at path; NULL with the reason in why
 * ("not an ELF file", "no symbol table (stripped)", ...). */
struct elf_symbols *elf_symbols_load(const char *path, char *why, size_t cap);
/* The same from a file already in memory (tests). */
struct elf_symbols *elf_symbols_parse(const unsigned char *data, size_t len, char *why,
				      size_t cap);
/* The function containing addr and addr's offset in it; NULL when none does. */
const char *elf_symbols_lookup(const struct elf_symbols *s, uint64_t addr, uint64_t *off);
/* A function's start by any of its names; false when there is none. */
bool elf_symbols_address(const struct elf_symbols *s, const char *name, uint64_t *addr);
/* How many functions (distinct addresses). */
size_t elf_symbols_count(const struct elf_symbols *s);
void elf_symbols_free(struct elf_symbols *s);

#endif
