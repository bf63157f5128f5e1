#!/bin/bash
# nl80211.c against a real kernel, with iw as the observer: the phys and
# wireless interfaces it lists are iw's (in the main namespace and in
# another), a phy it moves lands where iw then sees it, a refused move
# leaves the phy in place, and its watch hears a radio added at run time
# (mac80211_hwsim, through tests/vm/hwsim-radio), moved and deleted, in
# each namespace it passes through.
#
#   main namespace: phy0/wlan0, phy1/wlan1 (mac80211_hwsim radios=2), and
#                   hot0 added here at run time
#   "t-nl":         a namespace of the test's own; phy1 and hot0 visit it
#   "t-main":       a name for the main namespace (ip netns attach), so the
#                   tool can move a phy back
#
# Run inside the VM: tests/vm/run tests/vm/t-nl80211.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
TOOL=$repo/build/test/tests/tools/nl80211-tool
HWSIM=$here/hwsim-radio
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

log=/tmp/t-nl80211
mkdir -p "$log"
watchers=()
teardown() {
	local pid
	for pid in "${watchers[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	ip netns exec t-nl "$HWSIM" del hot0 >/dev/null 2>&1
	"$HWSIM" del hot0 >/dev/null 2>&1
	ip netns del t-nl 2>/dev/null
	ip netns del t-main 2>/dev/null
	rm -f /run/netns/t-bogus
}
trap teardown EXIT

[[ -x $TOOL ]] || { not_ok "nl80211-tool is built" "run make test-build"; done_testing; }

# Run "$@" in namespace $1 ("" for this one).
in_ns() {
	local ns=$1
	shift
	if [[ -n $ns ]]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

tool() { # ns args...
	local ns=$1
	shift
	if [[ -n $ns ]]; then "$TOOL" -n "$ns" "$@"; else "$TOOL" "$@"; fi
}

# "INDEX NAME NETNS_OK" per phy as iw sees it, sorted.
iw_phys() { # ns
	local name info idx ok
	for name in $(in_ns "$1" iw phy | awk '/^Wiphy /{ print $2 }'); do
		info=$(in_ns "$1" iw phy "$name" info) || return 1
		idx=$(awk '/wiphy index:/{ print $3 }' <<<"$info")
		ok=no
		grep -q '\* set_wiphy_netns' <<<"$info" && ok=yes
		echo "$idx $name $ok"
	done | sort
}

# "IFINDEX NAME PHY" per interface with a netdev, as iw sees it, sorted.
iw_ifaces() { # ns
	in_ns "$1" iw dev | awk '
		/^phy#/ { phy = substr($1, 5) }
		/^\tInterface / { name = $2 }
		/^\t\tifindex / { print $2, name, phy }' | sort
}

same() { # what tool-output iw-output
	echo "nl80211-tool:"
	echo "$2"
	echo "iw:"
	echo "$3"
	[[ -n $2 && $2 == "$3" ]]
}

phys_match() { # ns
	local mine theirs
	mine=$(tool "$1" phys | sort) || return 1
	theirs=$(iw_phys "$1")
	same phys "$mine" "$theirs"
}

ifaces_match() { # ns
	local mine theirs
	mine=$(tool "$1" ifaces | sort) || return 1
	theirs=$(iw_ifaces "$1")
	same ifaces "$mine" "$theirs"
}

iw_has_phy() { # ns name
	in_ns "$1" iw phy | grep -qx "Wiphy $2"
}

iw_lacks_phy() { # ns name
	! in_ns "$1" iw phy | grep -qx "Wiphy $2"
}

watch_start() { # name ns
	tool "$2" watch 120 >"$log/$1" 2>&1 &
	watchers+=("$!")
	diag "watching $1 (pid $!)"
}

saw() { # file line-regex
	cat "$1"
	grep -Eqx "$2" "$1"
}

phy_index() { # ns name
	in_ns "$1" iw phy "$2" info | awk '/wiphy index:/{ print $3 }'
}

# --- Listing, in the main namespace ---
diag "nl80211-tool phys: $(tool "" phys | tr "\n" ";")"
check "the phys nl80211-tool lists are iw's (index, name, may change namespace)" phys_match ""
check "the wireless interfaces it lists are iw's (ifindex, name, phy)" ifaces_match ""
saw_cloexec() { tool "" cloexec | grep -qx "cloexec yes"; }
check "a handle's socket is close-on-exec" saw_cloexec

# --- Moving ---
run ip netns add t-nl
run ip netns attach t-main 1
check "nl80211-tool moves phy1 to t-nl" tool "" move phy1 t-nl
check "iw sees phy1 in t-nl" iw_has_phy t-nl phy1
check "iw no longer sees phy1 in main" iw_lacks_phy "" phy1
check "wlan1 went with it (iw dev in t-nl)" eval 'ip netns exec t-nl iw dev | grep -q "Interface wlan1"'
check "in t-nl, the phys listed are iw's" phys_match t-nl
check "in t-nl, the interfaces listed are iw's" ifaces_match t-nl
check "in main, the phys listed are iw's" phys_match ""

# A namespace file that is no namespace: the kernel refuses, the phy stays.
touch /run/netns/t-bogus
if tool t-nl move phy1 t-bogus >"$log/bogus" 2>&1; then
	not_ok "a move to something that is not a namespace fails" "$(cat "$log/bogus")"
else
	ok "a move to something that is not a namespace fails"
	diag "$(cat "$log/bogus")"
fi
check "after the refused move, iw still sees phy1 in t-nl" iw_has_phy t-nl phy1
if tool "" move nosuch t-nl >"$log/nosuch" 2>&1; then
	not_ok "moving a phy that is not there fails" "$(cat "$log/nosuch")"
else
	ok "moving a phy that is not there fails"
fi

check "nl80211-tool moves phy1 back to main (through t-main)" tool t-nl move phy1 t-main
check "iw sees phy1 in main again" iw_has_phy "" phy1
check "and not in t-nl" iw_lacks_phy t-nl phy1

# --- Events ---
watch_start main ""
watch_start t-nl t-nl
poll 5 "the watch in main is subscribed" saw "$log/main" ready
poll 5 "the watch in t-nl is subscribed" saw "$log/t-nl" ready

hot=$("$HWSIM" add --name hot0) || hot=
if [[ $hot == hot0 ]]; then
	ok "a radio is added at run time (hwsim-radio add --name hot0)"
else
	not_ok "a radio is added at run time (hwsim-radio add --name hot0)" "got: $hot"
fi
idx=$(phy_index "" hot0)
diag "iw: hot0 is wiphy index ${idx:-?}"
poll 5 "the watch in main hears it: new $idx hot0" saw "$log/main" "new $idx hot0"
check "the list now has it, as iw does" phys_match ""
check "and its interface" ifaces_match ""

check "nl80211-tool moves hot0 to t-nl" tool "" move hot0 t-nl
check "iw sees hot0 in t-nl" iw_has_phy t-nl hot0
poll 5 "the watch in main hears it leave: del $idx hot0" saw "$log/main" "del $idx hot0"
poll 5 "the watch in t-nl hears it arrive: new $idx hot0" saw "$log/t-nl" "new $idx hot0"

check "the radio is deleted in t-nl (hwsim-radio del hot0)" ip netns exec t-nl "$HWSIM" del hot0
poll 5 "the watch in t-nl hears it go: del $idx hot0" saw "$log/t-nl" "del $idx hot0"
check "iw no longer sees hot0 anywhere" eval 'iw_lacks_phy "" hot0 && iw_lacks_phy t-nl hot0'

for w in main t-nl; do
	if grep -q '^lost' "$log/$w"; then
		not_ok "the $w watch lost no event" "$(cat "$log/$w")"
	else
		ok "the $w watch lost no event"
	fi
done

# An unnamed radio: hwsim-radio prints the name the kernel chose.
hot=$("$HWSIM" add) || hot=
check "an unnamed radio gets a phy name iw knows ($hot)" iw_has_phy "" "$hot"
check "it is deleted by that name" "$HWSIM" del "$hot"
check "the phys listed are iw's at the end" phys_match ""

done_testing
