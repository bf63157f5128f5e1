#!/bin/bash
# wgphys status --json against what the kernel reports, before, during and
# after up, field by field: ip -j (links, addresses, kinds), wg show (the
# tunnel and its peers), iw (phys, SSID, signal), nft (the fence), /proc
# (daemons, guard). Then the ways it must say "broken" (exit 1): the guard
# stopped and a daemon killed, the guard killed, the fence deleted. And
# as an ordinary user: what can be had without privilege, what cannot
# said so, no secret.
# Run inside the VM: tests/vm/run tests/vm/t-status.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
. "$here/world.sh"
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

world_started=
sys_dhcpcd=
user=
teardown() {
	"$WGPHYS" down >/dev/null 2>&1
	[[ -n $sys_dhcpcd ]] && kill "$sys_dhcpcd" 2>/dev/null
	[[ -n $user ]] && userdel "$user" 2>/dev/null
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT

check "the world comes up" world_up && world_started=1 || done_testing

J=/tmp/status.json
# status --json into $J; its exit status in $src (not "rc": check and
# poll keep theirs in a local of that name, which a function they call
# would set).
status_json() {
	src=0
	"$WGPHYS" status --json >"$J" 2>/tmp/status.err || src=$?
	jq -e . "$J" >/dev/null || { echo "not JSON:"; cat "$J" /tmp/status.err; return 1; }
}
field() { jq -r "$1" "$J"; }

# The sorted "name" list of a JSON array of interfaces vs ip's.
names_of() { jq -r "$1 | map(.name) | sort | join(\" \")" "$J"; }

# Every field of every interface of $1 (a jq path) against ip -j in the
# namespace given by the rest ("" for main, "-n physical"), iw for the
# wireless ones.
# ip's view is read before and after status; if it changed meanwhile (a
# DHCP lease, an address going away) the comparison is not made and poll
# tries again.
# (Only what is compared: lifetimes of addresses count down by the second.)
ip_view() {
	ip "$@" -d -j link show | jq -c 'map([.ifname, .ifindex, .address, .flags, .linkinfo.info_kind])'
	ip "$@" -j addr show | jq -c 'map([.ifname, [.addr_info[] | .local, .prefixlen]])'
}
same_links() { # jq-path [ip options...]
	local path=$1 ns_opt=("${@:2}") name got want w
	ip "${ns_opt[@]}" -d -j link show >/tmp/ip-link.json
	ip "${ns_opt[@]}" -j addr show >/tmp/ip-addr.json
	ip_view "${ns_opt[@]}" >/tmp/ip-before
	status_json || return 1
	[[ $(</tmp/ip-before) == "$(ip_view "${ns_opt[@]}")" ]] ||
		{ echo "ip's view changed while status ran"; return 1; }
	got=$(names_of "$path")
	want=$(jq -r 'map(.ifname) | sort | join(" ")' /tmp/ip-link.json)
	[[ $got == "$want" ]] || { echo "names: status '$got', ip '$want'"; return 1; }
	for name in $got; do
		got=$(jq -c --arg n "$name" "$path"'[] | select(.name == $n) |
			[.ifindex, .mac, .up, .carrier, (.addresses | sort), .role]' "$J")
		w=$(in_ns "${ns_opt[@]}" iw dev 2>/dev/null | awk '$1 == "Interface" { print $2 }' |
			grep -cxF "$name")
		want=$(jq -c --arg n "$name" --arg tun "${tunnel-}" --argjson w "$w" \
			--slurpfile a /tmp/ip-addr.json '.[] | select(.ifname == $n) |
			[.ifindex, (if .link_type == "none" then null else .address end),
			 (.flags | any(. == "UP")), (.flags | any(. == "LOWER_UP")),
			 ([$a[0][] | select(.ifname == $n) | .addr_info[] |
			   "\(.local)/\(.prefixlen)"] | sort),
			 (if .link_type == "loopback" then "loopback"
			  elif .ifname == $tun and .linkinfo.info_kind == "wireguard" then "tunnel"
			  elif $w > 0 then "wireless"
			  elif .linkinfo.info_kind != null then "virtual"
			  else "hardware" end)]' /tmp/ip-link.json)
		[[ $got == "$want" ]] || { echo "$name: status $got, ip $want"; return 1; }
	done
	echo "$path: $(names_of "$path")"
}

# ip/iw in the namespace of "-n NS" (or here).
in_ns() {
	if [[ ${1-} == -n ]]; then
		local ns=$2
		shift 2
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# The wireless part of interface $2 in $1 against iw: its phy, SSID, signal.
same_wireless() { # jq-path ifname [-n NS]
	local path=$1 dev=$2 ns_opt=("${@:3}") got want phy ssid signal
	status_json || return 1
	phy=$(in_ns "${ns_opt[@]}" iw dev "$dev" info | awk '$1 == "wiphy" { print $2 }')
	# iw link reads the associated BSS, as wgphys must with wpa_supplicant
	# (a station's GET_INTERFACE names no SSID then).
	ssid=$(in_ns "${ns_opt[@]}" iw dev "$dev" link | sed -n 's/^\tSSID: //p')
	signal=$(in_ns "${ns_opt[@]}" iw dev "$dev" station dump | awk '$1 == "signal:" { print $2; exit }')
	got=$(jq -c --arg n "$dev" "$path"'[] | select(.name == $n) | .wireless |
		[.phy_index, .phy, .ssid, .signal_dbm]' "$J")
	want=$(jq -nc --arg phy "$phy" --arg ssid "$ssid" --arg sig "$signal" \
		--arg name "$(in_ns "${ns_opt[@]}" cat "/sys/class/net/$dev/phy80211/name")" \
		'[($phy | tonumber), $name, (if $ssid == "" then null else $ssid end),
		  (if $sig == "" then null else ($sig | tonumber) end)]')
	echo "$dev: status $got, iw $want"
	[[ $got == "$want" ]]
}

# ---- before up: down, exit 3, main as ip and iw see it -------------------

ip link set eth0 up
dhcpcd -B -4 eth0 >/tmp/sys-dhcpcd.log 2>&1 &
sys_dhcpcd=$!
has_lease() { [[ -n $(ip -j -4 addr show dev eth0 | jq -r '.[0].addr_info[0].local // empty') ]]; }
poll 30 "before up: the system's dhcpcd has a lease on eth0" has_lease

status_json
check "before up: status --json exits 3" test "$src" == 3
check "before up: state is down" test "$(field .state)" == down
check "before up: no namespace, tunnel, daemons or guard" test \
	"$(jq -c '[.namespace, .tunnel, .daemons, .guard, .physical_interfaces]' "$J")" == '[null,null,[],null,[]]'
tunnel=
poll 60 "before up: main_interfaces match ip -j (index, MAC, flags, addresses, role)" \
	same_links .main_interfaces
check "before up: eth0 is hardware, wlan0 wireless" test \
	"$(jq -c '[.main_interfaces[] | select(.name == "eth0" or .name == "wlan0") | .role] | sort' "$J")" \
	== '["hardware","wireless"]'
poll 30 "before up: wlan0's phy as iw says, no SSID (not connected)" same_wireless .main_interfaces wlan0
check "before up: main_phys match iw phy" test "$(jq -r '.main_phys | map(.name) | join(" ")' "$J")" == \
	"$(iw phy | awk '$1 == "Wiphy" { print $2 }' | paste -sd ' ')"
check "before up: no fence (nft has no table wgphys)" bash -c \
	"[[ \$(jq .fence.present '$J') == false ]] && ! nft list table inet wgphys >/dev/null 2>&1"
check "before up: no warnings" test "$(jq -c .warnings "$J")" == '[]'
# The text: its first line is the state, its exit status the same as JSON's.
text_says() { # state rc
	local r=0
	"$WGPHYS" status >/tmp/status.txt 2>&1 || r=$?
	echo "exit $r, first line: $(head -n 1 /tmp/status.txt)"
	[[ $r == "$2" && $(head -n 1 /tmp/status.txt) == "$1" ]]
}
check "before up: the text says down (exit 3)" text_says down 3

# ---- check, then up ---------------------------------------------------------

cat >/etc/wgphys.conf <<EOF
[Tunnel]
Config = $WORLD_WG_CONF
EOF
chmod 644 /etc/wgphys.conf
crc=0
"$WGPHYS" check >/tmp/check.out 2>&1 || crc=$?
diag "$(cat /tmp/check.out)"
check "check: ready (exit 0)" test "$crc" == 0
check "check: it names the system's dhcpcd on eth0, by its pid ($sys_dhcpcd)" \
	grep -q "^warn  dhcpcd: runs (pid $sys_dhcpcd) for eth0" /tmp/check.out
check "check: phy0 may move (iw phy0 lists set_wiphy_netns)" bash -c \
	"grep -q '^ok    phy: phy0 may move' /tmp/check.out && iw phy phy0 info | grep -q set_wiphy_netns"
said_moves=$(awk '$1 == "note" && $2 == "moves:" { print $3 }' /tmp/check.out | sort | paste -sd ' ')
check "wgphys up" "$WGPHYS" up
# What moved: every link of physical the kernel says has no kind (a
# driver's), and the phys there.
moved=$(ip -n physical -d -j link show | jq -r '.[] | select(.linkinfo.info_kind == null and .link_type != "loopback") | .ifname' | sort | paste -sd ' ')
check "check said what up moved: $said_moves" test "$said_moves" == "$moved"
check "up moved the phy check named" bash -c \
	"ip netns exec physical iw phy | grep -q '^Wiphy phy0' && grep -q '^ok    phy: phy0' /tmp/check.out"
crc=0
"$WGPHYS" check >/tmp/check-up.out 2>&1 || crc=$?
check "check while up: ready, says it is up (exit 0)" bash -c \
	"[[ $crc == 0 ]] && tail -n 1 /tmp/check-up.out | grep -qx 'ready: wgphys is up'" ||
	diag "$(cat /tmp/check-up.out)"
tunnel=wg0
handshaken() { wg show wg0 latest-handshakes | awk 'BEGIN { r = 1 } $2 > 0 { r = 0 } END { exit r }'; }
poll 20 "the tunnel handshakes" handshaken
poll 30 "wlan0 associates in physical" bash -c "ip netns exec physical iw dev wlan0 link | grep -q 'SSID: cafe'"

status_json
check "up: status --json exits 0" test "$src" == 0 || diag "$(cat "$J")"
check "up: state is up, no warnings" test "$(jq -c '[.state, .warnings]' "$J")" == '["up",[]]'
check "up: the namespace, at its path, present" test \
	"$(jq -c .namespace "$J")" == '{"name":"physical","path":"/run/netns/physical","present":true}'
poll 60 "up: main_interfaces match ip -j: lo and the tunnel only" same_links .main_interfaces
check "up: main holds lo and wg0" test "$(names_of .main_interfaces)" == "lo wg0"
check "up: no phy in main (iw phy says none)" bash -c \
	"[[ \$(jq -c .main_phys '$J') == '[]' && -z \$(iw phy) ]]"
poll 60 "up: physical_interfaces match ip -n physical -j" same_links .physical_interfaces -n physical
poll 30 "up: wlan0 in physical: phy0, SSID cafe, signal as iw station dump says" \
	same_wireless .physical_interfaces wlan0 -n physical
check "up: physical_phys match iw phy in physical" test \
	"$(jq -r '.physical_phys | map(.name) | join(" ")' "$J")" == \
	"$(ip netns exec physical iw phy | awk '$1 == "Wiphy" { print $2 }' | paste -sd ' ')"

# The tunnel against wg show.
wgf() { wg show wg0 "$1" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
same_tunnel() {
	local pk got want
	status_json || return 1
	pk=$SERVER_PUB
	got=$(jq -c '.tunnel | [.name, .ifindex, .present, (.addresses | sort), .public_key,
		.listen_port, (.peers | map(.public_key))]' "$J")
	want=$(jq -nc --arg idx "$(ip -j link show wg0 | jq '.[0].ifindex')" \
		--argjson addrs "$(ip -j addr show wg0 | jq -c '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"] | sort')" \
		--arg pub "$(wg show wg0 public-key)" --arg port "$(wg show wg0 listen-port)" \
		--arg peers "$(wg show wg0 peers)" \
		'["wg0", ($idx | tonumber), true, $addrs, $pub, ($port | tonumber), ($peers | split("\n"))]')
	echo "tunnel: status $got"
	echo "        wg/ip  $want"
	[[ $got == "$want" ]] || return 1
	got=$(jq -c --arg k "$pk" '.tunnel.peers[] | select(.public_key == $k) |
		[.endpoint, (.allowed_ips | join(" ")), .latest_handshake, .persistent_keepalive]' "$J")
	want=$(jq -nc --arg ep "$(wgf endpoints "$pk")" --arg aip "$(wgf allowed-ips "$pk")" \
		--arg hs "$(wgf latest-handshakes "$pk")" --arg ka "$(wgf persistent-keepalive "$pk")" \
		'[$ep, $aip, ($hs | tonumber), (if $ka == "off" then null else ($ka | tonumber) end)]')
	echo "peer: status $got"
	echo "      wg     $want"
	[[ $got == "$want" ]]
}
poll 30 "up: the tunnel and its peer match wg show (index, addresses, keys, port, endpoint, allowed ips, handshake, keepalive)" same_tunnel
# Bytes only grow: wg show before <= status <= wg show after.
bytes_between() {
	local b a s
	b=$(wgf transfer "$SERVER_PUB")
	status_json || return 1
	s=$(jq -r --arg k "$SERVER_PUB" '.tunnel.peers[] | select(.public_key == $k) | "\(.rx_bytes) \(.tx_bytes)"' "$J")
	a=$(wgf transfer "$SERVER_PUB")
	echo "wg before: $b; status: $s; wg after: $a"
	read -r brx btx <<<"$b"
	read -r srx stx <<<"$s"
	read -r arx atx <<<"$a"
	((brx <= srx && srx <= arx && btx <= stx && stx <= atx && stx > 0))
}
check "up: bytes in and out lie between two readings of wg show" bytes_between
check "up: the handshake was seconds ago" bash -c \
	"[[ \$(jq '.tunnel.peers[0].latest_handshake_seconds_ago' '$J') -lt 180 ]]"

# Daemons and the guard against the journal and /proc.
same_processes() {
	local got want g
	status_json || return 1
	got=$(jq -c '[.daemons[] | [.name, .interface, .pid, .alive]] | sort' "$J")
	want=$(awk '$1 == "daemon" { printf "%s %s %s\n", $4, ($5 == "" ? "-" : $5), $2 }' /run/wgphys/state |
		while read -r n i p; do
			alive=false
			[[ -d /proc/$p ]] && alive=true
			jq -nc --arg n "$n" --arg i "$i" --arg p "$p" --argjson a "$alive" \
				'[$n, (if $i == "-" then null else $i end), ($p | tonumber), $a]'
		done | jq -sc 'sort')
	echo "daemons: status $got, journal and /proc $want"
	[[ $got == "$want" ]] || return 1
	g=$(awk '$1 == "guard" { print $2 }' /run/wgphys/state)
	got=$(jq -c '[.guard.pid, .guard.alive]' "$J")
	want="[$g,$([[ -d /proc/$g ]] && echo true || echo false)]"
	echo "guard: status $got, journal and /proc $want"
	[[ $got == "$want" ]]
}
check "up: daemons and guard match the journal and /proc" same_processes
check "up: two daemons, both alive (dhcpcd for all, wpa_supplicant for wlan0)" test \
	"$(jq -c '[.daemons[] | [.name, .interface, .alive]] | sort' "$J")" == \
	'[["dhcpcd",null,true],["wpa_supplicant","wlan0",true]]'
check "up: the fence is there (as nft lists it)" bash -c \
	"[[ \$(jq .fence.present '$J') == true ]] && nft list table inet wgphys >/dev/null"
check "up: nothing is unavailable to root" test "$(jq -c .unavailable "$J")" == '[]'

check "up: the text status exits 0, says up first" text_says up 0
diag "$(cat /tmp/status.txt)"
priv=$(cat "$CLIENT_PRIV_FILE")
check "up: neither output holds the private key" bash -c \
	"! grep -qF -- '$priv' /tmp/status.txt '$J'"

# ---- as an ordinary user -------------------------------------------------

user=wgpstatus
useradd -M -s /bin/sh "$user" 2>/dev/null || user=
[[ -n $user ]] || { user=nobody; diag "useradd failed: running as nobody"; }
# The checkout may not be the user's to read: a copy of the binary.
install -m 0755 "$WGPHYS" /tmp/wgphys-user &&
	install -m 0755 "$(dirname "$WGPHYS")/wgphys-core" /tmp/wgphys-core
check "the run directory is 0755, the journal 0644, the lock 0600" test \
	"$(stat -c '%a' /run/wgphys /run/wgphys/state /run/wgphys/lock | paste -sd ' ')" == "755 644 600"
as_user() { runuser -u "$user" -- env ASAN_OPTIONS=detect_leaks=0 /tmp/wgphys-user "$@"; }
urc=0
as_user status --json >/tmp/user.json 2>/tmp/user.err || urc=$?
check "user: status --json is JSON and exits 0 (up, nothing known to be broken)" bash -c \
	"jq -e . /tmp/user.json >/dev/null && [[ $urc == 0 ]]" || diag "$(cat /tmp/user.json /tmp/user.err)"
check "user: state up, main as root sees it (lo, wg0 and their addresses)" test \
	"$(jq -c '[.state, (.main_interfaces | map([.name, (.addresses | sort)]))]' /tmp/user.json)" == \
	"$(jq -c '[.state, (.main_interfaces | map([.name, (.addresses | sort)]))]' "$J")"
check "user: the daemons and the guard, alive" test \
	"$(jq -c '[(.daemons | map(.alive)), .guard.alive]' /tmp/user.json)" == '[[true,true],true]'
check "user: peers, physical side and fence unknown (null), each said to need root" test \
	"$(jq -c '[.tunnel.peers, .physical_interfaces, .fence.present,
		(.unavailable | map(select(.needs_root)) | map(.what) | sort)]' /tmp/user.json)" == \
	'[null,null,null,["fence","peers","physical_interfaces"]]'
as_user status >/tmp/user.txt 2>&1
check "user: the text says what needs root" grep -q "not shown without root: .*run as root for the physical side" /tmp/user.txt
diag "$(cat /tmp/user.txt)"
check "user: no private key in either output" bash -c "! grep -qF -- '$priv' /tmp/user.json /tmp/user.txt"

# ---- no handshake ------------------------------------------------------------
# The server forgets the laptop: the laptop keeps sending (keepalive every
# 25 s) and no handshake completes. A warning, not broken: nothing leaks.
# The test build takes the 3 minutes as WGPHYS_HANDSHAKE_STALE seconds.
ip netns exec lan wg set wg0 peer "$CLIENT_PUB" remove
stale_warned() {
	local hs
	src=0
	WGPHYS_HANDSHAKE_STALE=5 "$WGPHYS" status --json >"$J" 2>/dev/null || src=$?
	hs=$(wg show wg0 latest-handshakes | awk '{ print $2 }')
	echo "exit $src, codes '$(codes)', handshake $(($(date +%s) - hs)) s ago (wg show)"
	[[ $src == 0 && $(field .state) == up && $(codes) == no-handshake ]] &&
		(($(date +%s) - hs > 5)) &&
		[[ $(jq -c '[.warnings[0].breaks, .tunnel.peers[0].tx_bytes > 0]' "$J") == '[false,true]' ]]
}
codes() { jq -r '[.warnings[].code] | unique | join(" ")' "$J"; }
poll 60 "no handshake for longer than the limit while sending: a warning, still up (exit 0)" stale_warned
check "the text says so" bash -c "WGPHYS_HANDSHAKE_STALE=5 '$WGPHYS' status | grep -q '^warning: peer .*no handshake'"
ip netns exec lan wg set wg0 peer "$CLIENT_PUB" allowed-ips "$WORLD_TUNNEL_CLIENT/32,$WORLD_TUNNEL_CLIENT6/128"

# ---- broken ---------------------------------------------------------------

guard_pid() { awk '$1 == "guard" { print $2 }' /run/wgphys/state; }
daemon_pid() { awk -v n="$1" '$1 == "daemon" && $4 == n { print $2 }' /run/wgphys/state; }
gone() { [[ ! -d /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]; }
is_broken_with() { # code...: broken, exit 1, exactly these warning codes
	status_json || return 1
	echo "exit $src, state $(field .state), codes '$(codes)'"
	[[ $src == 1 && $(field .state) == broken && $(codes) == "$*" ]]
}
healthy() { status_json && [[ $src == 0 && $(field .state) == up ]]; }

g=$(guard_pid)
kill -TERM "$g"
poll 10 "the guard stops on SIGTERM (leaving everything in place)" gone "$g"
d=$(daemon_pid dhcpcd)
kill -9 "$d"
poll 10 "dhcpcd is killed" gone "$d"
check "guard stopped, dhcpcd killed: broken (exit 1), daemon-dead and guard-dead" \
	is_broken_with daemon-dead guard-dead
check "the dead daemon is the one killed (pid $d), alive false, /proc agrees" bash -c \
	"[[ \$(jq -c '[.daemons[] | select(.alive == false) | .pid]' '$J') == '[$d]' && ! -d /proc/$d ]]"
check "the text says broken first (exit 1)" text_says broken 1
check "and names dhcpcd" grep -q 'warning: dhcpcd .*not running' /tmp/status.txt
check "up again starts a guard" "$WGPHYS" up
poll 30 "the guard restarts dhcpcd: healthy again (exit 0)" healthy

g=$(guard_pid)
kill -9 "$g"
poll 10 "the guard is killed" gone "$g"
check "guard killed: broken (exit 1), guard-dead only" is_broken_with guard-dead
check "up again starts a guard" "$WGPHYS" up
poll 20 "healthy again" healthy

# The guard puts a fence flushed under it back: it is stopped first, so
# that status sees the hole.
g=$(guard_pid)
kill -TERM "$g"
poll 10 "the guard stops again" gone "$g"
nft delete table inet wgphys
fence_gone() { is_broken_with fence-missing guard-dead && [[ $(field .fence.present) == false ]]; }
check "fence deleted: broken (exit 1), fence-missing, present false" fence_gone

# ---- after down --------------------------------------------------------------

check "wgphys down" "$WGPHYS" down
tunnel=
is_down() { status_json && [[ $src == 3 && $(field .state) == down ]]; }
check "after down: exit 3, state down" is_down
poll 60 "after down: main_interfaces match ip -j again (eth0, wlan0 back)" same_links .main_interfaces
check "after down: eth0 and wlan0 in main" bash -c \
	"[[ \$(jq -c '[.main_interfaces[].name | select(. == \"eth0\" or . == \"wlan0\")] | sort' $J) == '[\"eth0\",\"wlan0\"]' ]]"
check "after down: no fence" test "$(field .fence.present)" == false

done_testing
