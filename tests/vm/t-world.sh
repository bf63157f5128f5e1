#!/bin/bash
# Proves the test world (tests/vm/world.sh) works, using only standard tools
# as observers: dhcpcd on the wire, wpa_supplicant + dhcpcd on the café
# Wi-Fi, and a hand-made WireGuard client. A negative control with a wrong
# server key shows the rig notices when the tunnel cannot work.
# Run inside the VM: tests/vm/run tests/vm/t-world.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
# shellcheck source=tests/vm/world.sh
. "$here/world.sh"

pids=()
world_started=
# Started in the background with an explicit pid, so teardown kills exactly
# what this test started.
start() { # name cmd...
	local name=$1
	shift
	"$@" >"/tmp/t-world.$name.log" 2>&1 &
	pids+=("$!")
	diag "started $name (pid $!): $*"
}

stop_started() {
	local pid rc=0
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		if ! _world_wait 10 "pid $pid to exit" _world_gone "$pid"; then
			kill -KILL "$pid" 2>/dev/null
			rc=1
		fi
		wait "$pid" 2>/dev/null
	done
	pids=()
	return "$rc"
}

# Safety net for an early exit; the normal path tears down as assertions.
teardown() {
	ip link del wgt 2>/dev/null
	stop_started
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT

has_ipv4() { # dev prefix
	local json
	json=$(ip -j -4 addr show dev "$1") || return 1
	echo "$json"
	[[ $json == *'"local":"'"$2"* ]]
}

wifi_connected() {
	local link
	link=$(iw dev wlan0 link) || return 1
	echo "$link"
	[[ $link == *"Connected to"* && $link == *"SSID: cafe"* ]]
}

service_says() { # regex addr [socat options...]
	local want=$1 got
	shift
	got=$(world_ask "$@") || { echo "no answer from $1:7777"; return 1; }
	echo "service saw: $got"
	[[ $got =~ $want ]]
}

handshake_done() {
	local hs
	hs=$(wg show wgt latest-handshakes) || return 1
	echo "$hs"
	[[ -n $hs && ${hs##*[[:space:]]} != 0 ]]
}

# With a server, asks it directly; without, goes through /etc/resolv.conf.
resolves_to() { # name address [server]
	local out
	if (($# > 2)); then
		out=$(busybox nslookup -type=a "$1" "$3") || { echo "$out"; return 1; }
		echo "$out"
		[[ $out == *"Address: $2"* ]]
	else
		out=$(getent ahostsv4 "$1") || return 1
		echo "$out"
		[[ $out == "$2 "* ]]
	fi
}

fails() {
	! "$@"
}

wg_client() { # server-public-key
	ip link add wgt type wireguard &&
		wg set wgt private-key "$CLIENT_PRIV_FILE" \
			peer "$1" endpoint "$WORLD_ENDPOINT" allowed-ips 10.100.0.0/24,fd00:100::/64 &&
		ip addr add "$WORLD_TUNNEL_CLIENT/32" dev wgt &&
		ip addr add "$WORLD_TUNNEL_CLIENT6/128" dev wgt &&
		ip link set wgt up &&
		ip route add 10.100.0.0/24 dev wgt &&
		ip -6 route add fd00:100::/64 dev wgt
}

# Set first: a half-built world needs world_down too.
world_started=1
if ! check "world comes up" world_up; then
	echo "Bail out! the world did not come up"
	exit 1
fi
check "wg-quick file for the laptop is private" \
	test "$(stat -c '%a %U' "$WORLD_WG_CONF")" = "600 root"

# (1) wired: dhcpcd on eth0 leases from lan's dnsmasq. -4: no IPv6 is served
# here; --noarp: skips seconds of ARP probing that would only slow the test.
start dhcpcd-eth0 dhcpcd --nobackground -4 --noarp eth0
poll 30 "dhcpcd leases a 192.168.1.x address on eth0" has_ipv4 eth0 192.168.1.
poll 10 "dhcpcd put the LAN's DNS server in /etc/resolv.conf" \
	grep -q '^nameserver 192\.168\.1\.1$' /etc/resolv.conf
check "vpn.lan resolves to 192.168.1.1 through it" resolves_to vpn.lan 192.168.1.1
check "the service sees a LAN address over the wire" \
	service_says '^192\.168\.1\.1[0-9][0-9]$' 192.168.1.1

# (2) wireless: associate with the café and lease an address there.
start wpa_supplicant wpa_supplicant -i wlan0 -D nl80211 -c "$WORLD_WPA_CONF"
poll 30 "wlan0 associates with cafe" wifi_connected
start dhcpcd-wlan0 dhcpcd --nobackground -4 --noarp wlan0
poll 30 "dhcpcd leases a 192.168.50.x address on wlan0" has_ipv4 wlan0 192.168.50.
check "the café is routed to the LAN: service sees a café address" \
	service_says '^192\.168\.50\.1[0-9][0-9]$' 192.168.1.1 so-bindtodevice=wlan0

# (3) a WireGuard client made by hand reaches the service through the tunnel,
# and the router sees only WireGuard from the laptop meanwhile.
eth0_addr=$(ip -j -4 addr show dev eth0 | grep -o '"local":"[0-9.]*"' | cut -d'"' -f4)
check "sniffer on the router's eth1" world_sniff_start lan-eth1 lan eth1
check "WireGuard client set up with ip and wg" wg_client "$SERVER_PUB"
poll 15 "ping through the tunnel" busybox ping -c 1 -W 1 "$WORLD_TUNNEL_SERVER"
check "handshake recorded" handshake_done
check "the service sees the tunnel address (IPv4)" \
	service_says '^10\.100\.0\.2$' "$WORLD_TUNNEL_SERVER"
check "the service sees the tunnel address (IPv6)" \
	service_says '^fd00:100::2$' "$WORLD_TUNNEL_SERVER6"
check "the tunnel-only DNS server answers vpn.lan" \
	resolves_to vpn.lan 192.168.1.1 "$WORLD_TUNNEL_DNS"

check "sniffer stopped" world_sniff_stop lan-eth1
check "the router saw WireGuard from the laptop" \
	test "$(world_sniff_count lan-eth1 "ip src $eth0_addr and udp port 51820")" -gt 0
check "the router saw nothing else from the laptop" \
	test "$(world_sniff_count lan-eth1 "ip src $eth0_addr and not udp port 51820")" -eq 0

# Negative control: the same client with a wrong server key must get nowhere.
# The right key got through in well under the 3 s bound world_ask allows.
ip link del wgt
wrong_pub=$(wg genkey | wg pubkey)
check "WireGuard client set up with a wrong server key" wg_client "$wrong_pub"
check "wrong server key: the service is unreachable" fails world_ask "$WORLD_TUNNEL_SERVER"
check "wrong server key: no handshake" fails handshake_done
check "WireGuard client removed" ip link del wgt

check "dhcpcd and wpa_supplicant stop on SIGTERM" stop_started
world_started=
check "world goes down" world_down
check "eth1 is back in the initial namespace" test -e /sys/class/net/eth1
check "the café's phy is back in the initial namespace" test -e /sys/class/net/wlan1
check "namespaces are gone" test ! -e /run/netns/lan -a ! -e /run/netns/air
trap - EXIT
done_testing
