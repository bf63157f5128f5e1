/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A terminal of its own for a command that root runs as another user, the
 * way sudo's use_pty does it: root's terminal is never handed over, so
 * nothing the command leaves behind can read root's next line or type into
 * root's shell. Lower layer: never prints, never exits (but for the child).
 */
#ifndef WGPHYS_PTY_H
#define WGPHYS_PTY_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* Whether one of fds 0-2 is a terminal that uid does not own. */
bool pty_needed(uid_t uid);

/*
 * In a child: a new session whose controlling terminal is a new
 * pseudo-terminal owned by uid (group tty, mode 0620, root's terminal
 * settings and size), on each of fds 0-2 that was a terminal; then
 * child(arg, cmd_failed, err), which must exec or fill *err and return
 * < 0 (both carried back here). Meanwhile this
 * process, holding no capability, relays between its terminal and the
 * pseudo-terminal (raw mode, window size, ^Z suspends both) until the
 * child exits, then closes it: what the command left behind keeps a
 * terminal that no longer answers.
 *
 * Returns the command's exit status (128 + signal if killed); or -errno
 * with err (and *cmd_failed) as child() reported them when it could not
 * exec, or as this side saw it when nothing could be started.
 */
int pty_run(uid_t uid, int (*child)(void *arg, bool *cmd_failed, struct wgp_err *err),
	    void *arg, bool *cmd_failed, struct wgp_err *err);

#endif
