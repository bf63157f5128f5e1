/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the front, wgphys, becomes wgphys-core for every command it does not
 * run itself. Lower layer: never prints, never exits.
 */
#ifndef WGPHYS_HANDOFF_H
#define WGPHYS_HANDOFF_H

#include "err.h"

/*
 * execv() wgphys-core with argv: the one beside this program's own file
 * if there is one (an in-tree build), else WGPHYS_CORE. Nothing is looked
 * up in the environment. Only returns on failure: -errno, err naming the
 * file.
 */
int handoff_core(char *argv[], struct wgp_err *err);

#endif
