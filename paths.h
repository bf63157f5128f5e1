/* SPDX-License-Identifier: GPL-2.0 */
/* Every path wgphys touches, overridable at build time (make CPPFLAGS=-D...). */
#ifndef WGPHYS_PATHS_H
#define WGPHYS_PATHS_H

#ifndef WGPHYS_CONF
#define WGPHYS_CONF "/etc/wgphys.conf"
#endif
/*
 * The full program, which the front (wgphys) runs for every command but
 * exec; a wgphys-core beside the front's own file is tried first (handoff.c).
 * The Makefile sets it from LIBEXECDIR.
 */
#ifndef WGPHYS_CORE
#define WGPHYS_CORE "/usr/local/libexec/wgphys/wgphys-core"
#endif
#ifndef WGPHYS_RUN_DIR		/* state (0644), lock, logs, saved resolv.conf: root, 0755 */
#define WGPHYS_RUN_DIR "/run/wgphys"
#endif
#ifndef NETNS_RUN_DIR		/* as ip-netns(8) */
#define NETNS_RUN_DIR "/run/netns"
#endif
#ifndef NETNS_ETC_DIR		/* as ip-netns(8) */
#define NETNS_ETC_DIR "/etc/netns"
#endif
#ifndef RESOLV_CONF
#define RESOLV_CONF "/etc/resolv.conf"
#endif
#ifndef NSSWITCH_CONF
#define NSSWITCH_CONF "/etc/nsswitch.conf"
#endif
#ifndef DHCPCD_PATH
#define DHCPCD_PATH "/usr/sbin/dhcpcd"
#endif
#ifndef WPA_SUPPLICANT_PATH
#define WPA_SUPPLICANT_PATH "/usr/sbin/wpa_supplicant"
#endif
/*
 * The control sockets of the physical namespace's wpa_supplicant, one per
 * link (wpa_cli -p DIR, wpa_gui -p DIR): a path is the same from every
 * network namespace. The directory is root's, group the first of
 * WGPHYS_WPA_CTRL_GROUPS that exists, mode 0750; the sockets 0770.
 */
#ifndef WGPHYS_WPA_CTRL_DIR
#define WGPHYS_WPA_CTRL_DIR "/run/wgphys-wpa_supplicant"
#endif
#ifndef WGPHYS_WPA_CTRL_GROUPS	/* a C list of group names, first found wins */
#define WGPHYS_WPA_CTRL_GROUPS "wgphys", "netdev"
#endif
/* Where those groups are looked for: the local file, not the name service
 * (services.c). */
#ifndef WGPHYS_GROUP_FILE
#define WGPHYS_GROUP_FILE "/etc/group"
#endif
/*
 * What status asks, from physical, when the tunnel is silent on the network
 * it has: a URL whose own host answers "204 No Content" (the convention of
 * Android and Chromium). Any other answer came from someone else: a
 * captive portal.
 */
#ifndef WGPHYS_PORTAL_URL
#define WGPHYS_PORTAL_URL "http://connectivitycheck.gstatic.com/generate_204"
#endif
#ifndef WIREGUARD_CONF_DIR	/* [Tunnel] Config default: DIR/<Interface>.conf */
#define WIREGUARD_CONF_DIR "/etc/wireguard"
#endif

#endif
