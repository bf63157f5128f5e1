#!/bin/bash
# The café moment, played in the VM's test world (tests/vm/world.sh), a
# caption per step, each step asserted on what the kernel, the portal or
# the LAN's service says; the first step that does not hold stops the demo
# with exit 1. It changes nothing on the machine it is started from: run it
# in the VM, tests/vm/run scripts/demo-cafe.sh (make demo calls it).
#
#   laptop online at home -> wgphys check -> wgphys up -> arrival at a café
#   (cable out, its Wi-Fi joined with wpa_cli) -> status shows the portal
#   -> wgphys exec chromium logs in -> the tunnel handshakes -> main is seen
#   as the tunnel address -> wgphys down -> the laptop back as it was
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tests/vm/world.sh
. "$repo/tests/vm/world.sh"
# shellcheck source=tests/vm/chromium.sh
. "$repo/tests/vm/chromium.sh"
WGPHYS=${WGPHYS:-$(command -v wgphys || echo "$repo/wgphys")}
CTRL=/run/wgphys-wpa_supplicant
home=/tmp/demo-cafe
sys_dhcpcd=

cleanup() {
	"$WGPHYS" down >/dev/null 2>&1
	[[ -n $sys_dhcpcd ]] && kill "$sys_dhcpcd" 2>/dev/null
	userdel -r demo >/dev/null 2>&1
	world_down >/dev/null 2>&1
}
trap cleanup EXIT

n=0
step() { n=$((n + 1)); printf '\n\033[1m%d. %s\033[0m\n' "$n" "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }
holds() { # description command...: the assertion of a step
	if "${@:2}" >/dev/null 2>&1; then
		printf '   \033[32mholds:\033[0m %s\n' "$1"
	else
		printf '   \033[31mDOES NOT HOLD:\033[0m %s\n' "$1" >&2
		exit 1
	fi
}
within() { # seconds command...: bounded wait, no output
	local end=$((SECONDS + $1))
	until "${@:2}" >/dev/null 2>&1; do
		((SECONDS >= end)) && return 1
		sleep 0.2
	done
}
is_v4() { ip "${@:3}" -j -4 addr show dev "$1" 2>/dev/null |
	jq -e --arg p "$2" '[.[].addr_info[] | select(.local | startswith($p))] | length > 0'; }
seen_as() { [[ $(world_ask "$WORLD_ROUTER") == "$1" ]]; }
as_demo() { SUDO_UID=$(id -u demo) SUDO_GID=$(id -g demo) "$WGPHYS" exec -- "$@"; }
wpa() { runuser -u demo -- wpa_cli -p "$CTRL" -i wlan0 "$@"; }

printf 'Setting up the world: a home LAN with a WireGuard server, a café with a captive portal...\n'
{ world_up && world_cafe2_up; } || exit 1
getent group wgphys >/dev/null || groupadd -r wgphys
useradd -m -d "$home" -G wgphys -s /bin/sh demo 2>/dev/null
printf 'ctrl_interface=/run/wpa_supplicant\nupdate_config=1\n' >"$WORLD_WPA_CONF"
cat >/etc/wgphys.conf <<CONF
[Physical]
RestoreOnDown = no
[Tunnel]
Config = $WORLD_WG_CONF
CONF

step "The laptop is online, at home, on its cable"
ip link set eth0 up
dhcpcd -q -B -4 eth0 >/dev/null 2>&1 &
sys_dhcpcd=$!
holds "eth0 has a lease from the home router" within 60 is_v4 eth0 192.168.1.
show ip -br -4 addr show dev eth0
addr=$(ip -j -4 addr show dev eth0 | jq -r '.[0].addr_info[0].local')
show world_ask "$WORLD_ROUTER"
holds "the LAN's service sees the laptop as $addr: plaintext" seen_as "$addr"

step "wgphys check: the configuration and the machine are fit"
show "$WGPHYS" check
holds "check exits 0" "$WGPHYS" check

step "wgphys up: the tunnel becomes the only way out"
show "$WGPHYS" up
holds "main holds only lo and the tunnel" test "$(ip -j link show | jq -r '[.[].ifname] | sort | join(" ")')" == "lo wg0"
holds "the LAN's service sees main as the tunnel address" within 20 seen_as "$WORLD_TUNNEL_CLIENT"

step "Arrival at the café: the cable out, its Wi-Fi joined with wpa_cli"
show ip netns exec physical ip link set eth0 down
show wpa scan
within 60 bash -c "runuser -u demo -- wpa_cli -p $CTRL -i wlan0 scan_results | grep -q cafe2"
show wpa scan_results
id=$(wpa add_network | tail -n 1)
show wpa set_network "$id" ssid "\"$WORLD_CAFE2_SSID\""
show wpa set_network "$id" psk "\"$WORLD_CAFE2_PSK\""
show wpa select_network "$id"
holds "the kernel: wlan0 is associated with cafe2" within 60 \
	bash -c "ip netns exec physical iw dev wlan0 link | grep -q 'SSID: cafe2'"
holds "dhcpcd in physical has a lease from the café" within 60 is_v4 wlan0 192.168.60. -n physical
show ip -n physical -br -4 addr show dev wlan0

step "wgphys status: a captive portal holds the tunnel"
show "$WGPHYS" status
holds "status names the portal and the command to run" \
	bash -c "'$WGPHYS' status | grep '^portal: $WORLD_PORTAL .*wgphys exec chromium'"
holds "main reaches nothing meanwhile" bash -c "! world_ask $WORLD_ROUTER"

step "wgphys exec chromium: the portal's page, and a click on accept"
runuser -u demo -- mkdir -p "$home/p1"
printf '\033[2m$ wgphys exec chromium --headless --user-data-dir=%s [quiet flags] --remote-debugging-port=0 http://example.com/ &\033[0m\n' "$home/p1"
as_demo chromium "${cafe_chromium_flags[@]}" --user-data-dir="$home/p1" --remote-debugging-port=0 \
	http://example.com/ >/dev/null 2>&1 &
printf 'The user'"'"'s hand, over the DevTools protocol: read the page, click accept.\n'
show as_demo python3 "$repo/tests/vm/cdp.py" --profile "$home/p1" --timeout 300 \
	wait-for 'button[name=accept]' dom "$home/dom.html" click 'button[name=accept]' \
	wait-text 'You are online' close
grep -oE '<(form|button)[^>]*>' "$home/dom.html"
holds "the page Chromium got was the portal's accept form" grep -q 'name="accept"' "$home/dom.html"
holds "the portal let the laptop through" grep -q ' ACCEPT$' "$WORLD_DIR/portal.log"

step "The tunnel handshakes over the café"
holds "a handshake within 60 s" within 60 bash -c \
	"(( \$(wg show wg0 latest-handshakes | awk '{ print \$2 }') > $(date +%s) - 60 ))"
show wg show wg0 latest-handshakes

step "Main is seen as the tunnel address, from the café"
holds "the LAN's service sees $WORLD_TUNNEL_CLIENT" within 20 seen_as "$WORLD_TUNNEL_CLIENT"
show world_ask "$WORLD_ROUTER"

step "wgphys down"
show "$WGPHYS" down
holds "the physical namespace is gone" test ! -e /run/netns/physical
holds "so are the control sockets" test ! -e "$CTRL"

step "The laptop back as it was: home, on its cable"
show ip link set eth0 up
holds "eth0 has its lease again" within 60 is_v4 eth0 192.168.1.
holds "the LAN's service sees the laptop as $addr again" within 20 seen_as "$addr"
show world_ask "$WORLD_ROUTER"
printf '\n\033[1mThe café demo held at every step.\033[0m\n'
