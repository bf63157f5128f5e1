/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lower layers never print. When they fail they return -errno and, if the
 * caller passed one, describe the failure in a struct wgp_err naming the
 * object ("eth0", "phy0", "/etc/wgphys.conf:12") and, where the kernel gave
 * one, its extended-ack text. Only wgphys.c turns that into a message.
 */
#ifndef WGPHYS_ERR_H
#define WGPHYS_ERR_H

#include <stdarg.h>
#include <stdbool.h>

struct wgp_err {
	char msg[512];
	bool changed;	/* something had been changed (and was undone) */
};

/* Returns -code, so that "return wgp_errf(err, EINVAL, ...);" reads well.
 * err may be NULL. A message already set is kept: the innermost layer that
 * knew the object named it best. */
int wgp_errf(struct wgp_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int wgp_verrf(struct wgp_err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
