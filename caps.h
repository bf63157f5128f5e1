/* SPDX-License-Identifier: GPL-2.0 */
/* Capability scoping with libcap-ng. 0 or -errno. */
#ifndef WGPHYS_CAPS_H
#define WGPHYS_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* End of a capability list. */
#define CAPS_END (-1)

/*
 * Shrink permitted (and effective) to the list: what the command needs
 * over its whole run. The bounding set is left alone so a daemon started
 * later can still be given its own, smaller, set.
 */
int caps_limit(const int *caps);
/* Effective = exactly the list (a subset of permitted): one step's needs. */
int caps_step(const int *caps);
/* Whether the permitted set holds every capability of the list. */
bool caps_have(const int *caps);
/*
 * In a child about to exec a program as root: the bounding set becomes the
 * list, so that the program's capabilities after exec are at most these.
 */
int caps_bound_for_exec(const int *caps);

#endif
