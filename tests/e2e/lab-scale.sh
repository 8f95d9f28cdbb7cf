#!/usr/bin/env bash
# Issue 5 at scale: a real 1000-node lab. A ring of 1000 routers (tests/bench/gen.py ring 1000:
# r0..r999 on /31 links in 10.0.0.0/8, ip_forward, static routes the shortest way round) goes
# up, is checked by independent witnesses (ip netns list, ip -j addr/route, /proc/sys, the
# nodes' inits in /proc), forwards pings end to end through every router, goes down leaving
# nothing, and comes straight back up and down again. Needs root; skips (77) without it.
#
# Timing is printed (up/down --json phases, each case's seconds), never asserted.
#
# Every node gets net.ipv4.ip_default_ttl=255 on top of gen.py's file: a 250-hop echo request
# arrives with TTL 5, and a reply sent with the default TTL 64 would die after 63 hops.
#
# The kernel's ARP table is one table for all network namespaces together, capped by the
# host's net.ipv4.neigh.default.gc_thresh3 (1024 by default), and every link a packet crosses
# takes two entries (the sender's for the next hop, the receiver's for the sender). A
# 250-hop path takes ~500, so two long paths at once already fill a default table ("neighbor
# table overflow", the packet is dropped). The route-chain case therefore runs one long path
# at a time and empties the ARP caches of that path's nodes (in this lab's namespaces only)
# before the next; the host's sysctl is left alone.
set -u
. "${NSCTL_SRCDIR:-.}/tests/lib.sh"
. "$SRC/tests/e2e/lablib.sh"

N=1000
LAB=${TAG}x1
FILE=$WORK/ring-$N.yaml
HELPER=$WORK/scale.py
# big VERB ARGS...: nsctl up or down of the big lab, in the background with its pid registered,
# so that if the tier is interrupted meanwhile, its cleanup can stop an up (lab_cleanup:
# SIGKILL, then down from the journal) or let a down finish (scale_cleanup) instead of
# finding the lab locked by an orphan and leaving 1000 nodes behind. SIGTERM after 600 s.
big() {
	local p t=0
	"$NSCTL" "$@" &
	p=$!
	if [ "$1" = up ]; then reg pid $p; else reg downpid $p; fi
	while kill -0 $p 2>/dev/null; do
		t=$((t + 1))
		if [ $t -eq 3000 ]; then
			echo "nsctl $1 still running after 600 s: SIGTERM" >&2
			kill -TERM $p
		fi
		sleep 0.2
	done
	wait $p
}
# lablib's cleanup, after any down of ours still running has ended (it holds the lab's lock).
scale_cleanup() {
	local kind p i
	while read -r kind p; do
		[ "$kind" = downpid ] || continue
		for i in $(seq 1 600); do
			tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$NSCTL down" || break
			sleep 0.2
		done
	done <"$REG"
	lab_cleanup
	rm -rf "$WORK"
}
trap scale_cleanup EXIT

# The witnesses that would cost a process per node (inits, ARP flush) or need the file's
# addresses (sample checks, path walk), in one Python process each time.
cat >"$HELPER" <<'PYEOF'
import ctypes, ipaddress, json, os, socket, struct, subprocess, sys
import yaml

def netns(lab, node):
    return "%s-%s" % (lab, node)

def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.BaseLoader)

def ip_json(ns, *args):
    p = subprocess.run(["ip", "-n", ns, "-j"] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("ip -n %s -j %s: %s" % (ns, " ".join(args), p.stderr.strip()))
    return json.loads(p.stdout or "[]")

def ring_addr(i, n, ifname):
    """gen.py's numbering, recomputed here: link k is 10.0.0.0+2k (r_k:eth1) and +1
    (r_{k+1}:eth0)."""
    k = 2 * i if ifname == "eth1" else 2 * ((i - 1) % n) + 1
    return "%s/31" % ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.0.0.0")) + k)

def sample(path, n, nodes):
    """Addresses, routes (the whole main table) and sysctls of a few nodes, exactly."""
    doc = load(path)
    lab, bad = doc["name"], 0
    def mismatch(msg):
        nonlocal bad
        bad += 1
        print("MISMATCH: " + msg)
    for node in nodes:
        bad0 = bad
        ns, spec, i = netns(lab, node), doc["nodes"][node], int(node[1:])
        want_if = {(ifn, a) for ifn, v in spec["interfaces"].items() for a in v["addresses"]}
        formula = {("eth0", ring_addr(i, n, "eth0")), ("eth1", ring_addr(i, n, "eth1"))}
        if want_if != formula:
            mismatch("%s: the file gives %s, the ring's numbering %s" % (node, sorted(want_if), sorted(formula)))
        have_if, up = set(), {}
        for d in ip_json(ns, "-4", "addr"):
            up[d["ifname"]] = "UP" in d.get("flags", [])
            for a in d.get("addr_info", []):
                if d["ifname"] != "lo":
                    have_if.add((d["ifname"], "%s/%d" % (a["local"], a["prefixlen"])))
        if have_if != want_if:
            mismatch("%s: addresses %s, want %s" % (ns, sorted(have_if), sorted(want_if)))
        for ifn in ("eth0", "eth1"):
            if not up.get(ifn):
                mismatch("%s: %s missing or not UP" % (ns, ifn))
        want_rt = {(str(ipaddress.ip_network(r["to"])), r["via"]) for r in spec.get("routes", [])}
        want_rt |= {(str(ipaddress.ip_interface(a).network), None) for _, a in want_if}
        have_rt = {(r["dst"] if "/" in r["dst"] else r["dst"] + "/32", r.get("gateway"))
                   for r in ip_json(ns, "-4", "route", "show", "table", "main")}
        if have_rt != want_rt:
            mismatch("%s: routes missing %s, unexpected %s" % (
                ns, sorted(want_rt - have_rt, key=str), sorted(have_rt - want_rt, key=str)))
        keys = {"net/ipv4/ip_forward": "1", "net/ipv4/ip_default_ttl": "255"}
        p = subprocess.run(["ip", "netns", "exec", ns, "cat"] + ["/proc/sys/" + k for k in keys],
                           capture_output=True, text=True)
        got = p.stdout.split()
        if p.returncode != 0 or got != list(keys.values()):
            mismatch("%s: sysctls %s = %s, want %s %s" % (ns, list(keys), got, list(keys.values()), p.stderr.strip()))
        print("%s: %d addresses, %d routes, ip_forward and ip_default_ttl %s" % (
            node, len(have_if), len(have_rt), "ok" if bad == bad0 else "MISMATCHED"))
    return bad == 0

def inits(state, lab, n):
    """Every node's pid file names a live nsctl-init that is PID 1 of its own PID namespace,
    sits in the node's network namespace and in the node's cgroup."""
    bad = []
    for i in range(n):
        node = "r%d" % i
        try:
            with open("%s/%s/nodes/%s/pid" % (state, lab, node)) as f:
                pid = int(f.read().split()[0])
            with open("/proc/%d/comm" % pid) as f:
                comm = f.read().strip()
            with open("/proc/%d/stat" % pid) as f:
                st = f.read().rsplit(")", 1)[1].split()[0]
            with open("/proc/%d/status" % pid) as f:
                nspid = [l.split()[1:] for l in f if l.startswith("NSpid:")][0]
            with open("/proc/%d/cgroup" % pid) as f:
                cg = f.read()
            net = os.readlink("/proc/%d/ns/net" % pid)
            want_net = "net:[%d]" % os.stat("/run/netns/" + netns(lab, node)).st_ino
            why = []
            if comm != "nsctl-init": why.append("comm %r" % comm)
            if st == "Z": why.append("a zombie")
            if len(nspid) < 2 or nspid[-1] != "1": why.append("NSpid %s (not PID 1 of its own namespace)" % nspid)
            if net != want_net: why.append("netns %s, want %s" % (net, want_net))
            if ":/nsctl/%s/%s\n" % (lab, node) not in cg: why.append("not in cgroup nsctl/%s/%s" % (lab, node))
            if why:
                bad.append("%s: pid %d: %s" % (node, pid, ", ".join(why)))
        except (OSError, ValueError, IndexError) as e:
            bad.append("%s: %s" % (node, e))
    print("inits: %d nodes, %d with a live nsctl-init in the right netns and cgroup" % (n, n - len(bad)))
    for b in bad[:20]:
        print("BAD: " + b)
    return not bad

# ---- ARP: flush one namespace's table over rtnetlink (no process per namespace) ----
RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH = 28, 29, 30
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NDA_DST = 1
NUD_NOARP, NUD_PERMANENT = 0x40, 0x80
libc = ctypes.CDLL(None, use_errno=True)

def nl_msgs(s):
    while True:
        data = s.recv(1 << 16)
        off = 0
        while off + 16 <= len(data):
            ln, typ, _, _, _ = struct.unpack_from("=LHHLL", data, off)
            yield typ, data[off + 16:off + ln]
            off += (ln + 3) & ~3

def flush_ns(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + ns)
    finally:
        os.close(fd)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    ndm = lambda ifi: struct.pack("=BBHiHBB", socket.AF_INET, 0, 0, ifi, 0, 0, 0)
    s.send(struct.pack("=LHHLL", 28, RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + ndm(0))
    found = []
    for typ, body in nl_msgs(s):
        if typ == NLMSG_DONE:
            break
        if typ == NLMSG_ERROR:
            raise OSError(-struct.unpack_from("=i", body)[0], "neighbour dump in " + ns)
        if typ != RTM_NEWNEIGH:
            continue
        _, _, _, ifi, state, _, _ = struct.unpack_from("=BBHiHBB", body)
        a = 12
        while a + 4 <= len(body):
            alen, atype = struct.unpack_from("=HH", body, a)
            if alen < 4:
                break
            if atype == NDA_DST and not state & (NUD_NOARP | NUD_PERMANENT):
                found.append((ifi, body[a + 4:a + alen]))
            a += (alen + 3) & ~3
    for seq, (ifi, dst) in enumerate(found, 2):
        msg = ndm(ifi) + struct.pack("=HH", 4 + len(dst), NDA_DST) + dst
        s.send(struct.pack("=LHHLL", 16 + len(msg), RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + msg)
        for typ, body in nl_msgs(s):
            err = -struct.unpack_from("=i", body)[0] if typ == NLMSG_ERROR else 0
            if err not in (0, 2):  # ENOENT: gone meanwhile
                raise OSError(err, "RTM_DELNEIGH in " + ns)
            break
    s.close()
    return len(found)

def flush(lab, first, count, n):
    total = sum(flush_ns(netns(lab, "r%d" % ((first + k) % n))) for k in range(count))
    print("flushed %d ARP entries in %d namespaces (r%d..r%d)" % (total, count, first % n, (first + count - 1) % n))
    return True

def arpstat():
    """Entries in the host's (all namespaces') ARP table, table_fulls summed over the CPUs."""
    try:
        with open("/proc/net/stat/arp_cache") as f:
            rows = [l.split() for l in f][1:]
        with open("/proc/sys/net/ipv4/neigh/default/gc_thresh3") as f:
            t3 = f.read().strip()
        print("%d %d %s" % (int(rows[0][0], 16), sum(int(r[12], 16) for r in rows), t3))
    except (OSError, IndexError, ValueError):
        print("0 0 ?")
    return True

def path(lab, owner, src, dst):
    """Follows `ip route get DST` hop by hop from node SRC: (nodes, why, delivered, source
    address SRC would send from)."""
    hops, node, why, delivered, prefsrc = [src], src, "more than 600 hops", False, None
    for _ in range(600):
        try:
            r = ip_json(netns(lab, node), "route", "get", dst)[0]
        except (RuntimeError, IndexError) as e:
            why = "%s: no route: %s" % (node, e)
            break
        prefsrc = prefsrc or r.get("prefsrc")
        if r.get("type") == "local":
            why, delivered = "delivered at %s" % node, True
            break
        gw = r.get("gateway")
        nxt = owner.get(ipaddress.ip_address(gw or dst))
        if nxt is None:
            why = "%s: next hop %s is no node's address" % (node, gw or dst)
            break
        if nxt in hops[-3:-1]:
            why = "%s sends it back to %s (via %s dev %s)" % (node, nxt, gw, r.get("dev"))
            hops.append(nxt)
            break
        hops.append(nxt)
        node = nxt
    return hops, why, delivered, prefsrc

def show(n, src, dst, hops, why):
    # r998 r999 r0 r1 ... r9 r8 -> "r998..r9 r8": runs one step round the ring either way
    idx, out, k = [int(h[1:]) for h in hops], [], 0
    step = lambda a: (idx[a + 1] - idx[a]) % n
    while k < len(idx):
        j = k
        if k + 1 < len(idx) and step(k) in (1, n - 1):
            while j + 1 < len(idx) and step(j) == step(k):
                j += 1
        out.append("r%d..r%d" % (idx[k], idx[j]) if j > k + 1 else " ".join("r%d" % x for x in idx[k:j + 1]))
        k = j + 1
    print("path %s -> %s (ip route get, hop by hop): %s; %s (%d hops)" % (
        src, dst, " ".join(out), why, len(hops) - 1))

def walk(path_, src, dst):
    """For a failed ping: the request's way, and if it arrives, the reply's way back and the
    TTL the reply starts with."""
    doc = load(path_)
    lab, n = doc["name"], len(doc["nodes"])
    owner = {ipaddress.ip_interface(a).ip: node for node, spec in doc["nodes"].items()
             for v in spec["interfaces"].values() for a in v["addresses"]}
    hops, why, delivered, prefsrc = path(lab, owner, src, dst)
    show(n, src, dst, hops, why)
    if not delivered or prefsrc is None:
        return True
    back, why, delivered, _ = path(lab, owner, hops[-1], prefsrc)
    show(n, hops[-1], prefsrc, back, why)
    if delivered:
        p = subprocess.run(["ip", "netns", "exec", netns(lab, hops[-1]), "cat",
                            "/proc/sys/net/ipv4/ip_default_ttl"], capture_output=True, text=True)
        print("%s sends its reply with TTL %s (ip_default_ttl); it has to cross %d routers" % (
            hops[-1], p.stdout.strip() or "?", len(back) - 2))
    return True

cmd, args = sys.argv[1], sys.argv[2:]
ok = {"sample": lambda: sample(args[0], int(args[1]), args[2:]),
      "inits": lambda: inits(args[0], args[1], int(args[2])),
      "flush": lambda: flush(args[0], int(args[1]), int(args[2]), int(args[3])),
      "arpstat": arpstat,
      "walk": lambda: walk(args[0], args[1], args[2])}[cmd]()
sys.exit(0 if ok else 1)
PYEOF
scale() { "${PYTHON:-python3}" "$HELPER" "$@"; }

# addr I IFNAME: gen.py's address of r_I's interface (link k: 10.0.0.0+2k on r_k:eth1, +1 on
# r_{k+1}:eth0), worked out here rather than read from the file.
addr() {
	local k
	if [ "$2" = eth1 ]; then k=$((2 * $1)); else k=$((2 * (($1 - 1 + N) % N) + 1)); fi
	echo "10.0.$((k / 256)).$((k % 256))"
}

# ping_from I ADDR WHAT: ping(8) from r_I's namespace with TTL 255, three tries of 5 s (the
# first packet waits for ARP at every hop). On failure, says whether the host's ARP table
# overflowed meanwhile and where the path goes wrong.
ping_from() {
	local i=$1 a=$2 what=$3 try s0 s1 e0 f0 e1 f1 t3
	s0=$(scale arpstat)
	for try in 1 2 3; do
		if ip netns exec "$LAB-r$i" ping -n -c 1 -W 5 -t 255 "$a" >"$WORK/ping.out" 2>&1; then
			echo "ok: r$i -> $a ($what), try $try: $(grep -o 'ttl=[0-9]* time=[0-9.]* ms' "$WORK/ping.out")"
			return 0
		fi
	done
	s1=$(scale arpstat)
	echo "FAIL: r$i -> $a ($what): no reply in 3 tries"
	sed 's/^/    /' "$WORK/ping.out"
	read -r e0 f0 _ <<<"$s0"
	read -r e1 f1 t3 <<<"$s1"
	echo "    host ARP table: $e1 entries (gc_thresh3 $t3), $((f1 - f0)) 'table full' drops during these pings (before: $e0 entries)"
	scale walk "$FILE" "r$i" "$a" | sed 's/^/    /'
	return 1
}

lab_nodes_netns() { ip netns list | awk -v p="$LAB-" 'index($1, p) == 1 { print $1 }' | sort; }

c_up() {
	need_root_tools
	local rc=0 t0=$SECONDS
	reg lab "$LAB"
	"${PYTHON:-python3}" "$SRC/tests/bench/gen.py" ring "$N" --name "$LAB" -o "$WORK/gen.yaml" || fail "gen.py"
	sed 's/^    sysctls: {net.ipv4.ip_forward: 1}$/    sysctls: {net.ipv4.ip_forward: 1, net.ipv4.ip_default_ttl: 255}/' \
		"$WORK/gen.yaml" >"$FILE"
	[ "$(grep -c 'net.ipv4.ip_default_ttl: 255' "$FILE")" = "$N" ] ||
		fail "could not add ip_default_ttl to every node (has gen.py's sysctls line changed?)"
	# nsctl's own checker: the neighbours both ways round and one 251-hop path (one only:
	# they all run at once, see the ARP note at the top).
	cat >>"$FILE" <<-EOF
		tests:
		  - {ping: [r0, r1]}
		  - {ping: [r0, r$((N - 1))]}
		  - {ping: [r0, r251]}
	EOF
	"$NSCTL" validate "$FILE" || fail "validate $FILE"
	snapshot "$WORK/snap.before"
	big up --json "$FILE" >"$WORK/up.json" 2>"$WORK/up.err" || rc=$?
	note "up --json: $(cat "$WORK/up.json")"
	cat "$WORK/up.json" "$WORK/up.err"
	[ $rc -eq 0 ] || fail "up exited $rc"
	# Counts only (never times): every namespace, link and node init was a step of its own.
	"${PYTHON:-python3}" - "$WORK/up.json" "$LAB" "$N" <<-'EOF' || fail "up --json"
		import json, sys
		j, lab, n = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
		ph = {p["kind"]: p["count"] for p in j["phases"]}
		want = {"netns-add": n, "veth-add": n, "addr-add": 2 * n, "node-start": n}
		bad = [k for k in want if ph.get(k) != want[k]]
		ok = j["lab"] == lab and j["ok"] is True and j["failed_step"] == 0 and not bad
		print("up --json: lab %s ok %s failed_step %s; counts %s, want %s" % (
		    j["lab"], j["ok"], j["failed_step"], {k: ph.get(k) for k in want}, want))
		sys.exit(0 if ok else 1)
	EOF
	[ -f "$STATE/$LAB/journal" ] || fail "no journal under $STATE/$LAB"
	# ip netns list: exactly r0..r999 of this lab (no more, no fabric: the ring has no bridge).
	lab_nodes_netns >"$WORK/ns.have"
	seq 0 $((N - 1)) | sed "s/^/$LAB-r/" | sort >"$WORK/ns.want"
	echo "ip netns list: $(wc -l <"$WORK/ns.have") namespaces of $LAB"
	if ! diff "$WORK/ns.want" "$WORK/ns.have" >"$WORK/ns.diff"; then
		head -n 20 "$WORK/ns.diff"
		fail "the lab's namespaces are not r0..r$((N - 1))"
	fi
	scale sample "$FILE" "$N" r0 r1 r250 r500 r750 r$((N - 1)) || rc=1
	scale inits "$STATE" "$LAB" "$N" || rc=1
	note "1000-node up case: $((SECONDS - t0)) s"
	return $rc
}

c_route_chain() {
	need_root_tools
	local rc=0 t0=$SECONDS q=$((N / 4)) k i j
	[ -f "$STATE/$LAB/journal" ] || fail "lab $LAB is not up (the up case failed)"
	ping_from 0 "$(addr 1 eth0)" "neighbour r1" || rc=1
	ping_from 0 "$(addr $((N - 1)) eth1)" "neighbour r$((N - 1)), round the wrap" || rc=1
	# r0 -> r251, r250 -> r501, r500 -> r751, r750 -> r1: 251 hops each the short way, so that
	# between them every router, r0 included, forwards requests and replies.
	for k in 0 1 2 3; do
		i=$((k * q)) j=$(((k * q + q + 1) % N))
		ping_from "$i" "$(addr "$j" eth0)" "r$j, $((q + 1)) hops" || rc=1
		scale flush "$LAB" "$i" $((q + 2)) "$N" || rc=1
	done
	nsctl test "$LAB" >"$WORK/test.out" 2>&1 || { echo "FAIL: nsctl test $LAB"; rc=1; }
	cat "$WORK/test.out"
	grep -q "tests: 3 passed, 0 failed" "$WORK/test.out" || { echo "FAIL: nsctl test: not 3 passed"; rc=1; }
	note "route-chain case: $((SECONDS - t0)) s"
	return $rc
}

c_down_up_down() {
	need_root_tools
	local rc=0 t0=$SECONDS
	[ -s "$WORK/snap.before" ] || fail "no snapshot from before the up case"
	big down --json "$LAB" >"$WORK/down.json" 2>"$WORK/down.err" || rc=$?
	note "down --json: $(cat "$WORK/down.json")"
	cat "$WORK/down.json" "$WORK/down.err"
	[ $rc -eq 0 ] || fail "down exited $rc"
	[ ! -e "$STATE/$LAB" ] || fail "down left $STATE/$LAB"
	[ -z "$(lab_nodes_netns)" ] || fail "down left namespaces: $(lab_nodes_netns | head -n 5)"
	same_snapshot "$WORK/snap.before" "(down)" || exit 1

	# Under the usual soft RLIMIT_NOFILE of 1024 (this tier's may be higher): nsctl holds
	# two descriptors per namespace and raises the soft limit itself.
	(ulimit -Sn 1024 && big up "$FILE") >"$WORK/up2.out" 2>"$WORK/up2.err" || rc=$?
	[ $rc -eq 0 ] || { tail -n 20 "$WORK/up2.out" "$WORK/up2.err"; fail "second up, right after down, exited $rc"; }
	echo "second up: $(grep -m1 -iE 'lab .* is up|steps' "$WORK/up2.out" || head -n 1 "$WORK/up2.out")"
	[ "$(lab_nodes_netns | wc -l)" -eq "$N" ] || fail "second up: $(lab_nodes_netns | wc -l) namespaces, want $N"
	scale inits "$STATE" "$LAB" "$N" || rc=1
	ping_from 0 "$(addr 1 eth0)" "neighbour r1, second up" || rc=1
	ping_from 0 "$(addr $((N - 1)) eth1)" "neighbour r$((N - 1)), second up" || rc=1
	big down --json "$LAB" >"$WORK/down.json" 2>"$WORK/down.err" || { cat "$WORK/down.err"; fail "second down"; }
	note "second down --json: $(cat "$WORK/down.json")"
	[ ! -e "$STATE/$LAB" ] || fail "second down left $STATE/$LAB"
	same_snapshot "$WORK/snap.before" "(second down)" || rc=1
	note "down/up/down case: $((SECONDS - t0)) s"
	return $rc
}

t_case "$N-node ring: up (namespaces, sampled addresses/routes/sysctls, every node's init)" c_up
t_case "route chain: pings through every router of the ring, nsctl test" c_route_chain
t_case "down leaves nothing, an immediate second up (soft RLIMIT_NOFILE 1024) succeeds" c_down_up_down
t_done e2e-scale
