// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "err.h"

int wgp_verrf(struct wgp_err *err, int code, const char *fmt, va_list ap)
{
	if (err && !err->msg[0])
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code > 0 ? -code : code;
}

int wgp_errf(struct wgp_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = wgp_verrf(err, code, fmt, ap);
	va_end(ap);
	return ret;
}
