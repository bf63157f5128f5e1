#!/bin/bash
# wgphys up --wait on a real kernel. With the server answering, up returns
# only once the kernel reports a handshake, and the tunnel carries traffic
# at once. With the server silent, up --wait=3 exits 1 after about 3 s and
# leaves the kill switch in place: the devices in physical, only lo and the
# tunnel in main, the fence, the guard; when the server answers again the
# tunnel carries traffic, and down puts everything back. Down, meanwhile,
# leaves none of the daemons it stopped. Run inside the VM:
# tests/vm/run tests/vm/t-wait.sh
# Everything asserted is what the kernel (ip, wg, nft, /proc) reports.
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
	ip -n lan link set wg0 up 2>/dev/null
	"$WGPHYS" down >/dev/null 2>&1
	[[ -n $sys_dhcpcd ]] && kill "$sys_dhcpcd" 2>/dev/null
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT

check "the world comes up" world_up && world_started=1 || { done_testing; }

has_ipv4() { ip "${@:3}" -j -4 addr show dev "$1" | jq -e --arg p "$2" \
	'[.[].addr_info[] | select(.local | startswith($p))] | length > 0' >/dev/null; }
main_links() { ip -j link show | jq -r '.[].ifname' | sort | tr '\n' ' '; }
answer_is() { # want addr
	local got
	got=$(world_ask "$2") || return 1
	echo "got: $got"
	[[ $got == "$1" ]]
}
# The newest handshake with any peer of wg0, in seconds since the epoch (0: none).
handshake() { wg show wg0 latest-handshakes 2>/dev/null | awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }'; }
guard_alive() {
	local pid
	pid=$(awk '$1 == "guard" { print $2 }' /run/wgphys/state 2>/dev/null)
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}
# Live (not zombie) dhcpcd and wpa_supplicant processes whose network
# namespace is not main's.
outside() {
	local p main stat comm
	main=$(stat -L -c %i /proc/self/ns/net)
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == dhcpcd || $comm == wpa_supplicant ]] || continue
		read -r stat 2>/dev/null <"$p/stat" || continue
		stat=${stat##*) }
		[[ ${stat%% *} == [ZX] ]] && continue
		[[ $(stat -L -c %i "$p/ns/net" 2>/dev/null) != "$main" ]] && echo "${p#/proc/}"
	done
}
back_in_main() { [[ -e /sys/class/net/eth0 && ! -e /run/netns/physical && -z $(outside) ]]; }

ip link set eth0 up
dhcpcd -B -4 eth0 >/tmp/sys-dhcpcd.log 2>&1 &
sys_dhcpcd=$!
poll 30 "before up: the system's dhcpcd has a lease on eth0" has_ipv4 eth0 192.168.1.

world_wgphys_conf no

# The server answers.
"$WGPHYS" up --wait >/tmp/up.out 2>&1
rc=$?
hs=$(handshake)
check "up --wait exits 0" test $rc -eq 0 || diag "$(cat /tmp/up.out)"
check "when it returns, the kernel reports a handshake" test "${hs:-0}" -gt 0
check "and the tunnel carries traffic at once" answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_TUNNEL_SERVER"
check "down" "$WGPHYS" down
check "down returns with no daemon of ours left outside main" test -z "$(outside)"
poll 10 "eth0 is back in main, the namespace gone" back_in_main

# The server is silent: its WireGuard interface is down.
ip -n lan link set wg0 down
start=${EPOCHREALTIME/[.,]/}
"$WGPHYS" up --wait=3 >/tmp/up.out 2>&1
rc=$?
took=$(((${EPOCHREALTIME/[.,]/} - start) / 1000))
diag "up --wait=3 took $took ms"
check "up --wait=3 without an answer exits 1" test $rc -eq 1 || diag "$(cat /tmp/up.out)"
check "after the 3 s (and not much more)" test "$took" -ge 3000 -a "$took" -lt 15000
check "saying so" test -s /tmp/up.out
check "no handshake yet" test "$(handshake)" -eq 0
check "the kill switch stays: eth0 is in physical" ip -n physical link show eth0
check "main holds only lo and the tunnel" test "$(main_links)" == "lo wg0 "
check "the fence is in place" nft list table inet wgphys
check "the guard watches" guard_alive
check "main's default route is the tunnel" test "$(ip -j route show default | jq -r '.[0].dev')" == wg0
check "up --wait=0 is refused before anything is done" \
	bash -c "'$WGPHYS' up --wait=0 >/dev/null 2>&1; test \$? -eq 2"
ip -n lan link set wg0 up
# WireGuard tries again every 5 s.
poll 20 "once the server answers, the tunnel carries traffic" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_TUNNEL_SERVER"
check "down" "$WGPHYS" down
poll 10 "eth0 is back in main, the namespace gone" back_in_main
check "and has its address again" has_ipv4 eth0 192.168.1.

done_testing
