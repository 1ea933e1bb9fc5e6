/* elf_symbols: a guest binary's functions from its ELF symbol table.
 * Contract: elf_symbols.h. */
#define _GNU_SOURCE
#include "elf_symbols.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_ELF_BYTES ((size_t)1 << 30)

/* The few ELF constants read here (elf.h's names, without including it:
 * the values are the format's, the same on every host). */
enum {
	EI_CLASS = 4, EI_DATA = 5, ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1,
	ELFDATA2MSB = 2, ET_EXEC = 2, ET_DYN = 3, EM_MIPS = 8, EM_ARM = 40, SHT_SYMTAB = 2,
	SHT_DYNSYM = 11, SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, STT_FUNC = 2, STT_GNU_IFUNC = 10,
	STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2,
};

struct name_at {
	const char *name; /* into the copy of the file */
	uint64_t addr, size;
	int rank; /* lower is preferred (elf_symbols.h) */
	size_t order;
};

struct elf_symbols {
	unsigned char *data; /* the file: the names point into it */
	struct name_at *all; /* every function symbol, sorted by address, best first */
	size_t nall;
	struct name_at *fn;  /* one per address: the best name, the largest size */
	size_t nfn;
};

/* The file, as its header says it is laid out. */
struct elf_view {
	const unsigned char *p;
	size_t len;
	bool is64, big;
};

static bool in_file(const struct elf_view *v, uint64_t off, uint64_t n)
{
	return off <= v->len && n <= v->len - off;
}

static uint64_t rd(const struct elf_view *v, uint64_t off, unsigned n)
{
	uint64_t x = 0;
	for (unsigned i = 0; i < n; i++)
		x |= (uint64_t)v->p[off + i] << (8 * (v->big ? n - 1 - i : i));
	return x;
}

/* A word that is 4 bytes in ELF32 and 8 in ELF64 (addresses, offsets). */
static uint64_t rd_word(const struct elf_view *v, uint64_t off)
{
	return rd(v, off, v->is64 ? 8 : 4);
}

static int fail(char *why, size_t cap, const char *msg)
{
	snprintf(why, cap, "%s", msg);
	return -1;
}

struct section {
	uint64_t type, offset, size, link, entsize;
};

static int read_section(const struct elf_view *v, uint64_t shoff, uint64_t shentsize, uint64_t i,
			struct section *s)
{
	uint64_t at = shoff + i * shentsize;
	if (!in_file(v, at, v->is64 ? 64 : 40))
		return -1;
	s->type = rd(v, at + 4, 4);
	s->offset = v->is64 ? rd(v, at + 24, 8) : rd(v, at + 16, 4);
	s->size = v->is64 ? rd(v, at + 32, 8) : rd(v, at + 20, 4);
	s->link = v->is64 ? rd(v, at + 40, 4) : rd(v, at + 24, 4);
	s->entsize = v->is64 ? rd(v, at + 56, 8) : rd(v, at + 36, 4);
	return 0;
}

/* The leading underscores first, then the binding: elf_symbols.h. */
static int rank_of(const char *name, unsigned bind)
{
	int under = 0;
	while (name[under] == '_')
		under++;
	int b = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
	return under * 4 + b;
}

static int by_addr_then_rank(const void *a, const void *b)
{
	const struct name_at *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Reads the symbol table (sym) with its strings into s->all. */
static int read_symbols(const struct elf_view *v, const struct section *sym,
			const struct section *str, unsigned machine, struct elf_symbols *s, char *why,
			size_t cap)
{
	uint64_t ent = v->is64 ? 24 : 16;
	if (sym->entsize != ent || !in_file(v, sym->offset, sym->size) ||
	    !in_file(v, str->offset, str->size))
		return fail(why, cap, "symbol table out of the file or malformed");
	uint64_t n = sym->size / ent;
	s->all = xcalloc(n ? n : 1, sizeof *s->all);
	for (uint64_t i = 1; i < n; i++) { /* entry 0 is the null symbol */
		uint64_t at = sym->offset + i * ent;
		uint64_t name = rd(v, at, 4), value, size;
		unsigned info, shndx;
		if (v->is64) {
			info = (unsigned)rd(v, at + 4, 1);
			shndx = (unsigned)rd(v, at + 6, 2);
			value = rd(v, at + 8, 8);
			size = rd(v, at + 16, 8);
		} else {
			value = rd(v, at + 4, 4);
			size = rd(v, at + 8, 4);
			info = (unsigned)rd(v, at + 12, 1);
			shndx = (unsigned)rd(v, at + 14, 2);
		}
		unsigned type = info & 0xf, bind = info >> 4;
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || shndx == SHN_UNDEF ||
		    shndx >= SHN_LORESERVE || name >= str->size)
			continue;
		const char *nm = (const char *)v->p + str->offset + name;
		if (!memchr(nm, 0, str->size - name) || !*nm)
			continue;
		if (machine == EM_ARM || machine == EM_MIPS)
			value &= ~(uint64_t)1; /* Thumb / MIPS16 / microMIPS mark */
		s->all[s->nall++] = (struct name_at){ nm, value, size, rank_of(nm, bind), (size_t)i };
	}
	return 0;
}

static int parse(const struct elf_view *v, struct elf_symbols *s, char *why, size_t cap)
{
	if (v->len < 52 || memcmp(v->p, "\177ELF", 4) != 0)
		return fail(why, cap, "not an ELF file");
	if ((v->p[EI_CLASS] != ELFCLASS32 && v->p[EI_CLASS] != ELFCLASS64) ||
	    (v->p[EI_DATA] != ELFDATA2LSB && v->p[EI_DATA] != ELFDATA2MSB))
		return fail(why, cap, "an ELF file of an unknown class or byte order");
	if (v->is64 && v->len < 64)
		return fail(why, cap, "a truncated ELF header");
	unsigned type = (unsigned)rd(v, 16, 2), machine = (unsigned)rd(v, 18, 2);
	if (type == ET_DYN)
		return fail(why, cap, "a position-independent executable: its load address is "
				      "not known under qemu-user");
	if (type != ET_EXEC)
		return fail(why, cap, "not an executable (ELF type is not EXEC)");
	uint64_t shoff = rd_word(v, v->is64 ? 40 : 32);
	uint64_t shentsize = rd(v, v->is64 ? 58 : 46, 2), shnum = rd(v, v->is64 ? 60 : 48, 2);
	if (shentsize != (v->is64 ? 64u : 40u))
		return fail(why, cap, "no section headers of the ELF size");
	struct section s0;
	if (shnum == 0 && shoff && read_section(v, shoff, shentsize, 0, &s0) == 0)
		shnum = s0.size; /* more than 0xff00 sections: the count is in section 0 */
	if (!in_file(v, shoff, shnum * shentsize))
		return fail(why, cap, "section headers out of the file");
	struct section sym = { 0 }, dyn = { 0 }, str;
	for (uint64_t i = 0; i < shnum; i++) {
		struct section sec;
		read_section(v, shoff, shentsize, i, &sec);
		if (sec.type == SHT_SYMTAB && !sym.type)
			sym = sec;
		if (sec.type == SHT_DYNSYM && !dyn.type)
			dyn = sec;
	}
	if (!sym.type)
		sym = dyn;
	if (!sym.type)
		return fail(why, cap, "no symbol table (stripped)");
	if (sym.link >= shnum || read_section(v, shoff, shentsize, sym.link, &str) != 0)
		return fail(why, cap, "symbol table without its strings");
	return read_symbols(v, &sym, &str, machine, s, why, cap);
}

/* One function per address, named by its best symbol (sorted first). */
static void group_by_address(struct elf_symbols *s)
{
	qsort(s->all, s->nall, sizeof *s->all, by_addr_then_rank);
	s->fn = xcalloc(s->nall ? s->nall : 1, sizeof *s->fn);
	for (size_t i = 0; i < s->nall; i++) {
		struct name_at *last = s->nfn ? &s->fn[s->nfn - 1] : NULL;
		if (last && last->addr == s->all[i].addr) {
			if (s->all[i].size > last->size)
				last->size = s->all[i].size;
			continue;
		}
		s->fn[s->nfn++] = s->all[i];
	}
}

/* The functions of the file in data (len bytes, malloc'd), which s keeps. */
static struct elf_symbols *from_buffer(unsigned char *data, size_t len, char *why, size_t cap)
{
	struct elf_symbols *s = xcalloc(1, sizeof *s);
	s->data = data;
	struct elf_view v = { data, len, len > EI_DATA && data[EI_CLASS] == ELFCLASS64,
			      len > EI_DATA && data[EI_DATA] == ELFDATA2MSB };
	if (parse(&v, s, why, cap) != 0) {
		elf_symbols_free(s);
		return NULL;
	}
	if (!s->nall) {
		fail(why, cap, "no function in its symbol table");
		elf_symbols_free(s);
		return NULL;
	}
	group_by_address(s);
	return s;
}

struct elf_symbols *elf_symbols_parse(const unsigned char *data, size_t len, char *why, size_t cap)
{
	unsigned char *copy = xmalloc(len ? len : 1);
	memcpy(copy, data, len);
	return from_buffer(copy, len, why, cap);
}

struct elf_symbols *elf_symbols_load(const char *path, char *why, size_t cap)
{
	size_t len;
	char *data = ut_read_file(path, MAX_ELF_BYTES, &len);
	if (!data) {
		snprintf(why, cap, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	return from_buffer((unsigned char *)data, len, why, cap);
}

const char *elf_symbols_lookup(const struct elf_symbols *s, uint64_t addr, uint64_t *off)
{
	if (!s || !s->nfn || addr < s->fn[0].addr)
		return NULL;
	size_t lo = 0, hi = s->nfn; /* the last function starting at or below addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->fn[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	const struct name_at *f = &s->fn[lo];
	bool inside = f->size ? addr - f->addr < f->size : lo + 1 < s->nfn;
	if (!inside)
		return NULL;
	*off = addr - f->addr;
	return f->name;
}

bool elf_symbols_address(const struct elf_symbols *s, const char *name, uint64_t *addr)
{
	for (size_t i = 0; s && i < s->nall; i++)
		if (strcmp(s->all[i].name, name) == 0) {
			*addr = s->all[i].addr;
			return true;
		}
	return false;
}

size_t elf_symbols_count(const struct elf_symbols *s)
{
	return s ? s->nfn : 0;
}

void elf_symbols_free(struct elf_symbols *s)
{
	if (!s)
		return;
	free(s->all);
	free(s->fn);
	free(s->data);
	free(s);
}
