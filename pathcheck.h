/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a path can be swapped under root: a root-owned file is only as
 * safe as the directories that lead to it. Lower layer: never prints.
 */
#ifndef WGPHYS_PATHCHECK_H
#define WGPHYS_PATHCHECK_H

#include "err.h"

/*
 * Refuse path (-EPERM, err naming the directory and why) if a user other
 * than root could replace what it names: every directory from / down to
 * the last component must be owned by root and writable by neither group
 * (unless the group is root's, gid 0) nor others. A world- or
 * group-writable directory with the sticky bit (/tmp) is accepted where it
 * is root's and the entry below it is root's too: the sticky bit keeps
 * others from renaming or removing an entry they do not own. Symbolic
 * links on the way, the last component included, are followed (at most
 * 40) and their targets checked the same way. A relative path is taken
 * from the current directory. The last component may be absent (0); ACLs
 * are not looked at. Returns 0 or -errno.
 */
int path_check_parents(const char *path, struct wgp_err *err);

#endif
