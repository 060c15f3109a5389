#!/usr/bin/env python3
"""Where one process's memory is: PSS from /proc/PID/smaps summed per mapping (a library or the
binary by file name; anonymous memory by writable/executable), largest first. Issue #17's
breakdown of the web process in docs/performance.md was made with it: run it on the
WebKitWebProcess of each app, 6 s after launch. Usage: memory-by-mapping.py PID [--top N]"""
import re
import sys


def by_mapping(pid):
    totals, regions = {}, {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            header = re.match(r"^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$", line)
            if header:
                perms, path = header.group(1), header.group(2).strip()
                if path:
                    name = path.rsplit("/", 1)[-1]
                else:
                    name = "[anonymous, executable]" if "x" in perms else "[anonymous, writable]" if "w" in perms else "[anonymous]"
                regions[name] = regions.get(name, 0) + 1
            elif line.startswith("Pss:") and name is not None:
                totals[name] = totals.get(name, 0) + int(line.split()[1])
    return totals, regions


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 25
    totals, regions = by_mapping(int(sys.argv[1]))
    print(f"total PSS {sum(totals.values()) / 1024:.1f} MiB")
    for name, kib in sorted(totals.items(), key=lambda item: -item[1])[:top]:
        print(f"{kib / 1024:8.1f} MiB  {regions[name]:5d} regions  {name}")


if __name__ == "__main__":
    main()
