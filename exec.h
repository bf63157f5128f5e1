/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wgphys exec`: run one command in the physical namespace as the invoking
 * user, with every privilege dropped. Lower layer: never prints, never
 * exits; wgphys.c turns failures into messages and exit statuses.
 */
#ifndef WGPHYS_EXEC_H
#define WGPHYS_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

struct exec_request {
	const char *netns;	/* the configured namespace name, or NULL */
	const char *user;	/* -u USER (name or #uid), or NULL */
	char **argv;		/* the command, argv[0] looked up in PATH */
};

/* Who the command will run as, and why (for --dry-run style checks). */
struct exec_target {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int n_groups;
	char *name;		/* login name; NULL if uid has none, or if not
				 * looked up (file capabilities, with HOME,
				 * USER, LOGNAME and SHELL all set) */
	char *home;
	char *shell;
	bool via_caps;		/* run by a non-root user with file capabilities */
	bool via_sudo;		/* root, target from SUDO_UID/SUDO_GID */
};

/*
 * Decide the target from who we are and the environment:
 *  - real uid != 0 (file capabilities): the real uid/gid and current
 *    groups, whatever SUDO_UID/PKEXEC_UID say; -u is refused (-EPERM).
 *  - root under sudo or pkexec: SUDO_UID/SUDO_GID, else PKEXEC_UID;
 *    -u is refused there (-EPERM): whoever may run "sudo wgphys exec"
 *    must not pick another user.
 *  - root otherwise (a login): -u USER, else -EINVAL.
 *  - a target of uid 0 is refused (-EINVAL) on every path.
 * Returns 0 or -errno; err names the problem.
 */
int exec_resolve_target(const struct exec_request *req, struct exec_target *t,
			struct wgp_err *err);
void exec_target_free(struct exec_target *t);

/*
 * Read the namespace from the state (refused unless up has finished, and,
 * where req->netns is set, unless it names the same one), check it is the
 * namespace `up` recorded, enter it (nsenter_netns), drop to the target
 * (all capability sets empty, NoNewPrivs, verify that regaining root
 * fails), build the environment, close stray fds, leave root's session
 * when root drops to another user, and execvp.
 *
 * Where one of fds 0-2 is a terminal the target does not own (root's),
 * the command runs in a child on a terminal of its own (pty.h) while this
 * process relays: then the command's exit status comes back (>= 0).
 * Otherwise this process becomes the command and only returns on failure:
 * -errno with err set. *cmd_failed is set when the failure was the exec of
 * the command itself (-ENOENT: exit 127; otherwise 126).
 */
int exec_run(const struct exec_request *req, struct exec_target *t,
	     bool *cmd_failed, struct wgp_err *err);

#endif
