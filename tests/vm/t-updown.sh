#!/bin/bash
# wgphys up and down on a real kernel: an online laptop (dhcpcd holds a
# lease on eth0) goes up; the main namespace must hold only the tunnel, the
# LAN must see the tunnel address, DNS must stay apart; the kill switch must
# hold when daemons and the tunnel die; down must put everything back.
# Run inside the VM: tests/vm/run tests/vm/t-updown.sh
# Everything asserted is what the kernel (ip -j, iw, wg, /proc) reports.
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
. "$here/world.sh"
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

world_started=
sys_dhcpcd=
teardown() {
	"$WGPHYS" down >/dev/null 2>&1
	[[ -n $sys_dhcpcd ]] && kill "$sys_dhcpcd" 2>/dev/null
	[[ -n ${other_dhcpcd-} ]] && kill "$other_dhcpcd" 2>/dev/null
	ip netns del other 2>/dev/null
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT

check "the world comes up" world_up && world_started=1 || { done_testing; }

main_links() { ip -j link show | jq -r '.[].ifname' | sort | tr '\n' ' '; }
ns_links() { ip -n "$1" -j link show | jq -r '.[].ifname' | sort | tr '\n' ' '; }
has_ipv4() { ip "${@:3}" -j -4 addr show dev "$1" | jq -e --arg p "$2" \
	'[.[].addr_info[] | select(.local | startswith($p))] | length > 0' >/dev/null; }
in_phys() { ip netns exec physical "$@"; }
associated() { in_phys iw dev wlan0 link | grep -q 'SSID: cafe'; }
answer_is() { # want addr [opts]
	local got
	got=$(world_ask "${@:2}") || return 1
	echo "got: $got"
	[[ $got == "$1" ]]
}

# Another dhcpcd on the machine, not wgphys's: it must survive up and down.
ip netns add other
ip link add o-lan type veth peer name o-me netns other
ip link set o-lan netns lan
ip -n lan link set o-lan up
ip -n other link set o-me up
ip netns exec other dhcpcd -B -4 o-me >/tmp/other-dhcpcd.log 2>&1 &
other_dhcpcd=$!

# An online laptop: a dhcpcd of the system's own holds a lease on eth0.
ip link set eth0 up
dhcpcd -B -4 eth0 >/tmp/sys-dhcpcd.log 2>&1 &
sys_dhcpcd=$!
poll 30 "before up: the system's dhcpcd has a lease on eth0" has_ipv4 eth0 192.168.1.
poll 10 "before up: resolv.conf names the LAN's server" grep -q "nameserver 192.168.1.1" /etc/resolv.conf
cp /etc/resolv.conf /tmp/resolv.before
eth0_addr=$(ip -j -4 addr show dev eth0 | jq -r '.[0].addr_info[0].local')
eth0_mac=$(ip -j link show eth0 | jq -r '.[0].address')
wlan0_mac=$(ip -j link show wlan0 | jq -r '.[0].address')

world_wgphys_conf yes

start=${EPOCHREALTIME/[.,]/}
"$WGPHYS" up >/tmp/up.out 2>&1
rc=$?
took=$(((${EPOCHREALTIME/[.,]/} - start) / 1000))
check "wgphys up exits 0" test $rc -eq 0 || diag "$(cat /tmp/up.out)"
diag "up took $took ms"

# Right away, before any DHCP: the carried-over configuration works.
check "eth0 kept its address in physical, at once" has_ipv4 eth0 "$eth0_addr" -n physical
check "the default route came along" bash -c "ip -n physical -j route show default | jq -e 'length > 0'"
poll 10 "the LAN's service sees the tunnel address from main" answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_TUNNEL_SERVER"
check "main holds exactly lo and the tunnel" \
	test "$(main_links)" == "lo wg0 "
check "physical holds eth0 and wlan0" bash -c "[[ '$(ns_links physical)' == *eth0*wlan0* ]]"
check "eth0 is the same NIC (MAC)" test "$(ip -n physical -j link show eth0 | jq -r '.[0].address')" == "$eth0_mac"
check "no wireless phy is left in main" test -z "$(iw phy 2>/dev/null)"
check "phy0 is in physical" bash -c "ip netns exec physical iw phy | grep -q '^Wiphy phy0'"
check "the tunnel has its address" has_ipv4 wg0 "$WORLD_TUNNEL_CLIENT"
check "the tunnel's MTU is 1420" test "$(ip -j link show wg0 | jq '.[0].mtu')" == 1420
check "main's default route is the tunnel" test "$(ip -j route show default | jq -r '.[0].dev')" == wg0
check "main's IPv6 default route is the tunnel" test "$(ip -j -6 route show default | jq -r '.[0].dev')" == wg0
check "wg show: the peer is the server" bash -c "wg show wg0 peers | grep -qxF '$SERVER_PUB'"
port=$(wg show wg0 listen-port)
check "the tunnel's UDP socket lives in physical" bash -c "ip netns exec physical ss -Hanu 'sport = :$port' | grep -q ."
check "and not in main" test -z "$(ss -Hanu "sport = :$port")"
poll 20 "a LAN address from main goes through the tunnel too" answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"
check "main resolv.conf names the tunnel's DNS" grep -q "nameserver $WORLD_TUNNEL_DNS" /etc/resolv.conf
check "and is read-only while up" bash -c "! echo 'nameserver 192.0.2.1' >> /etc/resolv.conf"
check "and not the LAN's" bash -c "! grep -q 192.168 /etc/resolv.conf"

# The daemons wgphys started: in physical, confined, recorded.
poll 30 "wlan0 associates with the café in physical" associated
poll 30 "wlan0 gets a lease from the café" has_ipv4 wlan0 192.168.50. -n physical
poll 30 "physical's resolv.conf gets the café's DNS (dhcpcd wrote it there)" \
	grep -q "nameserver 192.168.50.1" /etc/netns/physical/resolv.conf
check "main resolv.conf still has only the tunnel's DNS" bash -c "! grep -q 192.168 /etc/resolv.conf"
check "a dhcpcd that is not wgphys's was not touched" kill -0 "$other_dhcpcd"
physns=$(stat -L -c %i /run/netns/physical)
for name in dhcpcd wpa_supplicant; do
	pid=$(awk -v n="$name" '$1 == "daemon" && $4 == n { print $2 }' /run/wgphys/state)
	check "$name was started and recorded" test -n "$pid" -a -d "/proc/${pid:-0}"
	[[ -n $pid ]] || continue
	check "$name runs in physical" test "$(stat -L -c %i "/proc/$pid/ns/net")" == "$physns"
	bnd=$(awk '/^CapBnd/ { print $2 }' "/proc/$pid/status")
	diag "$name CapBnd $bnd"
	check "$name has a bounded capability set" test "$bnd" != 000001ffffffffff -a "$bnd" != 0000003fffffffff
done
wpa=$(awk '$4 == "wpa_supplicant" { print $2 }' /run/wgphys/state)
check "wpa_supplicant sees the physical resolv.conf as /etc/resolv.conf" \
	test "$(stat -L -c %i "/proc/$wpa/root/etc/resolv.conf")" == "$(stat -L -c %i /etc/netns/physical/resolv.conf)"
wpa_bnd=$(awk '/^CapBnd/ { print $2 }' "/proc/$(awk '$4 == "wpa_supplicant" { print $2 }' /run/wgphys/state)/status")
check "wpa_supplicant may only NET_ADMIN, NET_RAW, and CHOWN and DAC_OVERRIDE for its control sockets" test "$wpa_bnd" == 0000000000003003

# exec: the captive-portal door, as an ordinary user.
useradd -M -s /bin/sh portal 2>/dev/null
puid=$(id -u portal)
pgid=$(id -g portal)
as_user() { SUDO_UID=$puid SUDO_GID=$pgid "$WGPHYS" exec -- "$@"; }
lan_addr() { local got; got=$(as_user socat -u -T 3 "TCP:$WORLD_ROUTER:7777,connect-timeout=3" - </dev/null) || return 1; echo "got: $got"; [[ $got == 192.168.* ]]; }
check "exec: the user's command reaches the LAN and is seen with a LAN address" lan_addr
check "exec: it runs as the user" test "$(as_user id -u)" == "$puid"
check "exec: its resolv.conf is physical's (the LAN's or the café's)" bash -c "SUDO_UID=$puid SUDO_GID=$pgid '$WGPHYS' exec -- cat /etc/resolv.conf | grep -q 'nameserver 192.168'"
check "exec: meanwhile main is still seen with the tunnel address" answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"
userdel portal 2>/dev/null

check "a second up while up fails with 2" bash -c "'$WGPHYS' up; test \$? -eq 2"
check "status says up" bash -c "'$WGPHYS' status | grep -qx up"

# The kill switch holds whatever dies.
world_sniff_start leak lan eth1
for name in dhcpcd wpa_supplicant; do
	pid=$(awk -v n="$name" '$1 == "daemon" && $4 == n { print $2 }' /run/wgphys/state)
	kill -9 "$pid" 2>/dev/null
done
check "with the daemons dead, main still reaches the LAN only via the tunnel" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"
wg set wg0 peer "$SERVER_PUB" remove
unreachable() { ! world_ask "$@"; }
check "with the tunnel dead, main reaches nothing" unreachable "$WORLD_ROUTER"
check "main has still no other way out" test "$(main_links)" == "lo wg0 "
world_sniff_stop leak
leaks=$(world_sniff_count leak "not udp port 51820 and not arp and not ip6 and not (udp port 67 or udp port 68) and src host $eth0_addr")
check "the LAN saw nothing from the laptop but WireGuard" test "$leaks" == 0

# down: everything back.
start=${EPOCHREALTIME/[.,]/}
"$WGPHYS" down >/tmp/down.out 2>&1
rc=$?
took=$(((${EPOCHREALTIME/[.,]/} - start) / 1000))
check "wgphys down exits 0" test $rc -eq 0 || diag "$(cat /tmp/down.out)"
diag "down took $took ms"
check "eth0 is back in main, same MAC" test "$(ip -j link show eth0 | jq -r '.[0].address')" == "$eth0_mac"
check "wlan0 is back in main, same MAC" test "$(ip -j link show wlan0 | jq -r '.[0].address')" == "$wlan0_mac"
check "phy0 is back in main" bash -c "iw phy | grep -q '^Wiphy phy0'"
check "eth0 has its address back at once" has_ipv4 eth0 "$eth0_addr"
check "and its default route" test "$(ip -j route show default | jq -r '.[0].dev')" == eth0
check "the tunnel is gone" bash -c "! ip link show wg0"
check "the namespace is gone" test ! -e /run/netns/physical
check "resolv.conf is writable again" bash -c "touch /etc/resolv.conf"
check "resolv.conf no longer names the tunnel's DNS" bash -c "! grep -q '$WORLD_TUNNEL_DNS' /etc/resolv.conf"
poll 20 "resolv.conf names the LAN's server again" grep -q "nameserver $WORLD_ROUTER" /etc/resolv.conf
check "/etc/netns/physical is gone" test ! -e /etc/netns/physical
check "no state is left" test ! -e /run/wgphys/state
in_ns() { # inode: the pids of processes in that network namespace
	local p
	for p in /proc/[0-9]*; do
		[[ $(stat -L -c %i "$p/ns/net" 2>/dev/null) == "$1" ]] && echo "${p#/proc/}"
	done
	return 0
}
check "no process is left in the physical namespace" test -z "$(in_ns "$physns")" ||
	for p in $(in_ns "$physns"); do diag "left: $p $(tr '\0' ' ' <"/proc/$p/cmdline") (parent $(awk '/^PPid/ { print $2 }' "/proc/$p/status"))"; done
poll 30 "RestoreOnDown: wlan0 associates again in main" bash -c "iw dev wlan0 link | grep -q 'SSID: cafe'"
check "status says down (exit 3)" bash -c "'$WGPHYS' status; test \$? -eq 3"
check "a second down says so and exits 0" "$WGPHYS" down
check "the other dhcpcd is still there after down" kill -0 "$other_dhcpcd"

# An endpoint given by name: looked up inside physical, with physical's
# resolver (the LAN's dnsmasq knows vpn.lan), never main's.
poll 30 "online again in main before the next up" has_ipv4 eth0 192.168.1.
# ...and AllowedIPs with host bits, as wg(8)'s own example writes them: up
# masks them (wg does) instead of failing late at the route (issue 10).
sed -e "s/^Endpoint = .*/Endpoint = $WORLD_ENDPOINT_NAME:51820/" \
	-e "s|^AllowedIPs = .*|&, 10.100.7.1/24|" "$WORLD_WG_CONF" >/tmp/wg-named.conf
chmod 600 /tmp/wg-named.conf
sed -i "s|^Config = .*|Config = /tmp/wg-named.conf|" /etc/wgphys.conf
check "up with a named endpoint" "$WGPHYS" up
check "the name was resolved to the LAN's server" bash -c "wg show wg0 endpoints | grep -q '192.168.1.1:51820'"
check "AllowedIPs 10.100.7.1/24 became the route 10.100.7.0/24 through the tunnel" \
	test "$(ip -j route show 10.100.7.0/24 | jq -r '.[0].dev')" == wg0
check "and the peer's allowed IPs hold 10.100.7.0/24" bash -c "wg show wg0 allowed-ips | grep -q '10.100.7.0/24'"
poll 10 "the tunnel works through it" answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_TUNNEL_SERVER"
check "down again" "$WGPHYS" down
kill "$other_dhcpcd"

done_testing
