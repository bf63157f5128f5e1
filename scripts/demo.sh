#!/bin/bash
# A guided run of the installed wgphys in the VM's test world (a home LAN
# with a WireGuard server, a café Wi-Fi), where there is a network to give
# away without touching this machine's own. Run: make demo
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/vm/world.sh"
WGPHYS=${WGPHYS:-$(command -v wgphys)}
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; eval "$@"; }
trap 'world_down >/dev/null 2>&1' EXIT

world_up || exit 1
ip link set eth0 up
dhcpcd -q -4 eth0 >/dev/null 2>&1
cat >/etc/wgphys.conf <<CONF
[Tunnel]
Config = $WORLD_WG_CONF
CONF
say ip -br addr
say cat /etc/resolv.conf
say time "$WGPHYS" up
say "$WGPHYS" status
say ip -br link
say ip -n physical -br link
say cat /etc/resolv.conf
say world_ask "$WORLD_ROUTER"
useradd -M demo 2>/dev/null
say SUDO_UID="$(id -u demo)" SUDO_GID="$(id -g demo)" "$WGPHYS" exec -- sh -c "'id; socat -T3 - TCP:$WORLD_ROUTER:7777'"
say time "$WGPHYS" down
say ip -br addr
userdel demo 2>/dev/null
