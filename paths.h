/* SPDX-License-Identifier: GPL-2.0 */
/* Every path wgphys touches, overridable at build time (make CPPFLAGS=-D...). */
#ifndef WGPHYS_PATHS_H
#define WGPHYS_PATHS_H

#ifndef WGPHYS_CONF
#define WGPHYS_CONF "/etc/wgphys.conf"
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
#ifndef WIREGUARD_CONF_DIR	/* [Tunnel] Config default: DIR/<Interface>.conf */
#define WIREGUARD_CONF_DIR "/etc/wireguard"
#endif

#endif
