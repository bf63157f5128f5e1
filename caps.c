// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <cap-ng.h>
#include <linux/capability.h>

#include "caps.h"

static void add(capng_type_t type, const int *caps)
{
	for (; *caps != CAPS_END; caps++)
		capng_update(CAPNG_ADD, type, (unsigned int)*caps);
}

int caps_limit(const int *caps)
{
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_CAPS);
	add(CAPNG_PERMITTED | CAPNG_EFFECTIVE, caps);
	return capng_apply(CAPNG_SELECT_CAPS) < 0 ? -EPERM : 0;
}

int caps_step(const int *caps)
{
	unsigned int c;

	/* Permitted stays as it is: later steps raise their own. */
	capng_get_caps_process();
	for (c = 0; c <= CAP_LAST_CAP; c++)
		capng_update(CAPNG_DROP, CAPNG_EFFECTIVE, c);
	add(CAPNG_EFFECTIVE, caps);
	return capng_apply(CAPNG_SELECT_CAPS) < 0 ? -EPERM : 0;
}

bool caps_have(const int *caps)
{
	capng_get_caps_process();
	for (; *caps != CAPS_END; caps++)
		if (!capng_have_capability(CAPNG_PERMITTED, (unsigned int)*caps))
			return false;
	return true;
}

int caps_bound_for_exec(const int *caps)
{
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_BOUNDS);
	add(CAPNG_BOUNDING_SET, caps);
	/* Dropping from the bounding set needs CAP_SETPCAP effective. */
	return capng_apply(CAPNG_SELECT_BOUNDS) < 0 ? -EPERM : 0;
}
