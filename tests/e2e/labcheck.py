#!/usr/bin/env python3
"""Independent witness for the live-lab tiers (tests/e2e/lab-*.sh).

Reads a topology file on its own (PyYAML, BaseLoader: every scalar stays a string, so MACs and
addresses are never turned into numbers) and asks the kernel through `ip -j`, `ping` and
/proc/sys what is really there. It never uses nsctl's own planner or output, so a bug that
drops an address in nsctl's model is still caught.

    labcheck.py rewrite SRC DST LAB IFPREFIX   copy SRC with name: LAB, every host-side
                                               interface renamed IFPREFIX0, IFPREFIX1, ...
                                               and their IPv4 /24s moved into 10.200-255.x.0/24;
                                               relative rootfs dirs and bind sources made
                                               absolute (they are relative to the file)
    labcheck.py info FILE                      lab name, namespaces and host interfaces
    labcheck.py verify FILE                    addresses, routes, MTU, MAC, sysctls, bridges
    labcheck.py ping FILE                      ping across every link and between end hosts
    labcheck.py chain N LAB HOSTIF             a chain of N nodes (and one host end) on stdout
    labcheck.py signal-at NSCTL FILE LAB N SIG start `NSCTL up FILE`, send SIG (by pid) once
                                               the journal holds >= N "+ " records (N = 0:
                                               once up holds the lock, before its journal)
"""
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import time

import yaml


def die(msg):
    print("labcheck: " + msg, file=sys.stderr)
    sys.exit(2)


def as_map(v):
    return v if isinstance(v, dict) else {}


def as_list(v):
    return v if isinstance(v, list) else []


class Lab:
    """The parts of a topology file that leave a trace in the kernel."""

    def __init__(self, path):
        with open(path) as f:
            doc = yaml.load(f, Loader=yaml.BaseLoader)
        self.name = doc["name"]
        self.bridges = {b: as_map(v) for b, v in as_map(doc.get("bridges")).items()}
        self.nodes = {}
        defaults = as_map(doc.get("defaults"))
        for n, body in as_map(doc.get("nodes")).items():
            body = as_map(body)
            sysctls = dict(as_map(defaults.get("sysctls")))
            sysctls.update(as_map(body.get("sysctls")))
            ifaces = {i: as_map(v) for i, v in as_map(body.get("interfaces")).items()}
            self.nodes[n] = {"ifaces": ifaces, "routes": as_list(body.get("routes")),
                             "sysctls": sysctls}
        self.host_ifaces = {i: as_map(v) for i, v in
                            as_map(as_map(doc.get("host")).get("interfaces")).items()}
        self.links = []  # each: {"ends": [end, end], "mtu": str|None}
        for l in as_list(doc.get("links")):
            ends = [self.parse_end(e) for e in as_list(l.get("endpoints"))]
            self.links.append({"ends": ends, "mtu": l.get("mtu"), "netem": l.get("netem")})
            for e in ends:
                if e["kind"] == "node":
                    self.nodes[e["node"]]["ifaces"].setdefault(e["ifname"], {})
                elif e["kind"] == "host":
                    self.host_ifaces.setdefault(e["ifname"], {})

    def parse_end(self, e):
        if isinstance(e, dict):
            node, ifname, mac = e.get("node"), e.get("interface"), e.get("mac")
            if e.get("bridge") is not None:
                return {"kind": "bridge", "bridge": e["bridge"]}
            if ifname is None:
                return {"kind": "bridge", "bridge": node}
        else:
            node, sep, ifname = e.partition(":")
            mac = None
            if not sep:
                return {"kind": "bridge", "bridge": node}
        if node == "host":
            return {"kind": "host", "ifname": ifname, "mac": mac}
        return {"kind": "node", "node": node, "ifname": ifname, "mac": mac}

    def netns(self, node):
        return "%s-%s" % (self.name, node)

    @property
    def fabric(self):
        return "%s--fabric" % self.name

    def end_iface(self, e):
        """The declared settings of a node or host end."""
        if e["kind"] == "node":
            return self.nodes[e["node"]]["ifaces"].get(e["ifname"], {})
        if e["kind"] == "host":
            return self.host_ifaces.get(e["ifname"], {})
        return {}

    def end_mtu(self, link, i):
        """docs/topology.md "Link MTU": link mtu; else the end's own; else, for a bridge or
        host end, the node end's; else the kernel default."""
        if link["mtu"] is not None:
            return int(link["mtu"])
        e, other = link["ends"][i], link["ends"][1 - i]
        own = self.end_iface(e).get("mtu")
        if own is not None:
            return int(own)
        if e["kind"] in ("bridge", "host") and other["kind"] == "node":
            o = self.end_iface(other).get("mtu")
            if o is not None:
                return int(o)
        return 1500

    def forwarding(self, node):
        s = self.nodes[node]["sysctls"]
        return any(s.get(k) in ("1", "true") for k in
                   ("net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding",
                    "net.ipv6.conf.all.forwarding"))


def addrs_of(iface):
    out = []
    for a in as_list(iface.get("addresses")):
        out.append(ipaddress.ip_interface(a))
    return out


def first_addr(iface, fam):
    for a in addrs_of(iface):
        if a.version == fam:
            return a.ip
    return None


def ip_json(*args, ns=None):
    cmd = ["ip"] + (["-n", ns] if ns else []) + ["-j"] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return json.loads(p.stdout or "[]")


def sysctl_path(key):
    """sysctl.d(5): with a dot as first separator, dots separate and a slash is a dot."""
    first = re.search(r"[./]", key)
    if first and first.group(0) == ".":
        key = key.translate(str.maketrans("./", "/."))
    return "/proc/sys/" + key


# ---- verify ----

class Checker:
    def __init__(self):
        self.errors = 0
        self.checks = 0

    def ok(self, cond, what):
        self.checks += 1
        if not cond:
            self.errors += 1
            print("MISMATCH: " + what)
        return cond


def check_link_dev(c, where, dev, want_addrs, mtu, mac, kind, ifalias=None):
    """One device seen by `ip -j -d addr`: up, addresses, MTU, MAC, kind, alias."""
    flags = dev.get("flags", [])
    c.ok("UP" in flags, "%s: not UP (flags %s)" % (where, flags))
    have = {(a["family"], ipaddress.ip_address(a["local"]), a["prefixlen"])
            for a in dev.get("addr_info", []) if "local" in a}
    for a in want_addrs or []:
        fam = "inet" if a.version == 4 else "inet6"
        c.ok((fam, a.ip, a.network.prefixlen) in have,
             "%s: address %s missing (has %s)" % (
                 where, a, sorted("%s/%d" % (x[1], x[2]) for x in have)))
    if mtu is not None:
        c.ok(dev.get("mtu") == mtu, "%s: mtu %s, want %d" % (where, dev.get("mtu"), mtu))
    if mac is not None:
        c.ok(dev.get("address", "").lower() == mac.lower(),
             "%s: mac %s, want %s" % (where, dev.get("address"), mac))
    if kind is not None:
        have_kind = dev.get("linkinfo", {}).get("info_kind")
        c.ok(have_kind == kind, "%s: kind %s, want %s" % (where, have_kind, kind))
    if ifalias is not None:
        c.ok(dev.get("ifalias") == ifalias,
             "%s: alias %r, want %r" % (where, dev.get("ifalias"), ifalias))
    if want_addrs is not None and kind != "loopback" and dev.get("ifname") != "lo":
        # DESIGN.md: no IPv6 link-local address unless the interface asks for IPv6.
        if not any(a.version == 6 for a in want_addrs):
            ll = [a["local"] for a in dev.get("addr_info", [])
                  if a.get("family") == "inet6"]
            c.ok(not ll, "%s: has IPv6 addresses %s but the file gives it none" % (where, ll))


def norm_dst(dst, fam):
    if dst == "default":
        return ipaddress.ip_network("0.0.0.0/0" if fam == 4 else "::/0")
    return ipaddress.ip_network(dst, strict=False)


def check_routes(c, lab, node, ns):
    routes = lab.nodes[node]["routes"]
    if not routes:
        return
    table = {4: ip_json("-4", "route", "show", "table", "main", ns=ns),
             6: ip_json("-6", "route", "show", "table", "main", ns=ns)}
    for r in routes:
        r = as_map(r)
        to, via, dev, metric = r.get("to"), r.get("via"), r.get("dev"), r.get("metric")
        if to == "default":
            fam = ipaddress.ip_address(via).version
        else:
            fam = ipaddress.ip_network(to, strict=False).version
        want = norm_dst(to, fam)
        found = None
        for k in table[fam]:
            if norm_dst(k.get("dst"), fam) != want:
                continue
            if via is not None and (k.get("gateway") is None or
                                    ipaddress.ip_address(k["gateway"]) != ipaddress.ip_address(via)):
                continue
            if dev is not None and k.get("dev") != dev:
                continue
            if metric is not None and int(k.get("metric", 0)) != int(metric):
                continue
            found = k
            break
        c.ok(found is not None, "%s: route %s missing (table: %s)" % (
            ns, json.dumps(r, sort_keys=True), json.dumps(table[fam])))


def check_sysctls(c, lab, node, ns):
    s = dict(lab.nodes[node]["sysctls"])
    # nsctl's own (docs/decisions.md 14): no IPv6 DAD in a lab, unless the file says otherwise
    if os.path.isdir("/proc/sys/net/ipv6"):
        for k in ("net.ipv6.conf.all.accept_dad", "net.ipv6.conf.default.accept_dad"):
            s.setdefault(k, "0")
    if not s:
        return
    keys = list(s)
    p = subprocess.run(["ip", "netns", "exec", ns, "cat"] + [sysctl_path(k) for k in keys],
                       capture_output=True, text=True)
    got = p.stdout.splitlines()
    c.ok(p.returncode == 0 and len(got) == len(keys),
         "%s: cannot read sysctls %s: %s" % (ns, keys, p.stderr.strip()))
    for k, line in zip(keys, got):
        want = {"true": "1", "false": "0"}.get(s[k], s[k])
        c.ok(line.split() == want.split(), "%s: sysctl %s = %r, want %r" % (ns, k, line, want))


def verify(lab):
    c = Checker()
    netns = {l.split()[0] for l in
             subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.splitlines()
             if l.strip()}
    want_ns = {lab.netns(n) for n in lab.nodes} | ({lab.fabric} if lab.bridges else set())
    mine = {n for n in netns if n.startswith(lab.name + "-")}
    c.ok(mine == want_ns, "namespaces of the lab: %s, want %s" % (sorted(mine), sorted(want_ns)))

    # What each end must look like: (netns or None for the host) -> ifname -> expectation.
    mtu_of, mac_of = {}, {}
    for l in lab.links:
        for i, e in enumerate(l["ends"]):
            if e["kind"] == "bridge":
                continue
            key = (lab.netns(e["node"]) if e["kind"] == "node" else None, e["ifname"])
            mtu_of[key] = lab.end_mtu(l, i)
            if e.get("mac"):
                mac_of[key] = e["mac"]

    for node, spec in lab.nodes.items():
        ns = lab.netns(node)
        if ns not in netns:
            continue
        devs = {d["ifname"]: d for d in ip_json("-d", "addr", ns=ns)}
        want_ifs = set(spec["ifaces"]) | {"lo"}
        c.ok(set(devs) == want_ifs, "%s: interfaces %s, want %s" % (ns, sorted(devs), sorted(want_ifs)))
        for ifname, iface in list(spec["ifaces"].items()) + ([("lo", {})] if "lo" not in spec["ifaces"] else []):
            dev = devs.get(ifname)
            if not c.ok(dev is not None, "%s: interface %s missing" % (ns, ifname)):
                continue
            if ifname == "lo":
                kind = None
                mtu = int(iface["mtu"]) if iface.get("mtu") is not None else None
            elif iface.get("type") == "dummy":
                kind, mtu = "dummy", int(iface["mtu"]) if iface.get("mtu") else None
            else:
                kind, mtu = "veth", mtu_of.get((ns, ifname))
            mac = iface.get("mac") or mac_of.get((ns, ifname))
            check_link_dev(c, "%s:%s" % (ns, ifname), dev, addrs_of(iface), mtu, mac, kind)
        check_routes(c, lab, node, ns)
        check_sysctls(c, lab, node, ns)

    if lab.bridges and lab.fabric in netns:
        devs = {d["ifname"]: d for d in ip_json("-d", "link", ns=lab.fabric)}
        ports = {}
        for b, spec in lab.bridges.items():
            dev = devs.get(b)
            if not c.ok(dev is not None, "%s: bridge %s missing" % (lab.fabric, b)):
                continue
            mtu = int(spec["mtu"]) if spec.get("mtu") is not None else None
            check_link_dev(c, "%s:%s" % (lab.fabric, b), dev, None, mtu, None, "bridge")
            ports[b] = [d for d in devs.values() if d.get("master") == b]
            for p in ports[b]:
                c.ok("UP" in p.get("flags", []), "%s: bridge port %s not UP" % (lab.fabric, p["ifname"]))
        for b in lab.bridges:
            n = sum(1 for l in lab.links for e in l["ends"]
                    if e["kind"] == "bridge" and e["bridge"] == b)
            c.ok(len(ports.get(b, [])) == n,
                 "%s: bridge %s has %d ports, want %d" % (lab.fabric, b, len(ports.get(b, [])), n))
        c.ok(len(devs) == 1 + len(lab.bridges) + sum(len(p) for p in ports.values()),
             "%s: unexpected devices %s" % (lab.fabric, sorted(devs)))

    for ifname, iface in lab.host_ifaces.items():
        try:
            dev = ip_json("-d", "addr", "show", "dev", ifname)
        except RuntimeError as e:
            c.ok(False, "host interface %s: %s" % (ifname, e))
            continue
        if not c.ok(len(dev) == 1, "host interface %s missing" % ifname):
            continue
        check_link_dev(c, "host:%s" % ifname, dev[0], addrs_of(iface), mtu_of.get((None, ifname)),
                       iface.get("mac") or mac_of.get((None, ifname)), "veth",
                       ifalias="nsctl:%s:%s" % (lab.name, ifname))
    # netem: a qdisc on the egress of every node end of the link (docs/topology.md), nowhere else.
    for l in lab.links:
        for e in l["ends"]:
            if e["kind"] == "bridge":
                continue
            ns = lab.netns(e["node"]) if e["kind"] == "node" else None
            p = subprocess.run(["tc"] + (["-n", ns] if ns else []) +
                               ["-j", "qdisc", "show", "dev", e["ifname"]],
                               capture_output=True, text=True)
            if p.returncode != 0:
                c.ok(False, "tc qdisc show dev %s in %s: %s" % (e["ifname"], ns or "host", p.stderr.strip()))
                continue
            kinds = [q.get("kind") for q in json.loads(p.stdout or "[]")]
            want = l["netem"] is not None and e["kind"] == "node"
            c.ok(("netem" in kinds) == want, "%s:%s: qdiscs %s, netem %s" % (
                ns or "host", e["ifname"], kinds, "wanted" if want else "not wanted"))
    print("verify %s: %d checks, %d mismatches" % (lab.name, c.checks, c.errors))
    return c.errors == 0


# ---- ping ----

def pings(lab):
    """(from-netns or None, target address, why) for every ping the lab must answer."""
    out = []
    on_bridge = {}
    for l in lab.links:
        a, b = l["ends"]
        if a["kind"] == "bridge":
            a, b = b, a
        if b["kind"] == "bridge":
            on_bridge.setdefault(b["bridge"], []).append(a)
            continue
        for fam in (4, 6):
            x, y = first_addr(lab.end_iface(a), fam), first_addr(lab.end_iface(b), fam)
            if x is None or y is None:
                continue
            src = lab.netns(a["node"]) if a["kind"] == "node" else None
            out.append((src, y, "link %s:%s -> %s" % (a.get("node", "host"), a["ifname"], y)))
            if b["kind"] == "host":
                # and back from the host, over the lab's own host-side interface
                out.append((None, x, "link host:%s -> %s" % (b["ifname"], x)))
    for br, ends in on_bridge.items():
        for i in range(len(ends)):
            for j in range(i + 1, len(ends)):
                for fam in (4, 6):
                    x = first_addr(lab.end_iface(ends[i]), fam)
                    y = first_addr(lab.end_iface(ends[j]), fam)
                    if x is None or y is None or ends[i]["kind"] != "node":
                        continue
                    out.append((lab.netns(ends[i]["node"]), y,
                                "bridge %s: %s -> %s" % (br, ends[i]["node"], y)))
    # End hosts (nodes that do not forward) reach each other, across routers if need be.
    hosts = [n for n in lab.nodes if not lab.forwarding(n)]

    def node_first(n, fam):
        for ifname, iface in lab.nodes[n]["ifaces"].items():
            if ifname == "lo":
                continue
            a = first_addr(iface, fam)
            if a is not None:
                return a
        return None

    for x in hosts:
        for y in hosts:
            if x == y:
                continue
            for fam in (4, 6):
                if node_first(x, fam) is None or node_first(y, fam) is None:
                    continue
                out.append((lab.netns(x), node_first(y, fam),
                            "host %s -> %s %s" % (x, y, node_first(y, fam))))
    return out


def run_pings(lab):
    fails = 0
    todo = pings(lab)
    for ns, addr, why in todo:
        cmd = (["ip", "netns", "exec", ns] if ns else []) + \
            ["ping", "-%d" % addr.version, "-n", "-c1", "-W2", str(addr)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        ok = p.returncode == 0
        print("%s ping %s" % ("ok  " if ok else "FAIL", why))
        if not ok:
            fails += 1
            print("    " + " ".join(cmd) + ": " + (p.stdout + p.stderr).strip().replace("\n", "\n    "))
    print("ping %s: %d pings, %d failed" % (lab.name, len(todo), fails))
    return fails == 0 and len(todo) > 0


# ---- files ----

def host_net24(prefix, i):
    """A /24 (as "10.X.Y.") for host-side addresses, unique per tier run (prefix = t<pid>...)
    and index: two tiers running at once must not put the same subnet on two host interfaces,
    or replies leave through the wrong one. 10.200.0.0-10.255.255.0 is not used by examples."""
    m = re.match(r"t(\d+)", prefix)
    pid = int(m.group(1)) if m else sum(map(ord, prefix)) * 131
    idx = (pid * 16 + sum(map(ord, prefix)) * 4 + i) % (56 * 256)
    return "10.%d.%d." % (200 + idx // 256, idx % 256)


def absolute_paths(text, src):
    """Paths in a topology file are relative to the file's directory (docs/topology.md): a
    copy elsewhere keeps meaning the same directories only with them made absolute. Covers
    `rootfs: DIR` (block or flow style, quoted or not) and the source side of `binds`."""
    base = os.path.dirname(os.path.abspath(src))

    def absolute(p):
        return p if p.startswith("/") else os.path.normpath(os.path.join(base, p))

    def fix_rootfs(m):
        q = m.group(2) or m.group(4) or ""
        v = m.group(3) if m.group(2) else m.group(5) if m.group(4) else m.group(6)
        if v == "host" or v.startswith("/"):
            return m.group(0)
        return m.group(1) + q + absolute(v) + q

    text = re.sub(r"(?<![A-Za-z0-9_-])(rootfs:[ \t]*)"
                  r"(?:(\")([^\"]*)\"|(')([^']*)'|([^\"'\s,{}\[\]#]+))", fix_rootfs, text)
    with open(src) as f:
        doc = yaml.load(f, Loader=yaml.BaseLoader)
    binds = as_list(as_map(doc.get("defaults")).get("binds"))
    for body in as_map(doc.get("nodes")).values():
        binds += as_list(as_map(body).get("binds"))
    for b in sorted({b for b in binds if isinstance(b, str)}, key=len, reverse=True):
        srcpath, sep, rest = b.partition(":")
        if sep and srcpath and not srcpath.startswith("/"):
            text = re.sub(r"(?<=[\"'\[\s,])%s(?=[\"'\],\s])" % re.escape(b),
                          absolute(srcpath) + ":" + rest, text)
    return text


def rewrite(src, dst, name, prefix):
    lab = Lab(src)
    text = absolute_paths(open(src).read(), src)
    text, n = re.subn(r"(?m)^name:[ \t]*\S+", "name: " + name, text, count=1)
    if n != 1:
        die("%s: no top-level 'name:' line" % src)
    nets = []
    for i, ifname in enumerate(sorted(lab.host_ifaces)):
        new = "%s%d" % (prefix, i)
        if len(new) > 15:
            die("host interface name %s is too long" % new)
        text = re.sub(r"(?<![A-Za-z0-9_.-])%s(?![A-Za-z0-9_.-])" % re.escape(ifname), new, text)
        for a in addrs_of(lab.host_ifaces[ifname]):
            if a.version == 4 and a.network.prefixlen >= 24:
                net = ".".join(str(a.ip).split(".")[:3]) + "."
                if net not in nets:
                    nets.append(net)
    # Host-side subnets (the host namespace is shared with whatever else runs there) get a
    # subnet of this run's own, everywhere in the file.
    for i, net in enumerate(nets):
        text = re.sub(r"(?<![0-9.])%s(?=[0-9])" % re.escape(net), host_net24(prefix, i), text)
    with open(dst, "w") as f:
        f.write(text)
    again = Lab(dst)
    if again.name != name or any(not h.startswith(prefix) for h in again.host_ifaces):
        die("rewrite of %s did not take" % src)


def chain(n, name, hostif):
    print("name: %s" % name)
    print("nodes:")
    for i in range(n):
        print("  n%d:" % i)
        print("    interfaces:")
        if i > 0:
            print("      eth0: {addresses: [10.%d.%d.2/24]}" % (i // 250, i % 250))
        if i < n - 1:
            print("      eth1: {addresses: [10.%d.%d.1/24]}" % ((i + 1) // 250, (i + 1) % 250))
        else:
            print("      eth1: {addresses: [%s2/24]}" % host_net24(hostif, 0))
    print("links:")
    for i in range(n - 1):
        print("  - endpoints: [n%d:eth1, n%d:eth0]" % (i, i + 1))
    print("  - endpoints: [n%d:eth1, host:%s]" % (n - 1, hostif))
    print("host:\n  interfaces:\n    %s: {addresses: [%s1/24]}" % (hostif, host_net24(hostif, 0)))


def signal_at(nsctl, path, name, want, signame):
    """Starts `nsctl up`, busy-polls its journal and sends the signal by pid once it holds
    `want` records. Prints records-at-signal, exit status, whether it was mid-way."""
    sig = getattr(signal, "SIG" + signame)
    state = "%s/%s" % (os.environ.get("NSCTL_STATE_DIR") or "/run/nsctl", name)
    journal, lock = state + "/journal", state + "/lock"
    errf = open(os.environ.get("LABCHECK_STDERR", os.devnull), "w")
    p = subprocess.Popen([nsctl, "up", path], stdout=subprocess.DEVNULL, stderr=errf)
    seen, sent, complete = 0, False, False
    deadline = time.monotonic() + 60
    try:
        while p.poll() is None and time.monotonic() < deadline:
            if want == 0:
                # before the first step: up holds the lab's lock, no journal yet
                if os.path.exists(lock) and not os.path.exists(journal):
                    os.kill(p.pid, sig)
                    sent = True
                    break
                continue
            try:
                with open(journal) as f:
                    text = f.read()
            except OSError:
                continue
            seen = sum(1 for l in text.splitlines() if l.startswith("+ "))
            complete = "\ncomplete" in text
            if seen >= want and not complete:
                os.kill(p.pid, sig)
                sent = True
                break
    finally:
        if p.poll() is None and not sent:
            os.kill(p.pid, signal.SIGKILL)
        rc = p.wait()
    print("records=%d sent=%s rc=%d" % (seen, "yes" if sent else "no", rc))
    return 0 if sent else 3


def main(argv):
    if len(argv) < 2:
        die(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "rewrite" and len(args) == 4:
        rewrite(*args)
    elif cmd == "info" and len(args) == 1:
        lab = Lab(args[0])
        print("lab", lab.name)
        for n in lab.nodes:
            print("netns", lab.netns(n))
        if lab.bridges:
            print("netns", lab.fabric)
        for h in lab.host_ifaces:
            print("hostif", h)
    elif cmd == "verify" and len(args) == 1:
        return 0 if verify(Lab(args[0])) else 1
    elif cmd == "ping" and len(args) == 1:
        return 0 if run_pings(Lab(args[0])) else 1
    elif cmd == "chain" and len(args) == 3:
        chain(int(args[0]), args[1], args[2])
    elif cmd == "signal-at" and len(args) == 5:
        return signal_at(args[0], args[1], args[2], int(args[3]), args[4])
    else:
        die(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
