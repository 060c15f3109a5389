#!/usr/bin/env python3
"""Memory of a process and all its descendants (the app plus WebKit's web and network
processes): summed RSS and PSS from /proc, as one line. Usage: process-tree-memory.py PID"""
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


root = int(sys.argv[1])
tree, queue = [], [root]
while queue:
    pid = queue.pop()
    tree.append(pid)
    queue.extend(children(pid))
stats = [rollup(pid) for pid in tree]
rss = sum(s.get("Rss", 0) for s in stats) / 1024
pss = sum(s.get("Pss", 0) for s in stats) / 1024
names = ", ".join(
    f'{s["name"]} {s.get("Pss", 0) / 1024:.0f}' for s in sorted(stats, key=lambda s: -s.get("Pss", 0)) if "name" in s
)
print(f"{len(tree)} processes, RSS {rss:.0f} MiB, PSS {pss:.0f} MiB (PSS by process: {names})")
