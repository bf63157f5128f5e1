#!/bin/bash
# wgphys check on a kernel with WireGuard as a module, in the VM: what
# check sees when the module is not loaded, that it loads nothing unless
# asked (check --load), and what the kernel does when anyone, root or not,
# asks the generic netlink controller for the family by name (genetlink's
# CTRL_CMD_GETFAMILY calls request_module for any caller). The observer
# is /sys/module, never check's words alone.
# Run inside the VM: tests/vm/run tests/vm/t-check.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

if [[ ${WGPHYS_VM-} != 1 ]]; then
	echo "1..0 # SKIP only in the test VM (it unloads a module)"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
loaded() { [[ -d /sys/module/wireguard ]]; }
unloaded() { ! loaded; }

umask 077
cat >"$tmp/wg0.conf" <<EOF
[Interface]
PrivateKey = $(wg genkey)
Address = 10.100.0.2/32

[Peer]
PublicKey = $(wg genkey | wg pubkey)
Endpoint = 192.0.2.1:51820
AllowedIPs = 0.0.0.0/0
EOF
umask 022
printf '[Tunnel]\nConfig = %s\n' "$tmp/wg0.conf" >"$tmp/wgphys.conf"
printf '[Physical]\nInterfaces = eth0\n[Tunnel]\nConfig = %s\n' "$tmp/wg0.conf" >"$tmp/eth0-only.conf"
chmod 644 "$tmp/wgphys.conf" "$tmp/eth0-only.conf"
# Every link of main the kernel says is a driver's (no kind), and the phys.
hardware() { ip -d -j link show | jq -r '.[] | select(.linkinfo.info_kind == null and .link_type != "loopback") | .ifname' | sort | paste -sd ' '; }
phys() { iw phy | awk '$1 == "Wiphy" { print $2 }' | sort | paste -sd ' '; }

check "stage 2 loaded WireGuard" loaded
check "nothing uses it yet: it unloads" rmmod wireguard
poll 5 "it is gone from /sys/module" unloaded

rc=0
"$WGPHYS" -c "$tmp/wgphys.conf" check >"$tmp/out" 2>&1 || rc=$?
diag "$(cat "$tmp/out")"
check "check with the module not loaded: ready (exit 0)" test "$rc" == 0
check "its kernel line says the module is there but not loaded" \
	grep -q '^ok    kernel: WireGuard is a module not loaded yet' "$tmp/out"
check "and check loaded nothing (/sys/module has no wireguard)" unloaded
check "it would move every hardware link ip shows: $(hardware)" test \
	"$(awk '$2 == "moves:" { print $3 }' "$tmp/out" | sort | paste -sd ' ')" == "$(hardware)"
check "and every phy iw shows, each allowed to move: $(phys)" test \
	"$(awk '$1 == "ok" && $2 == "phy:" && / may move/ { print $3 }' "$tmp/out" | sort | paste -sd ' ')" == "$(phys)"

# Interfaces = eth0: everything else would stay, which up's last step
# refuses. check must say so for each, and fail.
rc=0
"$WGPHYS" -c "$tmp/eth0-only.conf" check >"$tmp/eth0" 2>&1 || rc=$?
check "Interfaces = eth0: not ready (exit 1)" test "$rc" == 1
stays=$(awk '$1 == "FAIL" && $2 == "stays:" { print $3 }' "$tmp/eth0" | sort | paste -sd ' ')
check "it names each device and phy that would stay: $stays" test "$stays" == \
	"$(for x in $(hardware) $(phys); do [[ $x == eth0 ]] || echo "$x"; done | sort | paste -sd ' ')"

# What the kernel does when an ordinary user asks for the family by name.
user=$(id -un 65534)
runuser -u "$user" -- genl ctrl get name wireguard >"$tmp/genl" 2>&1
diag "genl ctrl get name wireguard, as $user: $(head -n 3 "$tmp/genl" | tr '\n' ' ')"
check "a lookup by name by an ordinary user ($user) makes the kernel load the module" loaded
check "it unloads again" rmmod wireguard
poll 5 "gone again" unloaded

rc=0
"$WGPHYS" -c "$tmp/wgphys.conf" check --load >"$tmp/load" 2>&1 || rc=$?
diag "$(grep kernel: "$tmp/load")"
check "check --load: ready (exit 0)" test "$rc" == 0
check "check --load: the module is loaded now" loaded
check "and check says so" grep -q '^ok    kernel: WireGuard is there: the kernel loaded' "$tmp/load"

done_testing
