#!/usr/bin/env python3
"""Times the REST reads that must stay fast however many meter values are stored.

Against a server whose database scripts/meter_scale/load_*.sql filled, one request at a time
over one kept-alive connection, for randomly chosen transactions and stations never asked for
before in this run (so each reads pages of its own):

  transaction-values  GET /api/v1/transactions/{id}/meter-values?limit=1000 (the first 1,000 of its
                      values, oldest first, and their total)
  transaction-tail    the same, its last page (offset 1000)
  station-latest      GET /api/v1/charging-stations/{id}/meter-values/latest
  station-sessions    GET /api/v1/transactions?chargingStationId={id}&limit=20 (consumption included)
  busy-latest         the latest values of SCALE-BUSY, the station with --busy transactions (the first
                      request reads it cold, the others find it cached); none with --busy 0

Every answer is checked against what the loader stored (counts, values, totals), so a fast
wrong answer fails the run. Prints p50, p90, p99 and max per read, in milliseconds.

  query_latency.py BASE_URL EMAIL PASSWORD --stations N --transactions N --samples N --busy N [--queries N]
"""
import argparse
import http.client
import json
import random
import sys
import time
import urllib.parse


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("email")
    parser.add_argument("password")
    parser.add_argument("--stations", type=int, required=True)
    parser.add_argument("--transactions", type=int, required=True)
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--busy", type=int, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--from-transaction", type=int, default=1,
                        help="read transactions from this id on (those a prune under way leaves whole)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--label", default="")
    args = parser.parse_args()

    url = urllib.parse.urlparse(args.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def request(method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        started = time.perf_counter()
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{method} {path}: HTTP {response.status} {data[:300]!r}")
        return json.loads(data), elapsed

    token = request("POST", "/api/v1/auth/signin", {"email": args.email, "password": args.password})[0]["token"]
    rng = random.Random(args.seed)
    values_per_transaction = args.samples * 10
    transactions = rng.sample(range(args.from_transaction, args.transactions + 1), 2 * args.queries)
    stations = rng.sample(range(1, args.stations + 1), min(args.stations, 2 * args.queries))
    timings = {
        "transaction-values": [], "transaction-tail": [], "station-latest": [], "station-sessions": [], "busy-latest": []}

    for t in transactions[: args.queries]:
        body, ms = request("GET", f"/api/v1/transactions/{t}/meter-values?limit=1000", token=token)
        expect(body["total"] == values_per_transaction and len(body["items"]) == min(1000, values_per_transaction),
               f"transaction {t}: {body['total']} values, {len(body['items'])} items")
        first = body["items"][0]
        expect(first["measurand"] == "Energy.Active.Import.Register" and first["value"] == "0",
               f"transaction {t}: first value {first}")
        timings["transaction-values"].append(ms)
    for t in transactions[args.queries :]:
        body, ms = request("GET", f"/api/v1/transactions/{t}/meter-values?limit=1000&offset=1000", token=token)
        expect(len(body["items"]) == max(0, values_per_transaction - 1000), f"transaction {t}: tail {len(body['items'])}")
        if body["items"]:
            times = [item["timestamp"] for item in body["items"]]
            expect(times == sorted(times), f"transaction {t}: tail not oldest first")
        timings["transaction-tail"].append(ms)
    for s in stations[: args.queries]:
        station = f"SCALE-{s:05d}"
        body, ms = request("GET", f"/api/v1/charging-stations/{station}/meter-values/latest", token=token)
        items = body["items"]
        # Each connector's newest transaction, its last minute: ten values each.
        expect(len(items) == 20 and {i["connectorId"] for i in items} == {1, 2},
               f"{station}: latest {len(items)} values")
        energy = [i for i in items if i["measurand"] == "Energy.Active.Import.Register"]
        expect(all(i["value"] == str((args.samples - 1) * 183) for i in energy), f"{station}: latest energy {energy}")
        timings["station-latest"].append(ms)
    for s in stations[args.queries : 2 * args.queries] or stations[: args.queries]:
        station = f"SCALE-{s:05d}"
        body, ms = request("GET", f"/api/v1/transactions?chargingStationId={station}&limit=20", token=token)
        # The loader gives transaction t to station 1 + t mod stations.
        stored = len(range(s - 1 if s > 1 else args.stations, args.transactions + 1, args.stations))
        expect(len(body["items"]) == min(20, stored) and body["total"] == stored,
               f"{station}: {len(body['items'])} of {body['total']} transactions, {stored} stored")
        expect(all(i["energyWh"] == (args.samples - 1) * 183 for i in body["items"]),
               f"{station}: energy {[i['energyWh'] for i in body['items']][:3]}")
        timings["station-sessions"].append(ms)

    busy_newest = {args.transactions + args.busy - 1, args.transactions + args.busy}
    for _ in range(args.queries if args.busy else 0):
        body, ms = request("GET", "/api/v1/charging-stations/SCALE-BUSY/meter-values/latest", token=token)
        items = body["items"]
        # Its two newest transactions, one per connector, their last minute.
        expect(len(items) == 20 and {i["transactionId"] for i in items} == busy_newest,
               f"SCALE-BUSY: latest {len(items)} values of {sorted({i['transactionId'] for i in items})}")
        energy = [i for i in items if i["measurand"] == "Energy.Active.Import.Register"]
        expect(len(energy) == 2 and all(i["value"] == str(29 * 183) for i in energy), f"SCALE-BUSY: energy {energy}")
        timings["busy-latest"].append(ms)

    for name, values in timings.items():
        if not values:
            continue
        values.sort()
        pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
        print(f"{args.label:<8} {name:<20} n {len(values):>5}  p50 {pick(0.5):8.2f}  p90 {pick(0.9):8.2f}  "
              f"p99 {pick(0.99):8.2f}  max {values[-1]:8.2f} ms")
    return 0


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit("wrong answer: " + message)


if __name__ == "__main__":
    sys.exit(main())
