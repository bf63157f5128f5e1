#!/bin/bash
# The kill switch in the kernel (fence.c) against a real NIC: the laptop's
# virtio eth0, a driver-made device with no kind, in the main namespace
# with an address on the LAN. With the rule set installed (by
# tests/tools/fence-tool, which then exits: no process of ours runs), no
# TCP, UDP (DNS), ICMP, IPv4 or IPv6 from main reaches the LAN, nor ARP
# answers, nor packets main forwards for a namespace behind it, nor frames
# main sends through a bridge that eth0 is a port of, nor anything a replug
# (driver unbind and bind) brings back; veth and a bridge of veths in main
# still work. A DHCP client in main is the documented exception: it sends
# through AF_PACKET, below netfilter. The positive control: removed, one
# ping is counted by the same capture.
# Run inside the VM: tests/vm/run tests/vm/t-fence.sh
# Asserted: what nft -j and a capture on the router's side report.
#
#   netns "lan" (world.sh)                  netns "fpeer" (this test)
#   eth1 192.168.1.1 fd00:1::1              vt1 10.200.0.2 fd00:200::2
#    |  tcpdump counts frames from eth0's      default via 10.200.0.1
#    |  MAC                                  vb1 10.201.0.2 fd00:201::2
#   QEMU hub                                  |        |
#    |                                        | veth   | veth
#   eth0 192.168.1.150 fd00:1::150  --- main: vt0 10.200.0.1   br-f 10.201.0.1
#                                                          (port vb0)
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
. "$here/world.sh"
TOOL=${FENCE_TOOL:-$repo/build/test/tests/tools/fence-tool}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

ADDR=192.168.1.150 ADDR6=fd00:1::150 ROUTER6=fd00:1::1
world_started=
dhcp_pid=
peer_pid=
teardown() {
	[[ -n $dhcp_pid ]] && kill "$dhcp_pid" 2>/dev/null
	[[ -n $peer_pid ]] && kill "$peer_pid" 2>/dev/null
	"$TOOL" remove >/dev/null 2>&1
	ip link del br-leak 2>/dev/null
	ip link del br-f 2>/dev/null
	ip link del vt0 2>/dev/null
	ip netns del fpeer 2>/dev/null
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT

check "the world comes up" world_up && world_started=1 || done_testing

in_peer() { ip netns exec fpeer "$@"; }
ping4() { busybox ping -c1 -W2 "$@" >/dev/null 2>&1; }
ping6() { busybox ping -6 -c1 -W2 "$@" >/dev/null 2>&1; }
dns() { timeout 4 busybox nslookup vpn.lan "$1" 2>&1 | grep -q '^Name:.*vpn\.lan'; }
fails() { ! "$@"; }
answer_is() { # want addr
	local got
	got=$(world_ask "$2") || return 1
	echo "got: $got"
	[[ $got == "$1" ]]
}
eth0_addrs() {
	ip addr add "$ADDR/24" dev "${1:-eth0}" &&
		ip addr add "$ADDR6/64" dev "${1:-eth0}" nodad &&
		ip link set "${1:-eth0}" up
}
# Packets counted by the drop rule of chain $2 in table $1 wgphys.
drops() {
	nft -j list ruleset | jq --arg f "$1" --arg c "$2" '[.nftables[] | .rule? // empty |
		select(.table == "wgphys" and .family == $f and .chain == $c) |
		.expr[] | .counter? // empty | .packets] | add // -1'
}
grew() { # family chain before
	local now
	now=$(drops "$1" "$2")
	echo "$1 $2 drops: $3 -> $now"
	((now > $3))
}
tables() {
	nft -j list ruleset | jq -r '[.nftables[] | .table? // empty |
		select(.name == "wgphys") | .family] | join(" ")'
}
chains() {
	nft -j list ruleset | jq -r '[.nftables[] | .chain? // empty |
		select(.table == "wgphys") | "\(.family):\(.hook):\(.policy)"] | join(" ")'
}

# --- The laptop on the LAN, a namespace behind it, a bridge of veths
ip -n lan addr add "$ROUTER6/64" dev eth1 nodad
eth0_addrs
mac=$(ip -j link show eth0 | jq -r '.[0].address')
ip netns add fpeer
ip -n fpeer link set lo up
ip link add vt0 type veth peer name vt1 netns fpeer
ip link add br-f type bridge
ip link add vb0 type veth peer name vb1 netns fpeer
ip link set vb0 master br-f
ip addr add 10.200.0.1/24 dev vt0 && ip addr add fd00:200::1/64 dev vt0 nodad
ip addr add 10.201.0.1/24 dev br-f && ip addr add fd00:201::1/64 dev br-f nodad
ip -n fpeer addr add 10.200.0.2/24 dev vt1 && ip -n fpeer addr add fd00:200::2/64 dev vt1 nodad
ip -n fpeer addr add 10.201.0.2/24 dev vb1 && ip -n fpeer addr add fd00:201::2/64 dev vb1 nodad
for d in vt0 vb0 br-f; do ip link set "$d" up; done
ip -n fpeer link set vt1 up && ip -n fpeer link set vb1 up
ip -n fpeer route add default via 10.200.0.1
ip -n lan route add 10.200.0.0/24 via "$ADDR"
sysctl -qw net.ipv4.ip_forward=1
in_peer socat TCP6-LISTEN:7000,fork,reuseaddr,ipv6only=0 SYSTEM:'echo peer' >/dev/null 2>&1 &
peer_pid=$!
peer_tcp() { # addr: the peer's listener answers
	local a=$1
	[[ $a == *:* ]] && a="[$a]"
	[[ $(timeout 5 socat -u "TCP:$a:7000,connect-timeout=3" - </dev/null) == peer ]]
}
peer_all() { peer_tcp 10.200.0.2 && peer_tcp fd00:200::2 && peer_tcp 10.201.0.2 && peer_tcp fd00:201::2; }
has_lease() {
	ip -j -4 addr show dev eth0 |
		jq -e '[.[].addr_info[] | select(.local | startswith("192.168.1."))] | length > 0'
}
tcp_both_fail() { ! world_ask "$WORLD_ROUTER" && ! world_ask "$ROUTER6"; }

# --- Before the fence, every probe works (so a failure later is the fence's)
poll 20 "before: ICMP to the router (IPv4)" ping4 "$WORLD_ROUTER"
poll 20 "before: ICMP to the router (IPv6)" ping6 "$ROUTER6"
check "before: TCP to the LAN's service (IPv4), seen from $ADDR" answer_is "$ADDR" "$WORLD_ROUTER"
check "before: TCP (IPv6), seen from $ADDR6" answer_is "$ADDR6" "$ROUTER6"
check "before: UDP, a DNS query to the router" dns "$WORLD_ROUTER"
check "before: the router reaches the laptop" ip netns exec lan busybox ping -c1 -W2 "$ADDR"
poll 20 "before: the namespace behind main reaches the LAN (forwarded)" \
	in_peer busybox ping -c1 -W2 "$WORLD_ROUTER"
poll 20 "before: the peer through the veth and the bridge (IPv4, IPv6)" peer_all

# --- The fence, and nothing of ours left running
check "fence-tool install" "$TOOL" install
check "no fence-tool process is left" bash -c "! pgrep -x fence-tool"
check "nft: tables inet, bridge and arp wgphys" test "$(tables)" == "inet bridge arp"
check "nft: their chains hook output, forward, postrouting; policy drop" test "$(chains)" == \
	"inet:output:drop inet:forward:drop inet:postrouting:drop bridge:output:drop bridge:forward:drop arp:output:drop"
check "meta oifkind works on this kernel ($(uname -r))" \
	bash -c "nft list chain inet wgphys output | grep -q 'meta oifkind @allowed accept'"
out0=$(drops inet output) fwd0=$(drops inet forward) br0=$(drops bridge output) arp0=$(drops arp output)
ip -n lan neigh flush dev eth1
ip neigh flush dev eth0

check "capture on the router's side starts" world_sniff_start fenced lan eth1
check "ICMP from main to the router fails (IPv4)" fails ping4 "$WORLD_ROUTER"
check "ICMP fails (IPv6)" fails ping6 "$ROUTER6"
check "TCP to the LAN's service fails (IPv4)" fails world_ask "$WORLD_ROUTER"
check "TCP fails (IPv6)" fails world_ask "$ROUTER6"
check "UDP, a DNS query, fails (IPv4)" fails dns "$WORLD_ROUTER"
check "UDP, a DNS query, fails (IPv6)" fails dns "$ROUTER6"
check "the router gets no answer from the laptop (ARP, IPv4)" \
	fails ip netns exec lan busybox ping -c1 -W2 "$ADDR"
check "nor over IPv6" fails ip netns exec lan busybox ping -6 -c1 -W2 "$ADDR6"
check "what main forwards for the namespace behind it does not reach the LAN" \
	fails in_peer busybox ping -c1 -W2 "$WORLD_ROUTER"
check "through a veth in main: passes" peer_tcp 10.200.0.2
check "through a veth in main: passes (IPv6)" peer_tcp fd00:200::2
check "through a bridge of veths in main: passes" peer_tcp 10.201.0.2
check "through a bridge of veths in main: passes (IPv6)" peer_tcp fd00:201::2
check "lo works (IPv4)" ping4 127.0.0.1
check "lo works (IPv6)" ping6 ::1

# eth0 as the port of a bridge in main: the bridge table judges the port.
ip addr flush dev eth0
ip link add br-leak type bridge && ip link set eth0 master br-leak && eth0_addrs br-leak
check "through a bridge with eth0 as its port, ICMP fails" fails ping4 "$WORLD_ROUTER"
check "and TCP" fails world_ask "$WORLD_ROUTER"
check "and IPv6" fails ping6 "$ROUTER6"
ip link del br-leak
eth0_addrs

# A replug: the driver unbound and bound again makes a new eth0 in main.
dev=$(basename "$(readlink /sys/class/net/eth0/device)")
echo "$dev" >/sys/bus/virtio/drivers/virtio_net/unbind
poll 10 "replug: eth0 is gone" test ! -e /sys/class/net/eth0
echo "$dev" >/sys/bus/virtio/drivers/virtio_net/bind
poll 10 "replug: a new eth0 is in main" test -e /sys/class/net/eth0
check "replug: it is the same NIC (MAC)" test "$(ip -j link show eth0 | jq -r '.[0].address')" == "$mac"
eth0_addrs
check "replugged: ICMP fails" fails ping4 "$WORLD_ROUTER"
check "replugged: TCP fails (IPv4 and IPv6)" tcp_both_fail
check "capture stops" world_sniff_stop fenced

n=$(world_sniff_count fenced "ether src $mac")
check "the LAN saw nothing at all from the laptop's MAC ($n frames)" test "$n" -eq 0
n=$(world_sniff_count fenced "src host $ADDR or src host $ADDR6 or src net 10.200.0.0/24")
check "no IP packet from main's addresses or forwarded by main ($n)" test "$n" -eq 0
n=$(world_sniff_count fenced "ether src $mac or src host $ADDR")
diag "frames from the laptop in the capture: $n; all frames: $(world_sniff_count fenced)"
check "the inet output drop counter grew" grew inet output "$out0"
check "the inet forward drop counter grew" grew inet forward "$fwd0"
check "the bridge output drop counter grew" grew bridge output "$br0"
check "the arp output drop counter grew" grew arp output "$arp0"
diag "drops: inet output $(drops inet output), postrouting $(drops inet postrouting)," \
	"forward $(drops inet forward); bridge output $(drops bridge output)," \
	"forward $(drops bridge forward); arp output $(drops arp output)"

# A DHCP client in main, as a network manager would start one: it sends
# through AF_PACKET, which no netfilter hook sees (wgphys(8) says so), so
# DHCP and its ARP probes leave; nothing else does.
check "capture for the DHCP case starts" world_sniff_start dhcp lan eth1
ip addr flush dev eth0
dhcpcd -B -4 eth0 >/tmp/fence-dhcpcd.log 2>&1 &
dhcp_pid=$!
poll 40 "dhcpcd in main gets a lease anyway (AF_PACKET is below the fence)" has_lease
check "with that lease, ICMP fails" fails ping4 "$WORLD_ROUTER"
check "with that lease, TCP fails" fails world_ask "$WORLD_ROUTER"
check "with that lease, DNS fails" fails dns "$WORLD_ROUTER"
kill "$dhcp_pid"
wait "$dhcp_pid" 2>/dev/null
dhcp_pid=
check "capture stops" world_sniff_stop dhcp
n=$(world_sniff_count dhcp "ether src $mac and not arp and not (udp port 67 or udp port 68)")
check "the LAN saw nothing from the laptop but DHCP and ARP ($n)" test "$n" -eq 0
diag "DHCP from the laptop: $(world_sniff_count dhcp "ether src $mac and udp port 67")," \
	"ARP: $(world_sniff_count dhcp "ether src $mac and arp") (AF_PACKET: not covered)"
ip addr flush dev eth0
eth0_addrs

# The positive control: without the fence the same capture counts a ping.
check "capture for the control starts" world_sniff_start open lan eth1
check "fence-tool remove" "$TOOL" remove
check "nft: no table wgphys is left" test -z "$(tables)"
poll 20 "without the fence, ICMP to the router works" ping4 "$WORLD_ROUTER"
check "capture stops" world_sniff_stop open
n=$(world_sniff_count open "icmp[icmptype] == icmp-echo and src host $ADDR")
check "the capture counted the laptop's plaintext ping ($n)" test "$n" -ge 1
check "fence-tool remove again: absent is success" "$TOOL" remove

done_testing
