#!/bin/bash
# Leaks, phase by phase (issue 9, shared with issue 8), part 1: captures on
# the LAN (lan's eth1) and the café (air's wlan1) while main sends TCP, UDP,
# ICMP and DNS over IPv4 and IPv6 to addresses there (tests/vm/leakcheck);
# zero plaintext from the laptop in every phase (what is not counted, and
# why, is in leakcheck's header: WireGuard to the endpoint, DHCP, ARP,
# link-local ND/MLD), and in every phase a positive control: the same
# probes sent from where the NICs are, counted by the same capture, every
# kind on both sides.
#   steady        up, the tunnel working
#   unreachable   the server's wg0 down in lan: the peer does not answer
#   killed        wgphys's guard killed with SIGKILL
#   rogue         the café's DHCP server replaced by one that pushes
#                 classless static routes (option 121: 0/1, 128/1, the
#                 tunnel's network) and its own DNS; the access point
#                 deauthenticates the laptop so that it asks again.
#                 Physical takes the routes (checked); main's routes and
#                 resolv.conf do not change
# Part 2 (the tunnel deleted, the namespace deleted, during up) is
# t-leak-up.sh. After the phases, down brings main back as before up.
# Run inside the VM: tests/vm/run tests/vm/t-leak.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/guardlib.sh"

trap guard_teardown EXIT
guard_setup

PHYS=/run/netns/physical

# --- steady -----------------------------------------------------------------
guard_up steady
check "steady: captures start" leak_start steady
poll 20 "steady: the LAN's service sees the tunnel address" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_TUNNEL_SERVER"
leak_phase steady "up, the tunnel working" "$PHYS"

# --- the peer unreachable ---------------------------------------------------
check "unreachable: captures start" leak_start unreachable
ip -n lan link set wg0 down
no_answer() { ! world_ask "$WORLD_TUNNEL_SERVER"; }
check "unreachable: the tunnel's server does not answer" no_answer
leak_phase unreachable "the server's wg0 down" "$PHYS"
ip -n lan link set wg0 up
poll 30 "unreachable: with the server back, the tunnel works again" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_TUNNEL_SERVER"

# --- the guard killed ---------------------------------------------------------
check "killed: captures start" leak_start killed
guard_recorded killed
if [[ -n $GUARD_PID ]]; then
	kill -KILL "$GUARD_PID"
	poll 5 "killed: the guard is dead" _world_gone "$GUARD_PID"
else
	diag "killed: no guard recorded, nothing of wgphys runs to kill"
fi
leak_phase killed "the guard killed with SIGKILL" "$PHYS"

# --- a rogue DHCP server at the café -------------------------------------------
check "rogue: captures start" leak_start rogue
main_routes() { ip -j -4 route show table main; ip -j -6 route show table main; }
main_routes >/tmp/routes.before
cp /etc/resolv.conf /tmp/resolv.before
kill "$(<"$WORLD_DIR/air-dnsmasq.pid")"
_world_wait 5 "the café's dnsmasq to exit" _world_gone "$(<"$WORLD_DIR/air-dnsmasq.pid")"
ip -n air addr add 192.168.50.66/24 dev wlan1
# The TunnelVision routes: the whole IPv4 space in two halves and the
# tunnel's own network, through the café; its own DNS server.
_world_dnsmasq rogue-dnsmasq air 192.168.50.1 -- \
	--dhcp-range=192.168.50.100,192.168.50.199,255.255.255.0,1h \
	--dhcp-option=option:router,192.168.50.1 \
	--dhcp-option=option:dns-server,192.168.50.66 \
	--dhcp-option=121,0.0.0.0/1,192.168.50.1,128.0.0.0/1,192.168.50.1,10.100.0.0/24,192.168.50.1
check "rogue: a rogue DHCP server at the café" test -s "$WORLD_DIR/rogue-dnsmasq.pid"
# The café kicks the laptop off its access point (a deauthentication, as
# an attacker would send), so that it associates again and asks for its
# lease again; kicked again every 15 s until it has asked (under load a
# DHCP client may miss a short loss of carrier).
wlan0_mac=$(ip -n physical -j link show wlan0 | jq -r '.[0].address')
kicked=0
kicks=0
kick() {
	ip netns exec air hostapd_cli -p "$WORLD_DIR/hostapd" -i wlan1 deauthenticate "$wlan0_mac" \
		>/dev/null && kicked=${EPOCHREALTIME/[.,]/} && kicks=$((kicks + 1))
}
rogue_routes() { ip -n physical -4 route show | grep -q '^0.0.0.0/1 via 192.168.50.1'; }
kick_until_rogue() {
	rogue_routes && return 0
	((${EPOCHREALTIME/[.,]/} - kicked > 15000000)) && kick
	echo "kicked $kicks times"
	return 1
}
poll 90 "rogue: physical took the rogue lease (route 0.0.0.0/1 via the café)" kick_until_rogue
diag "rogue: the laptop was kicked off the access point $kicks times"
poll 10 "rogue: physical's resolv.conf names the rogue DNS" \
	grep -q 'nameserver 192.168.50.66' /etc/netns/physical/resolv.conf
check "rogue: main's routes did not change" eval 'main_routes | diff /tmp/routes.before -'
check "rogue: main's resolv.conf did not change" cmp /etc/resolv.conf /tmp/resolv.before
leak_phase rogue "option 121 routes and a rogue DNS pushed to the café's clients" "$PHYS"
rogue_routes || diag "physical's dhcpcd said: $(tail -n 30 /run/wgphys/dhcpcd.log 2>&1)"
guard_down rogue

done_testing
