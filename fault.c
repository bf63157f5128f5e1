// SPDX-License-Identifier: GPL-2.0
/* Test builds: the step counter behind WGPHYS_FAIL_AT and WGPHYS_CRASH_AT. */
#include <stdlib.h>
#include <unistd.h>

#include "fault.h"

#ifdef WGPHYS_FAULT_INJECTION
static long count;

static long env_long(const char *name)
{
	const char *s = getenv(name);

	return s ? strtol(s, NULL, 10) : 0;
}

int fault_step(const char *what, struct wgp_err *err)
{
	static long fail_at = -1, crash_at = -1;

	if (fail_at < 0) {
		fail_at = env_long("WGPHYS_FAIL_AT");
		crash_at = env_long("WGPHYS_CRASH_AT");
	}
	++count;
	if (crash_at > 0 && count == crash_at)
		_exit(99);
	if (fail_at > 0 && count == fail_at)
		return wgp_refuse(err, EIO, what, "injected failure at step %ld", count);
	return 0;
}

long fault_count(void)
{
	return count;
}
#endif
