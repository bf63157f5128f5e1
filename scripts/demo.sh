#!/bin/bash
# make demo: the installed wgphys, step by step, in the VM's test world (a
# home LAN with a WireGuard server and a service that answers each
# connection with the address it came from; a café Wi-Fi), where there is
# a network to give away without touching this machine's own.
#
# Each step prints a one-line caption, shows what it runs, and asserts
# what it shows against the kernel (ip -j, wg show, iw) or the LAN's
# service. The first assertion that does not hold ends the demo: the
# failing step named, exit 1.
#
#   make demo                          (the installed wgphys)
#   tests/vm/run scripts/demo.sh PATH  (another build, e.g. ./wgphys)
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [[ ${WGPHYS_VM-} != 1 ]]; then
	echo "demo: it moves the network away; it runs only in the test VM: make demo" >&2
	exit 2
fi
WGPHYS=${1:-$(command -v wgphys)}
if [[ -z $WGPHYS || ! -x $WGPHYS ]]; then
	echo "demo: no wgphys installed (sudo make install), and none given" >&2
	exit 2
fi
. "$here/../tests/vm/world.sh"

steps=0
checks=0
caption=
bold=$'\033[1m' red=$'\033[1;31m' green=$'\033[32m' plain=$'\033[0m'

step() {
	steps=$((steps + 1))
	caption=$*
	printf '\n%s%d. %s%s\n' "$bold" "$steps" "$caption" "$plain"
}

# Shows a command, then runs it; its output is what the viewer reads.
show() {
	printf '$ %s\n' "$*"
	"$@"
}

# Asserts: CMD must succeed, or the demo ends here, naming the step. CMD
# runs in this shell (world_up sets variables), its output to a file (a
# daemon it starts must not hold a pipe open).
holds() { # what CMD...
	local what=$1
	shift
	if "$@" >/tmp/demo-out 2>&1; then
		checks=$((checks + 1))
		printf '   %s✓ %s%s\n' "$green" "$what" "$plain"
		return 0
	fi
	printf '\n%sFAILED at step %d, "%s": %s%s\n' "$red" "$steps" "$caption" "$what" "$plain"
	sed 's/^/   /' /tmp/demo-out
	exit 1
}

# The same, retried for a bounded time (DHCP, an association, a handshake).
holds_within() { # seconds what CMD...
	local secs=$1 what=$2 deadline
	shift 2
	deadline=$((${EPOCHREALTIME/[.,]/} + secs * 1000000))
	until "$@" >/dev/null 2>&1; do
		((${EPOCHREALTIME/[.,]/} < deadline)) || break
		sleep 0.2
	done
	holds "$what" "$@"
}

# ---- what the assertions read ----

main_links() { ip -j link show | jq -r 'map(.ifname) | sort | join(" ")'; }
phys_links() { ip -n physical -j link show | jq -r 'map(.ifname) | sort | join(" ")'; }
eth0_lease() { ip -j -4 addr show dev eth0 | jq -e '.[0].addr_info[] | select(.local | startswith("192.168.1."))' >/dev/null; }
seen_as() { # want: the LAN's service saw us with that address
	local got
	got=$(world_ask "$WORLD_ROUTER") || { echo "no answer from the LAN's service"; return 1; }
	[[ $got == "$1" ]] || { echo "seen as $got, not $1"; return 1; }
}
seen_as_lan() {
	local got
	got=$(world_ask "$WORLD_ROUTER") || { echo "no answer"; return 1; }
	[[ $got == 192.168.1.* ]] || { echo "seen as $got"; return 1; }
}
associated() { ip netns exec physical iw dev wlan0 link | grep -q 'SSID: cafe'; }
handshaken() { wg show wg0 latest-handshakes | awk 'BEGIN { r = 1 } $2 > 0 { r = 0 } END { exit r }'; }
# Hardware links of main now, as ip -d says (no kind), but lo.
hardware_here() { ip -d -j link show | jq -r '.[] | select(.linkinfo.info_kind == null and .link_type != "loopback") | .ifname' | sort | paste -sd ' '; }
check_moves() { awk '$1 == "note" && $2 == "moves:" { print $3 }' /tmp/demo-check | sort | paste -sd ' '; }

# status --json against ip, wg and iw, one comparison each.
json() { "$WGPHYS" status --json >/tmp/demo-status.json; jq -e . /tmp/demo-status.json >/dev/null; }
j() { jq -r "$1" /tmp/demo-status.json; }
same() { [[ $1 == "$2" ]] || { echo "status: $1; kernel: $2"; return 1; }; }
status_main_is_ip() { same "$(j '.main_interfaces | map(.name) | sort | join(" ")')" "$(main_links)"; }
status_physical_is_ip() { same "$(j '.physical_interfaces | map(.name) | sort | join(" ")')" "$(phys_links)"; }
status_tunnel_addrs_are_ip() {
	same "$(j '.tunnel.addresses | sort | join(" ")')" \
		"$(ip -j addr show wg0 | jq -r '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"] | sort | join(" ")')"
}
status_endpoint_is_wg() { same "$(j '.tunnel.peers[0].endpoint')" "$(wg show wg0 endpoints | awk '{ print $2 }')"; }
status_handshake_is_wg() {
	json && same "$(j '.tunnel.peers[0].latest_handshake')" "$(wg show wg0 latest-handshakes | awk '{ print $2 }')"
}
status_ssid_is_iw() {
	same "$(j '.physical_interfaces[] | select(.name == "wlan0") | .wireless.ssid')" \
		"$(ip netns exec physical iw dev wlan0 link | sed -n 's/^\tSSID: //p')"
}

trap 'world_down >/dev/null 2>&1; userdel demo >/dev/null 2>&1' EXIT

# ---- the laptop, online -----------------------------------------------------

step "A laptop, online through its wired LAN (eth0), with Wi-Fi (wlan0) too"
holds "the test world is up: a LAN with a WireGuard server, a café Wi-Fi" world_up
ip link set eth0 up
dhcpcd -q -4 eth0 >/dev/null 2>&1
show ip -br addr show eth0
holds_within 30 "eth0 has a lease from the LAN (192.168.1.x)" eth0_lease
show world_ask "$WORLD_ROUTER"
holds "the LAN's service sees the laptop as its LAN address" seen_as_lan

cat >/etc/wgphys.conf <<CONF
[Tunnel]
Config = $WORLD_WG_CONF
CONF
chmod 644 /etc/wgphys.conf

step "wgphys check: changes nothing, says whether up can work and what it would move"
printf '$ %s check\n' "$WGPHYS"
crc=0
"$WGPHYS" check >/tmp/demo-check 2>&1 || crc=$?
cat /tmp/demo-check
holds "it says ready (exit 0)" test "$crc" == 0
holds "what it would move is every hardware link here: $(hardware_here)" same "$(check_moves)" "$(hardware_here)"

# ---- up ---------------------------------------------------------------------

step "wgphys up: the real network moves into the namespace \"physical\""
show "$WGPHYS" up
holds "main now holds only lo and the tunnel" same "$(main_links)" "lo wg0"
holds "eth0 and wlan0 are in physical" bash -c "[[ '$(phys_links)' == *eth0*wlan0* ]]"
show ip -br addr
show ip -n physical -br addr

step "The LAN's service sees this laptop as the tunnel address, $WORLD_TUNNEL_CLIENT"
holds_within 20 "the tunnel has a handshake" handshaken
show world_ask "$WORLD_ROUTER"
holds "seen as $WORLD_TUNNEL_CLIENT, through the tunnel" seen_as "$WORLD_TUNNEL_CLIENT"

step "wgphys status: what is where, in agreement with ip, wg and iw"
holds_within 30 "wlan0 joined the café's Wi-Fi in physical (iw)" associated
show "$WGPHYS" status
holds "status --json says up (exit 0)" bash -c "'$WGPHYS' status --json | jq -e '.state == \"up\"'"
json
holds "its main interfaces are ip's: $(main_links)" status_main_is_ip
holds "its physical interfaces are ip -n physical's: $(phys_links)" status_physical_is_ip
holds "the tunnel's addresses are ip's" status_tunnel_addrs_are_ip
holds "the peer's endpoint is wg show's" status_endpoint_is_wg
holds_within 10 "the latest handshake is wg show's" status_handshake_is_wg
holds "wlan0's SSID is iw's" status_ssid_is_iw

step "An ordinary user may ask too: what needs root is said, no secret shown"
useradd -M -s /bin/sh demo 2>/dev/null
show runuser -u demo -- "$WGPHYS" status
holds "it says up, and what it could not see" bash -c \
	"runuser -u demo -- '$WGPHYS' status | grep -q 'not shown without root'"
holds "no private key in it" bash -c \
	"! runuser -u demo -- '$WGPHYS' status --json | grep -qF -- '$(cat "$CLIENT_PRIV_FILE")'"

step "wgphys exec: one program on the physical side, as that user, unprivileged"
exec_answer() {
	local out
	out=$(SUDO_UID=$(id -u demo) SUDO_GID=$(id -g demo) "$WGPHYS" exec -- \
		sh -c "id -un; socat -u -T 3 TCP:$WORLD_ROUTER:7777,connect-timeout=3 -" </dev/null) || return 1
	printf '%s\n' "$out"
	[[ $(sed -n 1p <<<"$out") == demo && $(sed -n 2p <<<"$out") == 192.168.1.* ]]
}
printf '$ sudo wgphys exec -- sh -c "id -un; socat -u TCP:%s:7777 -"    (typed by demo)\n' \
	"$WORLD_ROUTER"
exec_answer
holds "it ran as demo, and the LAN saw it from a LAN address" exec_answer
holds "meanwhile main is still seen as the tunnel address" seen_as "$WORLD_TUNNEL_CLIENT"

# ---- the café ---------------------------------------------------------------
# CAFÉ STEPS GO HERE (issue 12): arriving at the café (join its Wi-Fi while
# up), status showing the captive portal, "wgphys exec chromium" logging in,
# the tunnel handshaking over the café, main seen only as the tunnel
# address. Each as a step with its assertions, like the ones above.

# ---- down -------------------------------------------------------------------

step "wgphys down: the laptop back as it was"
show "$WGPHYS" down
holds "eth0 and wlan0 are back in main" bash -c "[[ '$(main_links)' == *eth0*wlan0* ]]"
holds "no namespace physical is left" test ! -e /run/netns/physical
holds "status says down (exit 3)" bash -c "'$WGPHYS' status >/dev/null; [[ \$? == 3 ]]"
holds_within 20 "the LAN's service sees the laptop as its LAN address again" seen_as_lan
show world_ask "$WORLD_ROUTER"

printf '\n%sThe demo held: %d steps, %d assertions.%s\n' "$bold" "$steps" "$checks" "$plain"
