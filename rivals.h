/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who else manages the network here: the network managers and DHCP
 * clients running in the current network namespace, found by reading
 * /proc (read-only; nothing is signalled), one per daemon (its forked
 * helpers, of the same name, are not counted again). For `wgphys check`,
 * which tells the user what each will do when up takes its devices away.
 */
#ifndef WGPHYS_RIVALS_H
#define WGPHYS_RIVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum rival_kind {
	RIVAL_NETWORKMANAGER,
	RIVAL_NETWORKD,		/* systemd-networkd */
	RIVAL_IWD,
	RIVAL_DHCLIENT,
	RIVAL_DHCPCD,
	RIVAL_UDHCPC,
	RIVAL_WPA_SUPPLICANT,
};

#define RIVAL_ARGS_MAX 32

struct rival {
	enum rival_kind kind;
	pid_t pid;
	/* Whether it is known to share our network namespace (reading
	 * /proc/PID/ns/net takes ptrace access: root, or its owner); when
	 * not known, it is listed anyway. */
	bool netns_known;
	size_t argc;
	char argv[RIVAL_ARGS_MAX][64];	/* its command line's words after the
					 * first, cut to fit */
};

/* The rivals running in this namespace, by pid. The caller frees *out. */
int rivals_find(struct rival **out, size_t *n);

/* Its program's name: "NetworkManager", "systemd-networkd", "dhclient"... */
const char *rival_name(enum rival_kind kind);

/* Whether its command line names ifname as its interface ("eth0",
 * "-i eth0", "-ieth0", "--interface=eth0"). */
bool rival_names(const struct rival *r, const char *ifname);

#endif
