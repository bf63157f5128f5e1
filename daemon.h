/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemons wgphys starts in the physical namespace (dhcpcd,
 * wpa_supplicant) and the one-shot helpers it runs there. 0 or -errno.
 */
#ifndef WGPHYS_DAEMON_H
#define WGPHYS_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "state.h"

struct daemon_spec {
	const char *name;		/* "dhcpcd": also names /run/<name> and the log */
	const char *ifname;		/* the link it serves, "" for all */
	char *const *argv;		/* argv[0] an absolute path */
	const int *caps;		/* its bounding set, CAPS_END-terminated */
};

/* Records a daemon before it runs; called between fork and exec. */
typedef int (*daemon_journal_fn)(void *arg, const struct state_daemon *d,
				 struct wgp_err *err);

/*
 * Start spec in netns_fd (called name), in a private mount namespace where
 * NETNS_ETC_DIR/<name>/ is bound over /etc and a fresh /run/<spec->name>
 * keeps it from talking to an instance of the main namespace; a new
 * session, a fixed environment, stdio to WGPHYS_RUN_DIR/<spec->name>.log.
 * journal(arg, the daemon) is called between fork and exec, and the program
 * runs only if it succeeds. Returns once the program is exec'd (or failed
 * to be).
 */
int daemon_start(int netns_fd, const char *netns, const struct daemon_spec *spec,
		 daemon_journal_fn journal, void *arg, struct wgp_err *err);

/* Start a program in the current (main) namespace, unconfined, detached:
 * for RestoreOnDown. Returns once it is exec'd; nothing is recorded. */
int daemon_spawn_main(char *const *argv, struct wgp_err *err);

/* Whether d is still the process that was started (pid and start time). */
bool daemon_alive(const struct state_daemon *d);
/*
 * Stop d[0..n): SIGTERM to each daemon, one bounded wait, SIGKILL to what
 * is left, another. Only what is provably ours is signalled, never
 * inferred from an absence: a daemon by its pid and start time, one of
 * its helpers by its session and by living in the namespace of that
 * identity (netns_ino 0: unknown, then helpers are left alone). Already
 * gone is success; -EBUSY if something would not exit.
 */
int daemon_stop_all(const struct state_daemon *d, size_t n, dev_t netns_dev,
		    ino_t netns_ino, struct wgp_err *err);

/* /proc/PID/stat field 22, or 0. */
unsigned long long proc_starttime(pid_t pid);

#endif
