/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wgphys check`: a preflight that changes nothing. Whether the
 * configuration files are valid, the kernel has what up needs (WireGuard,
 * network namespaces, the nftables fence's expressions), what up would
 * move and whether each phy may move, who else manages the network here
 * and what each will do, and whether dhcpcd and wpa_supplicant are there.
 * Each finding is one line for the command layer to print; nothing here
 * prints.
 *
 * The probes that need a kernel object are made in a child, in a network
 * namespace of its own that dies with it. WireGuard is looked for in the
 * list of generic netlink families, which loads nothing; asking for the
 * family by its name makes the kernel load the module (request_module in
 * genetlink's CTRL_CMD_GETFAMILY, for any caller), which is what
 * check_options.load does.
 */
#ifndef WGPHYS_CHECK_H
#define WGPHYS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#include "nl80211.h"

enum check_level {
	CHECK_OK,		/* what up needs is there */
	CHECK_NOTE,		/* for the user to know (what moves) */
	CHECK_WARN,		/* up works, but something will fight it */
	CHECK_FAIL,		/* up would fail, or break a promise */
};

struct check_finding {
	enum check_level level;
	char topic[24];		/* one word: "kernel", "config", "NetworkManager" */
	char text[600];
};

struct check_options {
	const char *config_path;	/* NULL: WGPHYS_CONF, the defaults if absent */
	const char *cred_dir;		/* $CREDENTIALS_DIRECTORY, or NULL */
	bool load;			/* load WireGuard's module if it is not */
};

struct check_report {
	struct check_finding *v;
	size_t n;
	unsigned int failed;		/* findings of CHECK_FAIL */
	bool up;			/* wgphys is up already: nothing to plan */
	/* What up would move (empty when up, or when it could not plan). */
	char (*links)[IFNAMSIZ];
	size_t n_links;
	char (*phys)[NL80211_WIPHY_NAME_MAXLEN + 1];
	size_t n_phys;
};

/* Look at everything: 0 with r filled in, or -ENOMEM. */
int check_run(const struct check_options *o, struct check_report *r);
void check_report_free(struct check_report *r);

#endif
