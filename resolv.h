/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS files: the main namespace's resolv.conf (the tunnel's servers while
 * up, the old one back after), and NETNS_ETC_DIR/<name>/ (the physical
 * namespace's own resolv.conf and nsswitch.conf). 0 or -errno.
 */
#ifndef WGPHYS_RESOLV_H
#define WGPHYS_RESOLV_H

#include "model.h"
#include "err.h"
#include "state.h"

/* Keep a copy of RESOLV_CONF (or its symlink target) in WGPHYS_RUN_DIR. */
int resolv_save(enum resolv_mode *mode, struct wgp_err *err);
/* The resolv.conf text of wg's DNS servers and search domains, in buf;
 * its length, or -E2BIG. */
int resolv_text(const struct wg_config *wg, char *buf, size_t len);
/* Replace RESOLV_CONF with that text, read-only while up. */
int resolv_write(const struct wg_config *wg, struct wgp_err *err);
/* Put back what resolv_save kept. */
int resolv_restore(enum resolv_mode mode, struct wgp_err *err);

/*
 * nsswitch.conf's text in, with a hosts line that asks no daemon of the
 * main namespace (systemd-resolved, mDNS): "hosts: files dns". Whether
 * anything changed (and all of it fit in out).
 */
bool resolv_nsswitch_filter(const char *in, char *out, size_t len);

/* What etc_setup will have to create under NETNS_ETC_DIR/<name>/. */
unsigned int etc_plan(const char *name);
/*
 * Create what flags say: the directory; a resolv.conf that starts as a copy
 * of the main one, so the namespace resolves at once while DHCP renews; an
 * nsswitch.conf whose hosts line asks no resolver socket (systemd-resolved,
 * mDNS) that lives in the main namespace.
 */
int etc_setup(const char *name, unsigned int flags, struct wgp_err *err);
/* Remove what flags say was created; missing is success. */
int etc_cleanup(const char *name, unsigned int flags, struct wgp_err *err);

#endif
