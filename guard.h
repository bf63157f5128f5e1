/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guard: while wgphys is up, one small process keeps the promise as the
 * machine lives (guard.c: its life and its loop; hotplug.c: devices that
 * appear; supervise.c: daemons that die). The command layer sees only
 * guard_run, guard_spawn and guard_alive; the rest is shared by those three
 * files.
 */
#ifndef WGPHYS_GUARD_H
#define WGPHYS_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "model.h"
#include "err.h"
#include "netlink.h"
#include "nl80211.h"
#include "state.h"

/* How the guard speaks: one line per event (LOG_INFO, LOG_WARNING,
 * LOG_ERR), and once when it watches (the kill switch is in place). */
struct guard_hooks {
	void (*log)(void *arg, int prio, const char *line);
	void (*ready)(void *arg);
	void *arg;
};

/* Whether the journal names a guard that is alive. */
bool guard_alive(const struct state *st);

/*
 * Become the guard of what `up` did: record ourselves in the journal, take
 * the fewest capabilities, and watch until SIGTERM or SIGINT, which end it
 * (0) without undoing anything: only `down` undoes. -EALREADY if a live
 * guard is on record, -ENOENT if nothing is up, -errno on failure.
 */
int guard_run(const struct wgphys_config *cfg, const struct guard_hooks *h,
	      struct wgp_err *err);

/*
 * The guard in the background, as the parent of the daemons: a child runs
 * first(arg, err) (up itself, so that the daemons it starts are the
 * guard's own children), then detaches (its own session, stdio on
 * /dev/null) and runs guard_run, logging through h->log. The caller learns
 * how it went.
 */
struct guard_spawned {
	int ret;		/* 0: the guard watches */
	bool first_failed;	/* ...else first() failed (err is its), or */
	int died;		/* the child exited without a word: its wait status */
	struct wgp_err err;
};
void guard_spawn(const struct wgphys_config *cfg, const struct guard_hooks *h,
		 int (*first)(void *arg, struct wgp_err *err), void *arg,
		 struct guard_spawned *out);

/* ---- shared by guard.c, hotplug.c and supervise.c ---- */

/* A daemon the guard watches. */
struct watched {
	struct state_daemon d;
	int pidfd;			/* -1: not running */
	bool child;			/* ours to reap */
	unsigned int backoff;		/* seconds before the next start */
	uint64_t started, due;		/* monotonic ms; due 0: none set */
	pid_t orphans;			/* the session of the one that died, 0: none */
};

struct guard {
	const struct wgphys_config *cfg;
	const struct guard_hooks *h;
	struct state *st;
	int main_fd, phys_fd;
	struct nlk *nl_main, *nl_phys;	/* requests */
	struct nlk *ev_main, *ev_phys;	/* link events */
	struct nl80211 *wl_main, *wl_phys;	/* NULL: no wireless */
	struct nl80211_watch *wl_events;	/* phys appearing in main */
	struct nlk *ev_fence;		/* nftables changes in main */
	int ep, sig_fd, timer_fd, watch_fd;
	struct watched *w;
	size_t n_w;
	uint64_t retry_due;		/* a deferred sweep; 0: none */
	bool stop;
};

/* Monotonic milliseconds. */
uint64_t guard_now(void);
__attribute__((format(printf, 3, 4)))
void guard_log(struct guard *g, int prio, const char *fmt, ...);
void guard_log_err(struct guard *g, const char *what, const struct wgp_err *err);
/* Rewrite the journal (under the lock, which up and down hold while they
 * work: -EAGAIN then, try again later). */
int guard_journal(struct guard *g, struct wgp_err *err);
/* Arm the timer for the earliest due time of everything. */
void guard_rearm(struct guard *g);
/* Watch w[i]'s pidfd in the event loop. */
int guard_watch_pidfd(struct guard *g, size_t i);

/* hotplug.c: move what is in main and should not be; set up what arrived
 * in physical. */
void hotplug_sweep(struct guard *g);
void hotplug_main_event(struct guard *g);
void hotplug_phys_event(struct guard *g);
void hotplug_wiphy_event(struct guard *g);

/* supervise.c: the daemons. */
int supervise_adopt(struct guard *g);
void supervise_exited(struct guard *g, size_t i);
void supervise_due(struct guard *g);
void supervise_reap(struct guard *g);
/* wpa_supplicant for a wireless link that arrived in physical, if it has
 * a configuration and none runs for it. */
void supervise_link_arrived(struct guard *g, const char *ifname);

#endif
