// SPDX-License-Identifier: GPL-2.0
/*
 * The front hands every command but exec to wgphys-core, so that the file
 * which may carry file capabilities holds nothing but exec: no netlink, no
 * nftables, no nl80211 code runs with a capability a user started it with.
 *
 * Where the core is: beside the front's own file first, then the path
 * built in. Never a path from the environment: root under sudo with its
 * environment kept would run whatever it named.
 *
 * Why "beside our own file" is safe for the capability copy, run by a
 * user: whatever runs next gets none of its capabilities. exec gives a
 * program without file capabilities of its own (and a file a user placed
 * cannot have any) only what the ambient set holds, and, through the
 * file's inheritable set, what the inheritable set holds: the kernel
 * emptied ambient when it started this capability file, and
 * privdrop_no_inherit() empties both again and checks. The permitted
 * capabilities are never raised before this point, and exec drops them.
 * So a core the user put beside a hard link of the copy runs as the user,
 * with what the user had. Root running a front from a directory others
 * may write to is already lost, with or without this lookup.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

#include "handoff.h"
#include "paths.h"
#include "privdrop.h"

#define CORE_NAME "wgphys-core"

/* DIR/wgphys-core, DIR the directory of the running program's file. */
static int core_beside_self(char *path, size_t len)
{
	char self[PATH_MAX];
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self) - 1)
		return -ENOENT;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(path, len, "%s/" CORE_NAME, self) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int handoff_core(char *argv[], struct wgp_err *err)
{
	char path[PATH_MAX];
	int ret;

	/*
	 * A capability copy run by a user: make sure nothing crosses.
	 * Anyone else (root, a service given ambient capabilities) hands
	 * the core what it holds, untouched.
	 */
	if (getauxval(AT_SECURE)) {
		ret = privdrop_no_inherit(err);
		if (ret < 0)
			return ret;
	}
	if (core_beside_self(path, sizeof(path)) == 0) {
		execv(path, argv);
		if (errno != ENOENT)
			return wgp_fail(err, errno, "Cannot run", "%s", path);
	}
	execv(WGPHYS_CORE, argv);
	return wgp_fail(err, errno, "Cannot run", "%s", WGPHYS_CORE);
}
