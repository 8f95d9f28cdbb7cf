#!/usr/bin/env python3
"""Runs the nsctl scale benchmark (make bench; tests/bench/run.sh). Environment:
BENCH_N ("50 200 1000"), BENCH_TOPO ("star ring"), BENCH_RUNS (3), NSCTL (the binary),
BENCH_FLOOR (bench-floor), BENCH_OUT (build/bench). Every lab is named b<pid><tool><k>;
cleanup removes only those names (nsctl down LAB, ip netns del of the names it created)."""
import json, os, re, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
NSCTL = os.environ.get("NSCTL", "build/nsctl")
FLOOR = os.environ.get("BENCH_FLOOR", "build/cc/bench/bench-floor")
OUT = os.environ.get("BENCH_OUT", "build/bench")
NS = [int(x) for x in os.environ.get("BENCH_N", "50 200 1000").split()]
TOPOS = os.environ.get("BENCH_TOPO", "star ring").split()
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PID = os.getpid()
live = []  # (kind, lab, workdir) to clean up on the way out


def run(cmd, **kw):
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.monotonic() - t, p


def must(p, what):
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (what, p.returncode, p.stderr[-2000:]))


def cleanup():
    for kind, lab, wd in reversed(live):
        if kind == "nsctl":
            subprocess.run([NSCTL, "down", lab], capture_output=True)
        else:  # ip: delete only the names this run created, if still there
            with open(os.path.join(wd, "down.batch")) as f:
                for l in f:
                    name = l.split()[-1]
                    if os.path.exists("/run/netns/" + name):
                        subprocess.run(["ip", "netns", "del", name], capture_output=True)
    live.clear()


def gen(topo, n, lab, wd):
    os.makedirs(wd, exist_ok=True)
    y = os.path.join(wd, "lab.yaml")
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), topo, str(n), "--name", lab,
                    "-o", y], check=True)
    subprocess.run([sys.executable, os.path.join(HERE, "ipbatch.py"), y, wd], check=True)
    return y


def one(tool, topo, n, k):
    lab = "b%d%s%d" % (PID, tool[0], k)
    wd = os.path.join(OUT, "work", "%s-%d-%s-%d" % (topo, n, tool, k))
    y = gen(topo, n, lab, wd)
    r = {"tool": tool, "topo": topo, "n": n, "run": k}
    if tool == "nsctl":
        live.append(("nsctl", lab, wd))
        dt, p = run(["/usr/bin/time", "-v", NSCTL, "up", "--json", y])
        must(p, "nsctl up")
        j = json.loads(p.stdout)
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        r.update(up=dt, up_internal=j["seconds"], rss_kb=int(m.group(1)) if m else None,
                 phases={ph["kind"]: ph["seconds"] for ph in j["phases"]})
        r["up_net"] = j["seconds"] - r["phases"].get("node-start", 0.0)
        dt, p = run([NSCTL, "down", lab])
        must(p, "nsctl down")
        live.pop()
        r["down"] = dt
    elif tool == "ip":
        live.append(("ip", lab, wd))
        dt, p = run(["sh", os.path.join(wd, "up.sh")])
        must(p, "ip up.sh")
        r["up"] = dt
        dt, p = run(["sh", os.path.join(wd, "down.sh")])
        must(p, "ip down.sh")
        live.pop()
        r["down"] = dt
    elif tool == "floor":
        live.append(("ip", lab, wd))  # the same names; bench-floor removes them itself
        dt, p = run([FLOOR, os.path.join(wd, "floor.spec")])
        must(p, "bench-floor")
        live.pop()
        j = json.loads(p.stdout)
        r.update(up=j["up_seconds"], down=j["down_seconds"], phases=j["phases"], wall=dt)
    shutil.rmtree(wd, ignore_errors=True)
    return r


def med(rs, key):
    v = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(v) if v else None


def main():
    os.makedirs(OUT, exist_ok=True)
    tools = ["nsctl", "ip", "floor"]
    notes = []
    try:
        import mininet  # noqa: F401
        notes.append("mininet is importable but its runner is not written yet: skipped")
    except ImportError:
        notes.append("mininet: not installed (python3 -c 'import mininet' fails): skipped; "
                     "`make bench-deps` installs Debian's mininet")
    raw = []
    try:
        for n in NS:
            for topo in TOPOS:
                if topo == "star" and n > 1000:
                    notes.append("star N=%d skipped: a Linux bridge takes at most 1023 ports" % n)
                    continue
                for k in range(RUNS):
                    for tool in tools:  # interleaved, so drift hits every tool alike
                        r = one(tool, topo, n, k)
                        raw.append(r)
                        print("bench: %-5s %-9s N=%-5d run %d: up %.3f s, down %.3f s"
                              % (tool, topo, n, k, r["up"], r["down"]), flush=True)
    finally:
        cleanup()
    with open(os.path.join(OUT, "raw.json"), "w") as f:
        json.dump({"runs": raw, "notes": notes}, f, indent=1)
    report(raw, notes)


def fmt(x, d=3):
    return "" if x is None else ("%.*f" % (d, x))


def report(raw, notes):
    rows = []
    keys = sorted({(r["n"], r["topo"]) for r in raw})
    for n, topo in keys:
        g = {t: [r for r in raw if r["n"] == n and r["topo"] == topo and r["tool"] == t]
             for t in ("nsctl", "ip", "floor")}
        base = {t: (med(g[t], "up"), med(g[t], "down")) for t in g}
        for t in ("nsctl", "ip", "floor"):
            if not g[t]:
                continue
            up, down = base[t]
            row = {"n": n, "topo": topo, "tool": t, "runs": len(g[t]), "up_s": up,
                   "down_s": down,
                   "up_vs_ip": up / base["ip"][0] if base["ip"][0] else None,
                   "up_vs_floor": up / base["floor"][0] if base["floor"][0] else None,
                   "down_vs_ip": down / base["ip"][1] if base["ip"][1] else None,
                   "down_vs_floor": down / base["floor"][1] if base["floor"][1] else None,
                   "up_net_s": med(g[t], "up_net") if t == "nsctl" else up,
                   "rss_kb": med(g[t], "rss_kb") if t == "nsctl" else None}
            row["net_vs_ip"] = row["up_net_s"] / base["ip"][0] if base["ip"][0] else None
            row["net_vs_floor"] = row["up_net_s"] / base["floor"][0] if base["floor"][0] else None
            if t == "nsctl":
                ph = {}
                for r in g[t]:
                    for kk, v in r["phases"].items():
                        ph.setdefault(kk, []).append(v)
                row["phases_ms"] = {kk: statistics.median(v) * 1e3 for kk, v in ph.items()}
            rows.append(row)
    cols = ["n", "topo", "tool", "runs", "up_s", "down_s", "up_vs_ip", "up_vs_floor",
            "down_vs_ip", "down_vs_floor", "up_net_s", "net_vs_ip", "net_vs_floor", "rss_kb"]
    with open(os.path.join(OUT, "results.csv"), "w") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(str(r[c]) if isinstance(r[c], (int, str)) else fmt(r[c], 4)
                             for c in cols) + "\n")
    md = ["# nsctl scale benchmark", "",
          "Medians of %s runs per cell; wall-clock seconds. Machine: %d cores, kernel %s."
          % (", ".join(sorted({str(r["runs"]) for r in rows})), os.cpu_count(),
             os.uname().release), "",
          "- **nsctl** starts an init (PID 1 in its own mount/PID/UTS/IPC namespaces, a cgroup) "
          "per node: `up` is the whole `nsctl up --json` process (wall clock), `net` is its own "
          "`seconds` minus the node-start phase (the network only, comparable to the baselines);",
          "- **ip** = `ip -batch` (host) + one `ip -n NS -batch` per namespace + "
          "`ip netns exec … sysctl` per router: network only, **no node processes**;",
          "- **floor** = `bench-floor` (raw rtnetlink, pipelined): network only, no processes; "
          "its times are measured inside the program (no exec/startup).", "",
          "| N | topology | tool | up s | down s | up ÷ ip | up ÷ floor | down ÷ ip | "
          "down ÷ floor | net s (no procs) | net ÷ ip | net ÷ floor | peak RSS KiB |",
          "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        md.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["n"], r["topo"], r["tool"], fmt(r["up_s"]), fmt(r["down_s"]),
            fmt(r["up_vs_ip"], 2), fmt(r["up_vs_floor"], 2), fmt(r["down_vs_ip"], 2),
            fmt(r["down_vs_floor"], 2), fmt(r["up_net_s"]), fmt(r["net_vs_ip"], 2),
            fmt(r["net_vs_floor"], 2), "" if r["rss_kb"] is None else "%d" % r["rss_kb"]))
    md += ["", "nsctl `up` phases (median ms):", "",
           "| N | topology | " + " | ".join(PH) + " |", "|---:|---|" + "---:|" * len(PH)]
    for r in rows:
        if r["tool"] == "nsctl":
            md.append("| %d | %s | " % (r["n"], r["topo"]) + " | ".join(
                fmt(r["phases_ms"].get(p), 1) for p in PH) + " |")
    md += [""] + ["- " + n for n in notes]
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    svg(rows)
    print("\n".join(md))


PH = ["netns-add", "bridge-add", "veth-add", "link-master", "sysctl", "addr-add", "link-up",
      "route-add", "node-start"]


def svg(rows):
    """time vs N, log-log, one line per (tool, topology, up/down)."""
    W, H, L, R, T, B = 760, 460, 70, 200, 30, 50
    series = {}
    for r in rows:
        for what in ("up", "down"):
            series.setdefault((r["tool"], r["topo"], what), []).append((r["n"], r[what + "_s"]))
    pts = [p for s in series.values() for p in s if p[1]]
    if not pts:
        return
    import math
    x0, x1 = math.log10(min(p[0] for p in pts)) - 0.1, math.log10(max(p[0] for p in pts)) + 0.1
    y0 = math.floor(math.log10(min(p[1] for p in pts)))
    y1 = math.ceil(math.log10(max(p[1] for p in pts)))
    X = lambda v: L + (math.log10(v) - x0) / (x1 - x0) * (W - L - R)
    Y = lambda v: H - B - (math.log10(v) - y0) / (y1 - y0) * (H - T - B)
    col = {"nsctl": "#d62728", "ip": "#1f77b4", "floor": "#2ca02c", "mininet": "#9467bd"}
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif"'
         ' font-size="11">' % (W, H), '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="18" font-size="13">nsctl benchmark: seconds vs N (log-log; solid = up,'
         ' dashed = down)</text>' % L]
    for e in range(y0, y1 + 1):
        o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (L, W - R, Y(10**e), Y(10**e)))
        o.append('<text x="%d" y="%.1f" text-anchor="end">%g s</text>' % (L - 5, Y(10**e) + 4, 10**e))
    for n in sorted({p[0] for p in pts}):
        o.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>' % (X(n), X(n), T, H - B))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">N=%d</text>' % (X(n), H - B + 15, n))
    o.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="black"/>'
             % (L, T, W - L - R, H - T - B))
    for i, ((tool, topo, what), s) in enumerate(sorted(series.items())):
        s = sorted(p for p in s if p[1])
        d = " ".join("%.1f,%.1f" % (X(n), Y(v)) for n, v in s)
        mark = "circle" if topo == "star" else "rect"
        o.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>'
                 % (d, col.get(tool, "black"), ' stroke-dasharray="5,3"' if what == "down" else ""))
        for n, v in s:
            if mark == "circle":
                o.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (X(n), Y(v), col.get(tool)))
            else:
                o.append('<rect x="%.1f" y="%.1f" width="6" height="6" fill="%s"/>' % (X(n) - 3, Y(v) - 3, col.get(tool)))
        ly = T + 12 + i * 15
        o.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                 % (W - R + 10, W - R + 35, ly - 4, ly - 4, col.get(tool, "black"),
                    ' stroke-dasharray="5,3"' if what == "down" else ""))
        o.append('<text x="%d" y="%d">%s %s %s</text>' % (W - R + 40, ly, tool, topo, what))
    o.append("</svg>")
    with open(os.path.join(OUT, "plot.svg"), "w") as f:
        f.write("\n".join(o) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "report":  # re-render from raw.json
        d = json.load(open(os.path.join(OUT, "raw.json")))
        report(d["runs"], d["notes"])
    else:
        main()
