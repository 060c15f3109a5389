#!/usr/bin/env python3
"""Memory of a process and all its descendants (the app plus WebKit's web and network
processes): summed RSS and PSS from /proc, as one line. Usage: process-tree-memory.py PID
With --tsv: one line per process instead, `name<TAB>PSS KiB<TAB>RSS KiB` (scripts/bench-startup.sh)."""
import os
import sys


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry))
        except OSError:
            pass
    return found


def rollup(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                    values[parts[0][:-1]] = int(parts[1])
        with open(f"/proc/{pid}/comm") as f:
            values["name"] = f.read().strip()
    except OSError:
        pass
    return values


tsv = "--tsv" in sys.argv[1:]
root = int([a for a in sys.argv[1:] if a != "--tsv"][0])
tree, queue = [], [root]
while queue:
    pid = queue.pop()
    tree.append(pid)
    queue.extend(children(pid))
stats = [rollup(pid) for pid in tree]
if tsv:
    for s in stats:
        if "name" in s:
            print(f'{s["name"]}\t{s.get("Pss", 0)}\t{s.get("Rss", 0)}')
    sys.exit(0)
rss = sum(s.get("Rss", 0) for s in stats) / 1024
pss = sum(s.get("Pss", 0) for s in stats) / 1024
names = ", ".join(
    f'{s["name"]} {s.get("Pss", 0) / 1024:.0f}' for s in sorted(stats, key=lambda s: -s.get("Pss", 0)) if "name" in s
)
print(f"{len(tree)} processes, RSS {rss:.0f} MiB, PSS {pss:.0f} MiB (PSS by process: {names})")
