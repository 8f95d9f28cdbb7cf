# Shared helpers for shell test tiers: t_case NAME FUNC runs FUNC in a subshell and records
# ok/not ok/skip (exit 77); t_done prints the closing line and returns non-zero on failure.
T_N=0 T_PASS=0 T_FAIL=0 T_SKIP=0
NSCTL=${NSCTL:-build/nsctl}
SRC=${NSCTL_SRCDIR:-.}

t_case() {
	local name=$1 fn=$2 rc
	T_N=$((T_N + 1))
	( set -e; "$fn" ) >"${T_LOG:-/dev/null}" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		T_PASS=$((T_PASS + 1)); echo "ok $T_N - $name"
	elif [ $rc -eq 77 ]; then
		T_SKIP=$((T_SKIP + 1)); echo "ok $T_N - $name # SKIP"
	else
		T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $name"
		[ -n "${T_LOG:-}" ] && sed 's/^/#   /' "$T_LOG"
	fi
}

t_done() {
	echo "1..$T_N"
	echo "$1: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ $T_FAIL -eq 0 ]
}

# expect_exit CODE CMD...: runs CMD, fails unless it exits CODE.
expect_exit() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "expected exit $want, got $rc: $*"
		return 1
	fi
}
