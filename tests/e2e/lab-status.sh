#!/usr/bin/env bash
# nsctl status: the lab list and one lab's interfaces as the kernel has them. Copies of
# examples/lan.yaml, routed.yaml and host-access.yaml are brought up under unique names; `ip -j`
# is the independent witness of what status reports. The cases that need no kernel objects
# (an empty or hand-made state dir under NSCTL_STATE_DIR) also run without root.
set -u
. "${NSCTL_SRCDIR:-.}/tests/lib.sh"
T_LOG=$(mktemp)
TMP=$(mktemp -d)
ROOT_STATE=${NSCTL_STATE_DIR:-/run/nsctl}
LAN=st$$a      # lan.yaml copy: three nodes on bridge sw1
RT=st$$b       # routed.yaml copy: h1 - r1 - h2
HA=st$$c       # host-access.yaml copy: n1 wired to the host
HIF=sth$$      # its host-side interface (hacc0 in the example)
MTU=st$$d      # lo with an MTU (set by the executor with lo's link-up) and a link MTU
NOTUP=st$$z    # never brought up

cleanup() {
	if [ "$(id -u)" = 0 ]; then
		# Put back our owner mark if c_host_end died with it changed: down checks it.
		ip link set dev "$HIF" alias "nsctl:$HA:$HIF" 2>/dev/null
		for lab in "$LAN" "$RT" "$HA" "$MTU"; do
			"$NSCTL" -q down "$lab" >/dev/null 2>&1
		done
	fi
	rm -rf "$TMP" "$T_LOG"
}
trap cleanup EXIT

need_root() { [ "$(id -u)" = 0 ] || exit 77; }
# not CMD...: fails if CMD succeeds (a bare "! CMD" never fails a case under set -e).
not() {
	if "$@"; then
		echo "unexpected success: $*"
		return 1
	fi
}

sed "s/^name: lan\$/name: $LAN/" "$SRC/examples/lan.yaml" >"$TMP/lan.yaml"
sed "s/^name: routed\$/name: $RT/" "$SRC/examples/routed.yaml" >"$TMP/routed.yaml"
sed "s/^name: hostacc\$/name: $HA/; s/hacc0/$HIF/g" "$SRC/examples/host-access.yaml" >"$TMP/ha.yaml"
cat >"$TMP/mtu.yaml" <<EOF
name: $MTU
nodes:
  a:
    interfaces:
      lo: {mtu: 9000, addresses: [10.255.0.1/32]}
      eth0: {addresses: [192.0.2.1/24]}
  b:
    interfaces:
      eth0: {addresses: [192.0.2.2/24]}
links:
  - {endpoints: [a:eth0, b:eth0], mtu: 1400}
EOF

UP_OK=
if [ "$(id -u)" = 0 ]; then
	UP_OK=1
	for f in lan routed ha mtu; do
		"$NSCTL" up "$TMP/$f.yaml" >"$TMP/up-$f.out" 2>"$TMP/up-$f.err" || UP_OK=
	done
fi
need_labs() {
	need_root
	[ -n "$UP_OK" ] || { echo "up failed:"; cat "$TMP"/up-*.err; return 1; }
}

# Compares `status --json LAB` (file $1) with what `ip -j` reports, namespace by namespace.
witness() {
	python3 - "$1" <<'EOF'
import json, subprocess, sys

st = json.load(open(sys.argv[1]))

def ip(ns, *args):
    cmd = ["ip"] + (["-n", ns] if ns else []) + ["-j"] + list(args)
    return json.loads(subprocess.check_output(cmd) or b"[]")

def state(k):
    if "UP" not in k["flags"]:
        return "down"
    return "up" if "LOWER_UP" in k["flags"] else "no-carrier"

def addrs(k):
    return ["%s/%d" % (a["local"], a["prefixlen"])
            for a in k.get("addr_info", []) if a.get("scope") != "link"]

def check(where, m, k):
    assert m["name"] == k["ifname"], (where, m, k)
    assert m["state"] == state(k), (where, m["state"], k["flags"])
    assert m["mtu"] == k["mtu"], (where, m["mtu"], k["mtu"])
    assert m["mac"] == k.get("address"), (where, m["mac"], k.get("address"))
    kind = k.get("linkinfo", {}).get("info_kind", "")
    assert m["kind"] == kind, (where, m["kind"], kind)

assert st["complete"] is True
for node in st["nodes"]:
    assert node["present"] is True, node
    kern = ip(node["netns"], "-d", "addr", "show")
    assert [i["name"] for i in node["interfaces"]] == [k["ifname"] for k in kern], node
    for m, k in zip(node["interfaces"], kern):
        check(node["netns"], m, k)
        assert m["addresses"] == addrs(k), (node["netns"], m["addresses"], addrs(k))
for br in st["bridges"]:
    assert br["present"] is True, br
    kern = {k["ifname"]: k for k in ip(br["netns"], "-d", "link", "show")}
    check(br["netns"], br, kern[br["name"]])
    ports = [k["ifname"] for k in kern.values() if k.get("master") == br["name"]]
    assert sorted(p["name"] for p in br["ports"]) == sorted(ports), (br, ports)
    for p in br["ports"]:
        check(br["netns"], p, kern[p["name"]])
for h in st["host"]:
    assert h["present"] is True, h
    k = ip(None, "-d", "addr", "show", "dev", h["name"])[0]
    check("host", h, k)
    assert h["addresses"] == addrs(k), (h, addrs(k))
    assert k.get("ifalias") == "nsctl:%s:%s" % (st["lab"], h["name"]), k
EOF
}

c_list() {
	need_labs
	"$NSCTL" status >"$TMP/out"
	cat "$TMP/out"
	head -n1 "$TMP/out" | grep -Eq '^LAB +NODES +STATE +TOPOLOGY$'
	grep -Eq "^$LAN +3 +up +$ROOT_STATE/$LAN/topology.yaml\$" "$TMP/out"
	grep -Eq "^$RT +3 +up +$ROOT_STATE/$RT/topology.yaml\$" "$TMP/out"
	grep -Eq "^$HA +1 +up +$ROOT_STATE/$HA/topology.yaml\$" "$TMP/out"
	cmp -s "$TMP/lan.yaml" "$ROOT_STATE/$LAN/topology.yaml"
}

c_list_json() {
	need_labs
	"$NSCTL" status --json >"$TMP/out"
	python3 - "$TMP/out" "$LAN" "$RT" "$ROOT_STATE" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
labs = {l["lab"]: l for l in d["labs"]}
for name in sys.argv[2:4]:
    l = labs[name]
    assert l["complete"] is True and l["state"] == "up" and l["nodes"] == 3, l
    assert l["topology"] == "%s/%s/topology.yaml" % (sys.argv[4], name), l
EOF
}

c_lab_text() {
	need_labs
	"$NSCTL" status "$LAN" >"$TMP/out"
	cat "$TMP/out"
	grep -q "^lab '$LAN': up, 3 nodes (topology $ROOT_STATE/$LAN/topology.yaml)\$" "$TMP/out"
	grep -Eq '^NODE +NAMESPACE +IFACE +STATE +MTU +MAC +ADDRESSES$' "$TMP/out"
	grep -Eq "^h1 +$LAN-h1 +lo +up +65536 +00:00:00:00:00:00 +127.0.0.1/8 ::1/128\$" "$TMP/out"
	grep -Eq "^ +eth0 +up +1500 +02:00:00:00:00:11 +192.0.2.11/24\$" "$TMP/out"
	grep -Eq "^h2 +$LAN-h2 +lo " "$TMP/out"
	grep -Eq " +eth0 +up +1500 +[0-9a-f:]{17} +192.0.2.13/24\$" "$TMP/out"
	grep -Eq "^sw1 +$LAN--fabric +up +1500 +[0-9a-f:]{17} +h1-eth0 h2-eth0 h3-eth0\$" "$TMP/out"
	not grep -q '^HOST' "$TMP/out"
	"$NSCTL" status "$RT" >"$TMP/out"
	cat "$TMP/out"
	grep -Eq "^r1 +$RT-r1 +lo +up +65536 .* 127.0.0.1/8 10.255.0.1/32 ::1/128\$" "$TMP/out"
	grep -Eq "^ +eth1 +up +1500 +[0-9a-f:]{17} +198.51.100.1/24 2001:db8:2::1/64\$" "$TMP/out"
	not grep -q '^BRIDGE' "$TMP/out"
	# IPv6 link-local addresses are left out (r1's interfaces have them).
	not grep -q 'fe80:' "$TMP/out"
	ip -n "$RT-r1" addr show dev eth0 | grep -q 'inet6 fe80:'
}

c_json_witness() {
	need_labs
	for lab in "$LAN" "$RT" "$HA"; do
		"$NSCTL" status --json "$lab" >"$TMP/$lab.json"
		witness "$TMP/$lab.json"
	done
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lab"] == sys.argv[2] and len(d["nodes"]) == 3 and d["host"] == []
h1 = d["nodes"][0]
assert h1["name"] == "h1" and h1["netns"] == sys.argv[2] + "-h1", h1
eth0 = [i for i in h1["interfaces"] if i["name"] == "eth0"][0]
assert eth0 == {"name": "eth0", "state": "up", "mtu": 1500, "mac": "02:00:00:00:00:11",
                "kind": "veth", "addresses": ["192.0.2.11/24"]}, eth0
assert [b["name"] for b in d["bridges"]] == ["sw1"]
assert [p["name"] for p in d["bridges"][0]["ports"]] == ["h1-eth0", "h2-eth0", "h3-eth0"]
' "$TMP/$LAN.json" "$LAN"
}

c_host_end() {
	need_labs
	"$NSCTL" status "$HA" >"$TMP/out"
	cat "$TMP/out"
	grep -Eq "^HOST +STATE +MTU +MAC +ADDRESSES\$" "$TMP/out"
	grep -Eq "^$HIF +up +1500 +[0-9a-f:]{17} +203.0.113.1/24\$" "$TMP/out"
	# An interface of that name without our owner mark is someone else's: not shown.
	ip link set dev "$HIF" alias "not-nsctl"
	"$NSCTL" status "$HA" >"$TMP/out2"
	"$NSCTL" status --json "$HA" >"$TMP/out2.json"
	ip link set dev "$HIF" alias "nsctl:$HA:$HIF"
	cat "$TMP/out2"
	grep -Eq "^$HIF +missing\$" "$TMP/out2"
	not grep -q '203.0.113.1/24' "$TMP/out2"
	python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["host"]
assert h == [{"name": sys.argv[2], "present": False}], h
' "$TMP/out2.json" "$HIF"
}

c_missing_node() {
	need_labs
	ip netns del "$RT-h2"
	"$NSCTL" status "$RT" >"$TMP/out"
	cat "$TMP/out"
	grep -Eq "^h2 +$RT-h2 +missing \(no network namespace\)\$" "$TMP/out"
	grep -Eq "^h1 +$RT-h1 +lo " "$TMP/out"
	"$NSCTL" status --json "$RT" >"$TMP/out.json"
	python3 -c '
import json, sys
n = {x["name"]: x for x in json.load(open(sys.argv[1]))["nodes"]}
assert n["h2"]["present"] is False and n["h2"]["interfaces"] == [], n["h2"]
assert n["h1"]["present"] is True
' "$TMP/out.json"
	# h2's init still holds its network namespace (a process pins it), so r1:eth1's peer
	# lives on: the name is gone, the node is not. down stops the init through its cgroup,
	# and then the namespace and the pair go.
	grep -q '"eth1"' "$TMP/out.json"
	# down still works on a lab with a node gone, and status then says it is not up.
	"$NSCTL" -q down "$RT" >/dev/null
	not grep -q "^$RT-" <(ip netns list)
	expect_exit 1 "$NSCTL" status "$RT" 2>"$TMP/err"
	grep -q "lab '$RT' is not up" "$TMP/err"
}

c_not_up() {
	expect_exit 1 "$NSCTL" status "$NOTUP" >"$TMP/out" 2>"$TMP/err"
	[ ! -s "$TMP/out" ]
	grep -q "lab '$NOTUP' is not up" "$TMP/err"
	expect_exit 1 "$NSCTL" status --json "$NOTUP" >"$TMP/out" 2>/dev/null
	[ ! -s "$TMP/out" ]
}

c_invalid_name() {
	expect_exit 2 "$NSCTL" status Bad_Name 2>"$TMP/err"
	grep -q "'Bad_Name' is neither a topology file nor a lab name" "$TMP/err"
	expect_exit 2 "$NSCTL" status ../etc 2>/dev/null
	expect_exit 2 "$NSCTL" status -- -x 2>/dev/null
	expect_exit 2 "$NSCTL" status "" 2>/dev/null
}

c_no_labs() {
	mkdir -p "$TMP/empty"
	NSCTL_STATE_DIR=$TMP/empty "$NSCTL" status >"$TMP/out" 2>/dev/null
	[ ! -s "$TMP/out" ]
	NSCTL_STATE_DIR=$TMP/nonexistent "$NSCTL" status --json >"$TMP/out"
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"labs": []}' "$TMP/out"
}

# A journal without its "complete" record (an `up` killed half-way), made by hand under a
# private state root: no kernel object exists, so every node reads as missing.
c_incomplete() {
	local root=$TMP/state lab=st$$y
	mkdir -p "$root/$lab"
	sed "s/^name: routed\$/name: $lab/" "$SRC/examples/routed.yaml" >"$root/$lab/topology.yaml"
	printf 'nsctl-journal 1\n+ 1 netns %s-h1\n= 1\n' "$lab" >"$root/$lab/journal"
	NSCTL_STATE_DIR=$root "$NSCTL" status >"$TMP/out"
	cat "$TMP/out"
	grep -Eq "^$lab +3 +incomplete \(up interrupted: run nsctl down\) +$root/$lab/topology.yaml\$" \
		"$TMP/out"
	NSCTL_STATE_DIR=$root "$NSCTL" status "$lab" >"$TMP/out"
	cat "$TMP/out"
	grep -q "^lab '$lab': incomplete (up interrupted: run nsctl down), 3 nodes" "$TMP/out"
	[ "$(grep -c 'missing (no network namespace)' "$TMP/out")" = 3 ]
	NSCTL_STATE_DIR=$root "$NSCTL" status --json "$lab" >"$TMP/out"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is False and d["bridges"] == [] and d["host"] == []
assert [n["present"] for n in d["nodes"]] == [False] * 3, d
' "$TMP/out"
	# A torn last line is not a "complete" record.
	printf 'complete' >>"$root/$lab/journal"
	NSCTL_STATE_DIR=$root "$NSCTL" status --json | grep -q '"complete":false'
	printf '\n' >>"$root/$lab/journal"
	NSCTL_STATE_DIR=$root "$NSCTL" status --json | grep -q '"complete":true'
}

c_mtu() {
	need_labs
	"$NSCTL" status --json "$MTU" >"$TMP/out.json"
	witness "$TMP/out.json"
	python3 -c '
import json, sys
n = {x["name"]: {i["name"]: i for i in x["interfaces"]}
     for x in json.load(open(sys.argv[1]))["nodes"]}
assert n["a"]["lo"]["mtu"] == 9000 and n["a"]["lo"]["state"] == "up", n["a"]["lo"]
assert n["a"]["lo"]["addresses"] == ["127.0.0.1/8", "10.255.0.1/32", "::1/128"], n["a"]["lo"]
assert n["b"]["lo"]["mtu"] == 65536, n["b"]["lo"]
assert n["a"]["eth0"]["mtu"] == n["b"]["eth0"]["mtu"] == 1400
' "$TMP/out.json"
	ip -n "$MTU-a" -j link show lo | grep -q '"mtu":9000,'
	"$NSCTL" status "$MTU" | grep -Eq "^a +$MTU-a +lo +up +9000 "
}

c_stdout_full() {
	need_labs
	[ -w /dev/full ] || exit 77
	expect_exit 1 "$NSCTL" status "$LAN" >/dev/full 2>/dev/null
}

t_case "status: one line per lab with nodes, state, topology copy" c_list
t_case "status --json: the lab list" c_list_json
t_case "status LAB: nodes, interfaces, bridge ports" c_lab_text
t_case "status --json LAB: matches ip -j for every namespace" c_json_witness
t_case "status LAB: host ends shown only with our alias" c_host_end
t_case "status LAB: a deleted node namespace shows as missing" c_missing_node
t_case "status LAB: a lab that is not up exits 1" c_not_up
t_case "status LAB: an invalid lab name exits 2" c_invalid_name
t_case "status: no labs, empty output" c_no_labs
t_case "status: an interrupted up reads as incomplete" c_incomplete
t_case "status LAB: lo's MTU (set by up) and a link MTU, as the kernel has them" c_mtu
t_case "status LAB: write error to stdout exits 1" c_stdout_full
t_done e2e-status
