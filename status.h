/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `wgphys status` reports, gathered from the journal and the kernel
 * into one structure that the command layer prints (as text or JSON):
 * whether wgphys is up and whether its promise holds, and what is where.
 * Nothing here prints, and nothing here changes anything.
 *
 * It works for an ordinary user too, with less: the main namespace's
 * links and addresses (rtnetlink), its wireless interfaces (nl80211), the
 * journal and the processes it names are anyone's to read; the kernel
 * gives the tunnel's peers (WireGuard's GET_DEVICE) and the netfilter
 * tables (the fence) to CAP_NET_ADMIN only, and entering the physical
 * namespace (setns) takes CAP_SYS_ADMIN. A part that could not be read
 * says why in its struct wgp_err (EPERM: not without privilege).
 */
#ifndef WGPHYS_STATUS_H
#define WGPHYS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>

#include "err.h"
#include "portal.h"
#include "nl80211.h"
#include "rtnl.h"
#include "state.h"
#include "wg.h"

enum status_state {
	STATUS_DOWN,		/* no journal: nothing is up */
	STATUS_UP,		/* up, and nothing breaks the promise */
	STATUS_BROKEN,		/* up (or half up), and something breaks it */
};

enum link_role {
	ROLE_LOOPBACK,
	ROLE_TUNNEL,		/* the tunnel up made (main namespace) */
	ROLE_VIRTUAL,		/* made with a kind: veth, bridge, tun... */
	ROLE_HARDWARE,		/* a way out: a driver's NIC */
	ROLE_WIRELESS,		/* a wireless interface (of a phy) */
};

/* No handshake for this long while packets go out: the tunnel carries
 * nothing (WireGuard's REJECT_AFTER_TIME: its keys are dead by then). */
#define STATUS_HANDSHAKE_STALE 180

struct status_link {
	struct link_info link;
	enum link_role role;
	struct cidr *addrs;
	size_t n_addrs;
	/* Wireless: its phy, its type, the network it is on, the signal of
	 * its access point (the first station it reports). */
	bool wireless;
	uint32_t phy;
	char phy_name[NL80211_WIPHY_NAME_MAXLEN + 1];
	uint32_t iftype;
	bool has_ssid;
	uint8_t ssid_len;
	uint8_t ssid[NL80211_SSID_MAX];
	bool has_signal;
	int signal;		/* dBm */
};

/* The devices of one namespace; known false: err says why not. */
struct status_ns {
	bool known;
	struct wgp_err err;
	struct status_link *links;
	size_t n_links;
	struct phy_info *phys;
	size_t n_phys;
};

struct status_daemon {
	struct state_daemon d;
	bool alive;
};

enum status_fence { FENCE_UNKNOWN, FENCE_ABSENT, FENCE_PRESENT };

/* A line for the user; breaks: the promise does not hold (state broken). */
struct status_warning {
	char code[24];		/* stable, for scripts: "hardware-in-main"... */
	bool breaks;
	char text[320];
};

struct status {
	enum status_state state;
	bool recorded;			/* a journal exists */
	bool finished;			/* ...of an up that finished */
	char netns[WGPHYS_NETNS_MAX + 1];
	char netns_path[128];
	bool netns_present;		/* the path is the namespace up made */
	struct status_ns main, phys;
	/* The tunnel: a link of main (also in main.links, ROLE_TUNNEL). */
	char tunnel[IFNAMSIZ];
	const struct status_link *tunnel_link;	/* NULL: not there */
	struct wg_device_info *wg;	/* NULL: peers not known (wg_err) */
	struct wgp_err wg_err;
	struct status_daemon *daemons;
	size_t n_daemons;
	bool has_guard;			/* the journal names one */
	struct status_daemon guard;
	enum status_fence fence;
	struct wgp_err fence_err;	/* FENCE_UNKNOWN: why */
	struct timespec now;		/* CLOCK_REALTIME when gathered */
	int64_t up_for;			/* seconds since up saved the network; -1 */
	struct status_warning *warnings;
	size_t n_warnings;
	/* A captive portal in the way (portal.c): looked for when the
	 * tunnel is silent, as root (the probe runs inside physical). */
	bool portal_known;
	struct portal portal;
	struct wgp_err portal_err;
};

/*
 * Gather it all. Fails (-errno, err set) only when the journal cannot be
 * read or memory runs out; every other part that cannot be read is left
 * unknown, with its reason.
 */
int status_gather(struct status **out, struct wgp_err *err);
void status_free(struct status *st);

/* Whether err says "not without privilege". */
bool status_needs_root(const struct wgp_err *err);

#endif
