/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `up` has done, kept in WGPHYS_RUN_DIR/state so that `down`, `exec`
 * and a later recovery after a crash know it. The file is rewritten
 * (atomically, by rename) *before* each step of `up` that changes
 * something, so it always describes a superset of what was done; `down`
 * checks each item against what the kernel reports before undoing it.
 *
 * Text, one item per line, fields separated by single spaces:
 *   wgphys-state 1
 *   netns NAME DEV INO          the "physical" namespace (nsfs st_dev, st_ino)
 *   main DEV INO                the namespace `up` was run in
 *   created-netns               we created /run/netns/NAME
 *   fence                       we installed the nftables fence in main
 *   etc FLAGS                   what we created under /etc/netns/NAME
 *   tunnel IFNAME               the tunnel we (may have) created in main
 *   link IFINDEX NAME MAC PHY UP [TYPE [KIND]]
 *                               a NIC to move (MAC - if none; PHY = wiphy
 *                               index or -1; UP 1 if it was up; TYPE its
 *                               ARPHRD_*, 1 if absent; KIND its rtnetlink
 *                               kind, - or absent for a driver's NIC)
 *   phy INDEX NAME              a wireless phy to move
 *   saved-at SECONDS            CLOCK_BOOTTIME when they were saved
 *   saved HEX                   an rtnetlink message (address or route) to
 *                               restore on the original link
 *   resolv MODE                 main resolv.conf: kept|file|symlink|absent
 *   daemon PID STARTTIME NAME [IFNAME]
 *                               a daemon we started in the namespace (for
 *                               one link, or for all when IFNAME is absent)
 *   guard PID STARTTIME         the guard watching over what up did
 *   stage N                     STATE_STAGE_UP once `up` has finished
 */
#ifndef WGPHYS_STATE_H
#define WGPHYS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <net/if.h>

#include "model.h"
#include "err.h"

struct state_link {
	int ifindex;			/* in the main namespace, before up */
	char name[IFNAMSIZ];
	char mac[3 * 32];		/* "aa:bb:..", empty if none */
	int64_t wiphy;			/* -1: not wireless */
	bool up;			/* IFF_UP before */
	unsigned int type;		/* ARPHRD_* */
	char kind[32];			/* IFLA_INFO_KIND, "" for a driver's NIC,
					 * "*" unknown (an older journal) */
};

struct state_phy {
	uint32_t index;
	char name[65];			/* NL80211_WIPHY_NAME_MAXLEN + 1 */
};

struct state_daemon {
	pid_t pid;
	unsigned long long starttime;	/* /proc/PID/stat field 22 */
	char name[32];
	char ifname[IFNAMSIZ];		/* its link, "" for all */
};

struct state_blob {
	uint8_t *data;			/* a whole nlmsghdr */
	size_t len;
};

enum resolv_mode {
	RESOLV_KEPT,			/* not touched */
	RESOLV_FILE,			/* saved copy in RUN_DIR/resolv.conf */
	RESOLV_SYMLINK,			/* saved target in RUN_DIR/resolv.conf */
	RESOLV_ABSENT,			/* there was none */
};

/* The stage of a state whose `up` finished; anything else is midway. */
#define STATE_STAGE_UP		100

#define ETC_CREATED_DIR		0x1
#define ETC_CREATED_RESOLV	0x2
#define ETC_CREATED_NSSWITCH	0x4
#define ETC_CREATED_PARENT	0x8	/* NETNS_ETC_DIR itself */
#define ETC_CREATED_ALL		0xf

/* The longest saved rtnetlink message: its replay, a few attributes
 * longer, must fit rtnl_replay's buffer (MNL_SOCKET_BUFFER_SIZE, at least
 * 4 KiB). Real addresses and routes take a few hundred bytes. */
#define STATE_SAVED_MAX		3072

struct state {
	char netns[WGPHYS_NETNS_MAX + 1];
	dev_t netns_dev;
	ino_t netns_ino;
	dev_t main_dev;
	ino_t main_ino;
	bool created_netns;
	bool fence;
	unsigned int etc_flags;
	char tunnel[IFNAMSIZ];
	struct state_link *links;
	size_t n_links;
	struct state_phy *phys;
	size_t n_phys;
	struct state_blob *saved;
	size_t n_saved;
	uint32_t saved_at;		/* CLOCK_BOOTTIME seconds of the save */
	enum resolv_mode resolv;
	struct state_daemon *daemons;
	size_t n_daemons;
	struct state_daemon guard;	/* pid 0: none */
	int stage;
};

/*
 * Read WGPHYS_RUN_DIR/state. -ENOENT if there is none (nothing is up).
 * The file and every directory above it must be root's and writable by no
 * one else (-EPERM otherwise), and it must parse whole (-EINVAL).
 */
int state_read(struct state **out, struct wgp_err *err);
/*
 * Parse the text of a state file (len bytes, no NUL needed or allowed;
 * name is for messages): the first line "wgphys-state 1", then one item
 * per line as above, each field's length and range checked; lines that
 * may appear once appear once; a "netns" line is required. -EINVAL with
 * err naming NAME:LINE, or -ENOMEM.
 */
int state_parse(const char *buf, size_t len, const char *name, struct state **out,
		struct wgp_err *err);
/* The file's text, as state_write writes it. 0 or -EIO. */
int state_format(const struct state *st, FILE *f);
/* Write it atomically (mode 0644), creating WGPHYS_RUN_DIR (0755) if needed. */
int state_write(const struct state *st, struct wgp_err *err);
/* Remove the state file (after a complete down). */
int state_remove(struct wgp_err *err);
void state_free(struct state *st);

int state_add_link(struct state *st, const struct state_link *l);
int state_add_phy(struct state *st, const struct state_phy *p);
int state_add_daemon(struct state *st, const struct state_daemon *d);
/* Forget daemon i (it is gone, or about to be replaced). */
void state_del_daemon(struct state *st, size_t i);
/* -EMSGSIZE unless state_saved_valid(nlh, len). */
int state_add_saved(struct state *st, const void *nlh, size_t len);
/* One whole RTM_NEWADDR or RTM_NEWROUTE (AF_INET or AF_INET6), its fixed
 * header present and every attribute within its nlmsg_len == len, at most
 * STATE_SAVED_MAX bytes. */
bool state_saved_valid(const void *nlh, size_t len);

/* Exclusive lock on WGPHYS_RUN_DIR/lock for up/down: fd or -EWOULDBLOCK. */
int state_lock(struct wgp_err *err);
/* The same, waiting up to ms for a holder that only writes the journal
 * (the guard takes it for a moment). */
int state_lock_wait(int ms, struct wgp_err *err);

#endif
