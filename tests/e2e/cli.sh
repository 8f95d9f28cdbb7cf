#!/usr/bin/env bash
# CLI contract: exit codes (0 ok, 1 failed op, 2 bad input/usage), stdout vs stderr, help.
set -u
. "${NSCTL_SRCDIR:-.}/tests/lib.sh"
T_LOG=$(mktemp)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP" "$T_LOG"' EXIT

c_version() { "$NSCTL" --version | grep -Eq '^nsctl [0-9]+\.[0-9]+'; }
c_help() { "$NSCTL" --help | grep -q validate && "$NSCTL" plan --help | grep -q -- --json; }
c_no_verb() { expect_exit 2 "$NSCTL"; }
c_unknown_verb() {
	expect_exit 2 "$NSCTL" frobnicate 2>"$TMP/err"
	grep -q "unknown verb 'frobnicate'" "$TMP/err"
}
c_unknown_option() { expect_exit 2 "$NSCTL" --frob; expect_exit 2 "$NSCTL" plan --frob "$SRC/examples/routed.yaml"; }
c_json_on_graph() { expect_exit 2 "$NSCTL" graph --json "$SRC/examples/routed.yaml"; }
c_bad_format() { expect_exit 2 "$NSCTL" graph --format png "$SRC/examples/routed.yaml"; }
c_missing_arg() { expect_exit 2 "$NSCTL" validate; expect_exit 2 "$NSCTL" plan a b; }
c_missing_file() {
	expect_exit 2 "$NSCTL" validate "$TMP/nope.yaml" 2>"$TMP/err"
	grep -q "No such file" "$TMP/err"
}
c_validate_examples_silent() {
	for f in "$SRC"/examples/*.yaml; do
		"$NSCTL" validate "$f" >"$TMP/out" 2>"$TMP/err"
		[ ! -s "$TMP/out" ] || { echo "stdout not empty for $f"; return 1; }
	done
}
c_validate_verbose_summary() {
	"$NSCTL" validate -v "$SRC/examples/routed.yaml" 2>"$TMP/err"
	grep -q "lab 'routed' is valid: 3 nodes" "$TMP/err"
}
c_validate_bad() {
	printf 'name: x\nnodes:\n  h1: {interfaces: {eth0: {mtu: 1}}}\nlinks:\n  - endpoints: [h1:eth0, h2:eth0]\n' >"$TMP/bad.yaml"
	expect_exit 2 "$NSCTL" validate "$TMP/bad.yaml" 2>"$TMP/err"
	grep -q "^$TMP/bad.yaml:3:33: error: mtu 1 is out of range (68..65535)$" "$TMP/err"
	grep -q "^$TMP/bad.yaml:5:26: error: " "$TMP/err"
	grep -q "1 error\|2 errors" "$TMP/err"
}
c_plan_stdout_only() {
	"$NSCTL" plan "$SRC/examples/routed.yaml" >"$TMP/out" 2>"$TMP/err"
	[ -s "$TMP/out" ] && [ ! -s "$TMP/err" ]
}
c_plan_bad_exit2() {
	printf 'name: x\nnodes: []\n' >"$TMP/bad2.yaml"
	expect_exit 2 "$NSCTL" plan "$TMP/bad2.yaml" 2>/dev/null
}
c_graph_formats() {
	"$NSCTL" graph "$SRC/examples/lan.yaml" | grep -q '^graph\|^digraph'
	"$NSCTL" graph --format mermaid "$SRC/examples/lan.yaml" | grep -q '^graph\|^flowchart'
}
c_stdout_closed() {
	# A full stdout is an operation failure, not a silent success.
	[ -w /dev/full ] || exit 77
	expect_exit 1 "$NSCTL" plan "$SRC/examples/routed.yaml" >/dev/full 2>/dev/null
}

t_case "--version prints the version" c_version
t_case "--help and VERB --help" c_help
t_case "no verb: exit 2" c_no_verb
t_case "unknown verb: exit 2 with message" c_unknown_verb
t_case "unknown option: exit 2" c_unknown_option
t_case "option not valid for verb: exit 2" c_json_on_graph
t_case "unknown graph format: exit 2" c_bad_format
t_case "wrong argument count: exit 2" c_missing_arg
t_case "missing file: exit 2 with errno text" c_missing_file
t_case "validate: every example exits 0, stdout empty" c_validate_examples_silent
t_case "validate -v: summary on stderr" c_validate_verbose_summary
t_case "validate: bad file prints file:line:col, exit 2" c_validate_bad
t_case "plan: result on stdout, nothing on stderr" c_plan_stdout_only
t_case "plan: invalid file exit 2" c_plan_bad_exit2
t_case "graph: dot and mermaid" c_graph_formats
t_case "plan: write error to stdout exits 1" c_stdout_closed
t_done cli
