#include "testpoint.h"

#include <stddef.h>

void (*volatile testpoint_hook)(enum testpoint point) = NULL;
