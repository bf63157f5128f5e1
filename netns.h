/* SPDX-License-Identifier: GPL-2.0 */
/* Named network namespaces, laid out as ip-netns(8) does. 0 or -errno. */
#ifndef WGPHYS_NETNS_H
#define WGPHYS_NETNS_H

#include <sys/types.h>

#include "err.h"

/* The namespace this thread runs in: wgphys's "main". */
int netns_current(void);
/* Create NETNS_RUN_DIR/name bound to a new namespace; returns its fd. */
int netns_create(const char *name, struct wgp_err *err);
/* Open NETNS_RUN_DIR/name: a namespace file, not a symlink. -ENOENT if absent. */
int netns_open(const char *name, struct wgp_err *err);
/* Unbind and remove NETNS_RUN_DIR/name; absent is success. */
int netns_delete(const char *name, struct wgp_err *err);
/* The identity of a namespace fd (nsfs device and inode). */
int netns_id(int fd, dev_t *dev, ino_t *ino);

#endif
