// SPDX-License-Identifier: GPL-2.0
/*
 * A test tool: fence.c's three calls from the command line, so that VM
 * tests can put the kill switch in place and take it away with no wgphys
 * around. Tests judge by what the kernel shows (nft -j), not by this.
 *
 *   fence-tool install|remove|present
 *
 * Exit status: 0 done (present: it is there), 1 present: it is not,
 * 2 usage, 3 the call failed (the error on stderr).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fence.h"

int main(int argc, char **argv)
{
	struct wgp_err err = { 0 };
	bool present = false;
	char line[1024];
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s install|remove|present\n", argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "install") == 0) {
		ret = fence_install(&err);
	} else if (strcmp(argv[1], "remove") == 0) {
		ret = fence_remove(&err);
	} else if (strcmp(argv[1], "present") == 0) {
		ret = fence_present(&present, &err);
		if (ret == 0) {
			puts(present ? "present" : "absent");
			return present ? 0 : 1;
		}
	} else {
		fprintf(stderr, "usage: %s install|remove|present\n", argv[0]);
		return 2;
	}
	if (ret < 0) {
		wgp_format(&err, line, sizeof(line));
		fprintf(stderr, "fence-tool: %s\n", line);
		return 3;
	}
	return 0;
}
