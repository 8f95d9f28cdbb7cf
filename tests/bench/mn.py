#!/usr/bin/env python3
"""The Mininet baseline for the nsctl benchmark (tests/bench/bench.py runs it as a subprocess,
with an interpreter that can `import mininet`: Debian's /usr/bin/python3 after `make bench-deps`).

    mn.py FILE --prefix PFX [--ping] [--pids PIDFILE]

builds the topology of FILE (a gen.py / nsctl YAML file, read with PyYAML) with the Mininet API
the way a Mininet user would: Mininet(topo=None, controller=None, build=False); one Host per
node (addHost; a bash in its own network namespace), one Linux bridge per YAML bridge
(addSwitch, in the host's namespace as Mininet does by default, no controller), one veth per
link (addLink, with the YAML's interface names and first addresses as Link params); then
net.start(), and per node one host.cmd() with its `sysctl -qw` (ip_forward on routers), extra
`ip addr add` and `ip route add` commands. Prints one JSON line: up_seconds (Mininet() to the
last command), down_seconds (net.stop()), phases, and with --ping whether the first node pings
the last node's and the middle node's first address (untimed, between up and down; so is
BENCH_MN_CHECK, a shell command for tests).

Names: bridge j is PFX + "s" + j, its ports PFX + "s" + j + "p" + k (at most 15 bytes; Linux
bridge ports must contain the bridge's name for LinuxBridge.start() and Switch.stop() to take
them), dpid given explicitly (Mininet would otherwise parse digits out of the name). Host names
are the YAML node names: they only name shells and namespaces, nothing global.

Host safety: addresses only inside the Mininet hosts (the file's, 10.0.0.0/8); the bridges
and their ports in the host's namespace get no address (IPv6 is disabled on them before they
come up, so not even a link-local address or route), and nothing is routed there. Mininet's
own start-up sysctl tuning (Mininet.init() -> fixLimits(), host-wide) is skipped; the file
limit is raised for this process only. Cleanup: net.stop() only. Never `mn -c` or
mininet.clean.cleanup() (they remove things by broad pattern). If anything fails, or on
SIGINT/SIGTERM, the runner SIGKILLs its own node shells by pid and deletes the links it named,
by exact name. --pids writes those pids and names as they are made, for bench.py's last resort.
"""
import argparse
import ipaddress
import json
import os
import resource
import signal
import time

import yaml
from mininet.link import Link
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.node import Host
from mininet.nodelib import LinuxBridge

IFNAMSIZ = 15


def disable_ipv6(ifname):
    """No link-local address (and no fe80::/64 route) on an interface of the host's namespace;
    this process runs there, so /proc/sys/net is the host's."""
    with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % ifname, "w") as f:
        f.write("1")


class Bridge(LinuxBridge):
    """Mininet's LinuxBridge (brctl, no STP, no controller), except that the bridge and its ports
    are kept free of IPv6 link-local addresses: the ports come from addLink down (up=False) and
    are brought up here, after their IPv6 is off. Same number of commands as LinuxBridge."""

    def start(self, _controllers):
        self.cmd("brctl addbr", self)
        disable_ipv6(self.name)
        for i in self.intfList():
            if self.name in i.name:
                disable_ipv6(i.name)
                self.cmd("brctl addif", self, i)
                self.cmd("ifconfig", i, "up")
        self.cmd("ifconfig", self, "up")


class Runner:
    def __init__(self, topo, prefix, pidfile):
        self.t = topo
        self.prefix = prefix
        self.pidfile = pidfile
        self.net = None
        self.names = []  # host-namespace interfaces we named: bridges, ports
        self.pids = []

    def note(self, node=None, ifname=None):
        if node is not None:
            self.pids.append(node.pid)
        if ifname is not None:
            self.names.append(ifname)
        if self.pidfile:
            with open(self.pidfile, "w") as f:
                json.dump({"pids": self.pids, "links": self.names}, f)

    def build(self):
        t = self.t
        nodes = t.get("nodes") or {}
        bridges = list(t.get("bridges") or {})
        net = self.net = Mininet(topo=None, controller=None, switch=Bridge, host=Host,
                                 link=Link, build=False, autoSetMacs=False)
        for n in nodes:
            self.note(net.addHost(n, ip=None))  # addresses come with the links
        bname = {}
        for j, b in enumerate(bridges):
            name = "%ss%d" % (self.prefix, j)
            bname[b] = name
            self.note(ifname=name)
            self.note(net.addSwitch(name, dpid="%x" % (j + 1)))
        ports = {b: 0 for b in bridges}
        first = {}  # (node, if) -> first address (Link param); the rest go by `ip addr add`
        extra = {n: [] for n in nodes}
        for n, d in nodes.items():
            for i, c in ((d or {}).get("interfaces") or {}).items():
                addrs = (c or {}).get("addresses") or []
                if addrs:
                    first[(n, i)] = addrs[0]
                extra[n] += ["ip addr add %s dev %s" % (a, i) for a in addrs[1:]]
        for l in t.get("links") or []:
            a, b = l["endpoints"]
            an, aif = a.split(":")
            p1 = {"ip": first[(an, aif)]} if (an, aif) in first else {}
            if ":" in b:
                bn, bif = b.split(":")
                p2 = {"ip": first[(bn, bif)]} if (bn, bif) in first else {}
                net.addLink(an, bn, intfName1=aif, intfName2=bif, params1=p1, params2=p2)
            else:
                sw = bname[b]
                port = "%sp%d" % (sw, ports[b])
                ports[b] += 1
                if len(port) > IFNAMSIZ:
                    raise SystemExit("mn.py: port name %s is longer than %d bytes"
                                     % (port, IFNAMSIZ))
                self.note(ifname=port)
                net.addLink(an, sw, intfName1=aif, intfName2=port, params1=p1,
                            params2={"up": False})
        return extra

    def config(self, extra):
        for n, d in (self.t.get("nodes") or {}).items():
            d = d or {}
            cmds = ["sysctl -qw %s=%s" % (k, v) for k, v in (d.get("sysctls") or {}).items()]
            cmds += extra[n]
            for r in d.get("routes") or []:
                c = "ip route add %s" % r["to"]
                if r.get("via"):
                    c += " via %s" % r["via"]
                if r.get("dev"):
                    c += " dev %s" % r["dev"]
                cmds.append(c)
            if cmds:
                out = self.net[n].cmd("; ".join(cmds))
                if out.strip():
                    raise RuntimeError("%s: %s" % (n, out.strip()))

    def ping(self):
        """The first node pings the first address of the last node and of one up to 30 nodes
        on (on a ring or chain 30 hops: Mininet's hosts answer with TTL 64, so the far side of
        a large ring is out of reach by design, not by a fault)."""
        nodes = list(self.t.get("nodes") or {})
        res = []
        for n in dict.fromkeys([nodes[-1], nodes[min(len(nodes) // 2, 30)]]):
            ifs = self.t["nodes"][n]["interfaces"]
            dst = next(iter(ifs.values()))["addresses"][0].split("/")[0]
            out = self.net[nodes[0]].cmd("ping -c 1 -W 2 %s" % dst)
            res.append({"from": nodes[0], "to": dst, "ok": " 0% packet loss" in out})
        return res

    def kill(self):
        """Failure path: our shells by pid, then our names, by exact name."""
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in self.pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        for name in reversed(self.names):  # ports go with their peers; the bridges stay
            if os.path.exists("/sys/class/net/%s" % name):
                os.system("ip link del %s 2>/dev/null" % name)


def check_addresses(topo):
    """Refuses a file with an address outside 10.0.0.0/8 (they all stay inside the Mininet hosts,
    but the runner is only meant for the generated labs)."""
    lab = ipaddress.ip_network("10.0.0.0/8")
    for n, d in (topo.get("nodes") or {}).items():
        d = d or {}
        addrs = [a for c in (d.get("interfaces") or {}).values()
                 for a in ((c or {}).get("addresses") or [])]
        addrs += [r["via"] for r in d.get("routes") or [] if r.get("via")]
        for a in addrs:
            if ipaddress.ip_interface(a).ip not in lab:
                raise SystemExit("mn.py: %s: %s is outside 10.0.0.0/8" % (n, a))


def on_term(_sig, _frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--ping", action="store_true")
    ap.add_argument("--pids")
    a = ap.parse_args()
    with open(a.file) as f:
        topo = yaml.safe_load(f)
    check_addresses(topo)
    setLogLevel("warning")
    Mininet.inited = True  # skip Mininet.init(): its fixLimits() retunes host-wide sysctls
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # even when started in the background (SIG_IGN)
    r = Runner(topo, a.prefix, a.pids)
    res = {"tool": "mininet"}
    try:
        t0 = time.monotonic()
        extra = r.build()
        t1 = time.monotonic()
        r.net.start()
        t2 = time.monotonic()
        r.config(extra)
        t3 = time.monotonic()
        if a.ping:
            res["ping"] = r.ping()
        if os.environ.get("BENCH_MN_CHECK"):  # a shell command between up and down, for tests
            os.system(os.environ["BENCH_MN_CHECK"])
        t4 = time.monotonic()
        r.net.stop()
        t5 = time.monotonic()
    except BaseException:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        r.kill()
        if a.pids:
            os.unlink(a.pids)
        raise
    if a.pids:
        os.unlink(a.pids)
    res.update(nodes=len(r.net.hosts), up_seconds=t3 - t0, down_seconds=t5 - t4,
               phases={"build": t1 - t0, "start": t2 - t1, "config": t3 - t2})
    print(json.dumps(res))


if __name__ == "__main__":
    main()
