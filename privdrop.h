/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Giving up every privilege before exec, in the order that leaves no window
 * where a privilege survives: the sets that need CAP_SETPCAP first, then the
 * ids, then the capability sets, then no_new_privs, then proof that it took.
 * Lower layer: never prints, never exits.
 */
#ifndef WGPHYS_PRIVDROP_H
#define WGPHYS_PRIVDROP_H

#include <sys/types.h>

#include "err.h"

/*
 * Make the effective set equal to the permitted one. A binary installed with
 * file capabilities "+p" starts with them permitted but not effective; root
 * already has them all. Returns 0 or -errno.
 */
int privdrop_raise(struct wgp_err *err);

/* Whether cap (CAP_*) is in the effective set now (capget). */
int privdrop_have(unsigned int cap);

/*
 * Become uid/gid with exactly groups[0..n_groups) as supplementary groups
 * and nothing else: ambient and bounding sets emptied, effective, permitted
 * and inheritable sets emptied, no_new_privs set. Ids that already have the
 * wanted value are left alone, so that a binary with file capabilities,
 * whose ids are already the user's, needs neither CAP_SETUID nor
 * CAP_SETGID. Then privdrop_verify(). Irreversible: on failure the process
 * is in between and must not exec anything. Returns 0 or -errno.
 */
int privdrop_drop(uid_t uid, gid_t gid, const gid_t *groups, int n_groups,
		  struct wgp_err *err);

/*
 * Before exec'ing a program that must start with no capability from us:
 * empty the ambient and inheritable sets (neither needs a privilege) and
 * check with the kernel that both are empty. The effective and permitted
 * sets are left as they are; exec itself drops those unless the next file
 * has capabilities of its own. Returns 0 or -errno.
 */
int privdrop_no_inherit(struct wgp_err *err);

/*
 * Check, from what the kernel reports and not from what we did, that the
 * process is uid/gid/groups and holds nothing: every capability set empty,
 * no_new_privs on, and setuid(0) and setresuid(0, 0, 0) fail. 0, or -EPERM with err saying what survived.
 */
int privdrop_verify(uid_t uid, gid_t gid, const gid_t *groups, int n_groups,
		    struct wgp_err *err);

#endif
