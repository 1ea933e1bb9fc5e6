/* cell_kind: the registry of kinds. Contract: cell_kind.h. */
#include "cell_kind.h"

#include <string.h>

const struct cell_kind *const cell_kinds[] = { &torture_kind, &go_kind, &file_kind, &command_kind, NULL };

const struct cell_kind *cell_kind_find(const char *name)
{
	for (size_t i = 0; cell_kinds[i]; i++)
		if (strcmp(cell_kinds[i]->name, name) == 0 ||
		    (cell_kinds[i]->old_name && strcmp(cell_kinds[i]->old_name, name) == 0))
			return cell_kinds[i];
	return NULL;
}

const char *cell_kind_slot(const struct cell_kind *k, int i)
{
	static const char *const plain[3] = { "case", "variant", "atomics" };
	return k && k->slot_names[i] ? k->slot_names[i] : plain[i];
}
