/* cell_kind: the registry of kinds. Contract: cell_kind.h. */
#include "cell_kind.h"

#include <string.h>

const struct cell_kind *const cell_kinds[] = { &stress_kind, NULL };

const struct cell_kind *cell_kind_find(const char *name)
{
	for (size_t i = 0; cell_kinds[i]; i++)
		if (strcmp(cell_kinds[i]->name, name) == 0)
			return cell_kinds[i];
	return NULL;
}
