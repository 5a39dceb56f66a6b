"""Measures a node failover for scripts/bench_figures.sh.

Waits until every simulated charge point is connected across the cluster,
SIGKILLs the node that holds the most of them, and reports how long until
every one of them is connected (and booted) again on the other nodes, as the
REST API of a surviving node shows it. Bounded: gives up after 180 s.

usage: failover_probe.py API_URL EMAIL PASSWORD COUNT "PID1 PID2 PID3" "PORT1 PORT2 PORT3"
(node_N is the N-th pid and port)
"""

import json
import os
import signal
import sys
import time
import urllib.request


def call(base, path, token=None, body=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def stations(base, token):
    items, offset = [], 0
    while True:
        page = call(base, f"/api/v1/charging-stations?limit=1000&offset={offset}", token)
        items += page["items"]
        offset += 1000
        if offset >= page["total"]:
            return items


def main():
    base, email, password, count, pids, ports = sys.argv[1:7]
    count = int(count)
    pids = pids.split()
    ports = ports.split()
    token = call(base, "/api/v1/auth/signin", body={"email": email, "password": password})["token"]
    deadline = time.monotonic() + 180
    while True:
        held = [s for s in stations(base, token) if s["connected"]]
        if len(held) >= count:
            break
        if time.monotonic() > deadline:
            sys.exit(f"only {len(held)} of {count} connected")
        time.sleep(1)
    per_node = {}
    for station in held:
        per_node.setdefault(station["node"], []).append(station["id"])
    print("before:", {node: len(ids) for node, ids in sorted(per_node.items())})
    victim = max(per_node, key=lambda node: len(per_node[node]))
    index = int(victim.split("_")[1]) - 1
    survivor = f"http://127.0.0.1:{ports[(index + 1) % len(ports)]}"
    moved = set(per_node[victim])
    os.kill(int(pids[index]), signal.SIGKILL)
    killed = time.monotonic()
    print(f"SIGKILL {victim} holding {len(moved)} charge points")
    deadline = killed + 180
    while True:
        now = [s for s in stations(survivor, token) if s["connected"] and s["node"] != victim]
        back = sum(1 for s in now if s["id"] in moved)
        if back >= len(moved) and len(now) >= count:
            print(f"all {len(moved)} reconnected and booted on the other nodes after {time.monotonic() - killed:.1f} s")
            after = {}
            for station in now:
                after[station["node"]] = after.get(station["node"], 0) + 1
            print("after:", dict(sorted(after.items())))
            return
        if time.monotonic() > deadline:
            sys.exit(f"after 180 s only {back} of {len(moved)} are back")
        time.sleep(0.5)


main()
