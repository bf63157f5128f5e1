/* SPDX-License-Identifier: GPL-2.0 */
/* systemd's readiness protocol, without libsystemd (notify.c). */
#ifndef WGPHYS_NOTIFY_H
#define WGPHYS_NOTIFY_H

/* Send "READY=1", "STATUS=..." and the like to $NOTIFY_SOCKET, if the
 * service manager set one. 0, or -errno (nobody listening is 0). */
int notify_send(const char *state);

#endif
