/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named network namespaces, laid out as ip-netns(8) does: a namespace is a
 * bind mount of its nsfs file on NETNS_RUN_DIR/NAME. This is the one place
 * that knows the path, the name rule and what makes a namespace "the one
 * up made". 0 or -errno.
 */
#ifndef WGPHYS_NETNS_H
#define WGPHYS_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define NETNS_NAME_MAX 64	/* longest accepted namespace name */

/* A name that is safe as a file under NETNS_RUN_DIR and in messages:
 * letters, digits, '_', '.', '-', not starting with '.' or '-'. */
bool netns_valid_name(const char *name);
/* NETNS_RUN_DIR/name into buf; -EINVAL for an invalid name. */
int netns_path(const char *name, char *buf, size_t len);

/* The namespace this thread runs in: wgphys's "main". */
int netns_current(void);
/* The identity of a namespace fd (nsfs device and inode). */
int netns_id(int fd, dev_t *dev, ino_t *ino);
/* Whether fd is the namespace of that identity. */
bool netns_is(int fd, dev_t dev, ino_t ino);

/* Create NETNS_RUN_DIR/name bound to a new namespace; returns its fd.
 * -EEXIST (err set) if the name is taken. */
int netns_create(const char *name, struct wgp_err *err);
/* Open NETNS_RUN_DIR/name: a namespace file, not a symlink, a FIFO or a
 * plain file. -ENOENT if absent. */
int netns_open(const char *name, struct wgp_err *err);
/* netns_open, and only if it is the namespace of that identity: -ESTALE
 * (err set) when something else sits at the name. */
int netns_open_as(const char *name, dev_t dev, ino_t ino, struct wgp_err *err);
/* Bind the namespace fd at NETNS_RUN_DIR/name again (it was unmounted or
 * removed while someone held it open). Already there is success. */
int netns_rebind(int fd, const char *name, struct wgp_err *err);
/* Unbind and remove NETNS_RUN_DIR/name; absent is success. */
int netns_delete(const char *name, struct wgp_err *err);

#endif
