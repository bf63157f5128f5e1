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
 * runs only if it succeeds.
 * In two halves, so that several start side by side: begin returns once the
 * daemon is on record and told to go (s->pid -1: nothing begun), end once
 * it is exec'd (or with why not). Every begun start must be ended.
 * spec->argv[0] and netns must outlive end.
 */
struct daemon_starting {
	pid_t pid;
	int fd;
	const char *path, *netns;
};
int daemon_start_begin(int netns_fd, const char *netns, const struct daemon_spec *spec,
		       daemon_journal_fn journal, void *arg, struct daemon_starting *s,
		       struct wgp_err *err);
int daemon_start_end(struct daemon_starting *s, struct wgp_err *err);

/*
 * Start a program in the current (main) namespace, unconfined, detached:
 * for RestoreOnDown; nothing is recorded. begin checks that argv[0] can
 * be run and forks (argv[0], which names it in a failure, must outlive
 * end); end reaps the fork and says why the program could not be run if
 * that is known by then: it does not wait for the exec. Several may be
 * begun before the first end, so that they start side by side.
 */
struct daemon_spawn {
	pid_t pid;		/* -1: nothing begun */
	int fd;
	const char *name;
};
int daemon_spawn_main_begin(char *const *argv, struct daemon_spawn *sp, struct wgp_err *err);
int daemon_spawn_main_end(struct daemon_spawn *sp, struct wgp_err *err);

/* Whether d is still the process that was started (pid and start time). */
bool daemon_alive(const struct state_daemon *d);
/*
 * Stopping daemons: only what is provably ours is signalled, never
 * inferred from an absence: a daemon by its pid and start time, one of
 * its helpers by its session and by living in the namespace of that
 * identity (netns_ino 0: unknown, then helpers are left alone), and a
 * process of that namespace that descends from one of the daemons (the
 * guard, a subreaper, adopts what a daemon that died left; they get
 * SIGKILL). Already gone is success.
 */
#define DAEMON_TERM_WAIT_MS 3000	/* after SIGTERM, before SIGKILL */
#define DAEMON_KILL_WAIT_MS 2000	/* after SIGKILL, before giving up */

/* Daemons signalled and not yet waited for. */
struct daemon_stopping;

/*
 * Find every process of d[0..n) in one pass, and signal them, d[i] with
 * sigs[i]: SIGTERM goes to the daemon (which takes its helpers down),
 * SIGKILL to every process of it. With first (one of d), only first is
 * signalled now, the others when daemon_stop_await(first) returns: what
 * first does on its way out is not disturbed by the others' ends (the
 * guard would look after each daemon that dies). The waiting is left to
 * daemon_stop_await and daemon_stop_end, so that the caller may work
 * meanwhile. -ENOMEM (nothing signalled; *out NULL).
 */
int daemon_stop_begin(const struct state_daemon *d, const int *sigs, size_t n,
		      dev_t netns_dev, ino_t netns_ino, const struct state_daemon *first,
		      struct daemon_stopping **out);
/* Wait, at most ms, for d (one of them) to be gone; then SIGKILL, and
 * -EBUSY if even that does not end it. If d was first, the others are
 * signalled then. */
int daemon_stop_await(struct daemon_stopping *s, const struct state_daemon *d, int ms,
		      struct wgp_err *err);
/* Wait for the rest until ms after they were signalled, SIGKILL what is
 * left, and what their sessions started meanwhile; -EBUSY if something
 * would not exit. Frees s (NULL: nothing). */
int daemon_stop_end(struct daemon_stopping *s, int ms, struct wgp_err *err);

/* /proc/PID/stat field 22, or 0. */
unsigned long long proc_starttime(pid_t pid);

#endif
