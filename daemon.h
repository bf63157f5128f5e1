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
	char *const *argv;		/* argv[0] an absolute path */
	const int *caps;		/* its bounding set, CAPS_END-terminated */
};

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
		 int (*journal)(void *arg, const struct state_daemon *d, struct wgp_err *err),
		 void *arg, struct wgp_err *err);

/* Start a program in the current (main) namespace, unconfined, detached:
 * for RestoreOnDown. Returns once it is exec'd; nothing is recorded. */
int daemon_spawn_main(char *const *argv, struct wgp_err *err);

/* Whether d is still the process that was started (pid and start time). */
bool daemon_alive(const struct state_daemon *d);
/* SIGTERM alone, no wait: to let several shut down at once. */
void daemon_term(const struct state_daemon *d);
/* SIGTERM, wait (bounded), SIGKILL: the daemon and what is left of its
 * process group. Already gone is success. */
int daemon_stop(const struct state_daemon *d, struct wgp_err *err);

/* /proc/PID/stat field 22, or 0. */
unsigned long long proc_starttime(pid_t pid);

#endif
