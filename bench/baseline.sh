#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/baseline.sh up|down: the published shell script that wgphys
# replaces, step for step, as bench/updown.sh times it against wgphys. It is
# the baseline, not something to improve: same commands, same order, same
# "set -ex", same killall. Only the names are the test world's
# (tests/vm/world.sh): the tunnel is wg0 with 10.100.0.2/32 (the script's
# wgvpn0 and 192.168.4.33/32), and its wg(8)-format file is the world's
# wg-quick file with Address/DNS/MTU stripped ("wg-quick strip"), which
# bench/updown.sh writes before the first round.
#
# Environment:
#   WG_SETCONF  the file for "wg setconf" (default /etc/wireguard/wg0-setconf.conf)
#   WPA_CONF    wpa_supplicant's file (default /etc/wpa_supplicant/wpa_supplicant-wlan0.conf)
#
# Runs only inside the test VM: it moves the machine's network away.

if [[ ${WGPHYS_VM-} != 1 ]]; then
	echo "bench/baseline.sh: refusing to run outside the test VM (tests/vm/run sets WGPHYS_VM=1)" >&2
	exit 2
fi

set -ex

WG_SETCONF=${WG_SETCONF:-/etc/wireguard/wg0-setconf.conf}
WPA_CONF=${WPA_CONF:-/etc/wpa_supplicant/wpa_supplicant-wlan0.conf}

up() {
	killall wpa_supplicant dhcpcd || true
	ip netns add physical
	ip -n physical link add wg0 type wireguard
	ip -n physical link set wg0 netns 1
	wg setconf wg0 "$WG_SETCONF"
	ip addr add 10.100.0.2/32 dev wg0
	ip link set eth0 down
	ip link set wlan0 down
	ip link set eth0 netns physical
	iw phy phy0 set netns name physical
	ip netns exec physical dhcpcd -b eth0
	ip netns exec physical dhcpcd -b wlan0
	ip netns exec physical wpa_supplicant -B -c"$WPA_CONF" -iwlan0
	ip link set wg0 up
	ip route add default dev wg0
}

down() {
	killall wpa_supplicant dhcpcd || true
	ip -n physical link set eth0 down
	ip -n physical link set wlan0 down
	ip -n physical link set eth0 netns 1
	ip netns exec physical iw phy phy0 set netns 1
	ip link del wg0
	ip netns del physical
	dhcpcd -b eth0
	dhcpcd -b wlan0
	wpa_supplicant -B -c"$WPA_CONF" -iwlan0
}

case ${1-} in
up) up ;;
down) down ;;
*)
	echo "usage: bench/baseline.sh up|down" >&2
	exit 2
	;;
esac
