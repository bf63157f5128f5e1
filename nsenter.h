/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entering a named network namespace for a process about to exec, the way
 * `ip netns exec` does it, so that what runs there sees that namespace's
 * devices in /sys and its own /etc (resolv.conf, nsswitch.conf).
 */
#ifndef WGPHYS_NSENTER_H
#define WGPHYS_NSENTER_H

#include "err.h"

/*
 * In the calling process (meant to be one that will exec next):
 * setns(netns_fd, CLONE_NEWNET); unshare(CLONE_NEWNS); make / a recursive
 * slave so nothing mounted here propagates back; remount /sys for this
 * namespace; bind every file of NETNS_ETC_DIR/<name>/ over /etc/<file>.
 * Needs CAP_SYS_ADMIN (effective). Returns 0 or -errno.
 */
int nsenter_netns(int netns_fd, const char *name, struct wgp_err *err);

#endif
