#!/usr/bin/env python3
"""Helpers for bench/ec2/run.sh: populate a server, sign a DescribeInstances request for wrk,
time RunInstances one call at a time, and print the result table.

Every subcommand talks to one EC2 endpoint (Nubo or moto_server) with boto3/botocore and writes
JSON to stdout or to a file. Nothing here measures with wrk: run.sh does that with the Lua
script that `sign` writes.
"""
import argparse
import configparser
import datetime
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config


def credentials(args):
    """(access key, secret) from an AWS credentials file's profile, or moto's dummy key."""
    if args.credentials:
        cp = configparser.ConfigParser()
        cp.read(args.credentials)
        sec = cp[args.profile]
        return sec["aws_access_key_id"], sec["aws_secret_access_key"]
    return "testing", "testing"


def client(args):
    key, secret = credentials(args)
    return boto3.client(
        "ec2", endpoint_url=args.endpoint, region_name=args.region,
        aws_access_key_id=key, aws_secret_access_key=secret,
        # No client-side retries: a throttled or failed call must show, not be hidden.
        config=Config(retries={"max_attempts": 1, "mode": "standard"},
                      connect_timeout=10, read_timeout=600))


def image_id(ec2, wanted):
    """The image to launch: --image-id, else Nubo's nubo-default, else moto's first image by ID."""
    if wanted:
        return wanted
    images = ec2.describe_images()["Images"]
    for img in images:
        if img.get("Name") == "nubo-default":
            return img["ImageId"]
    return sorted(img["ImageId"] for img in images)[0]


def all_instances(ec2):
    out = []
    for page in ec2.get_paginator("describe_instances").paginate():
        for res in page["Reservations"]:
            out.extend(res["Instances"])
    return out


def cmd_populate(args):
    """Creates args.count instances (RunInstances, MinCount=MaxCount, batches of up to 1,000) and
    waits until every one of them is running. Prints the IDs in launch order as JSON."""
    ec2 = client(args)
    ami = image_id(ec2, args.image_id)
    ids = []
    t0 = time.perf_counter()
    left = args.count
    while left > 0:
        n = min(left, args.batch)
        r = ec2.run_instances(ImageId=ami, InstanceType=args.instance_type, MinCount=n, MaxCount=n)
        ids.extend(i["InstanceId"] for i in r["Instances"])
        left -= n
    launched = time.perf_counter() - t0
    deadline = time.monotonic() + args.wait
    while True:
        insts = all_instances(ec2)
        running = sum(1 for i in insts if i["State"]["Name"] == "running")
        if running >= args.count and len(insts) == args.count:
            break
        if time.monotonic() > deadline:
            sys.exit(f"populate: only {running} of {len(insts)} instances running after {args.wait} s")
        time.sleep(0.5)
    json.dump({"image_id": ami, "ids": ids, "launch_s": launched,
               "all_running_s": time.perf_counter() - t0, "instances": len(insts)}, sys.stdout)
    print()


def lua_string(s):
    """A double-quoted Lua string literal that holds s exactly (bytes as decimal escapes)."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        out.append(c if 32 <= b < 127 and c not in '"\\' else f"\\{b:03d}")
    return '"' + "".join(out) + '"'


def cmd_sign(args):
    """Signs one DescribeInstances POST with botocore's SigV4 signer (the one boto3 uses), checks
    it against the server once, and writes a wrk Lua script that replays it byte for byte."""
    key, secret = credentials(args)
    params = [("Action", "DescribeInstances"), ("Version", "2016-11-15")]
    if args.instance_id:
        params.append(("InstanceId.1", args.instance_id))
    body = urllib.parse.urlencode(params)
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=args.endpoint.rstrip("/") + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "ec2", args.region).add_auth(req)
    prepared = req.prepare()
    headers = {k: v for k, v in prepared.headers.items()}
    host = urllib.parse.urlsplit(args.endpoint).netloc
    headers["Host"] = host

    # One check before the replay: the signed request works and answers what we expect.
    check = check_request(args.endpoint, body, headers)
    if check["status"] != 200:
        sys.exit(f"sign: the signed request got HTTP {check['status']}: {check['body'][:500]}")
    expected = 1 if args.instance_id else args.expect
    if check["instances"] != expected or check["next_token"]:
        sys.exit(f"sign: expected {expected} instances and no nextToken, got {check['instances']}"
                 f" (nextToken: {check['next_token']})")

    lines = ["-- Generated by bench/ec2/ec2bench.py sign: one SigV4-signed DescribeInstances,",
             "-- replayed unchanged (a header signature is valid for 15 minutes).",
             'wrk.method = "POST"',
             "wrk.body = " + lua_string(body),
             "wrk.headers = {}"]
    for k, v in headers.items():
        if k.lower() == "content-length":
            continue  # wrk.format adds it
        lines.append("wrk.headers[" + lua_string(k) + "] = " + lua_string(v))
    lines.append(open(args.done_lua).read())
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(args.out + ".json", "w") as f:
        json.dump({"body": body, "headers": headers, "signed_at": headers.get("X-Amz-Date"),
                   "response_bytes": check["bytes"], "instances": check["instances"]}, f, indent=1)
    print(json.dumps({"response_bytes": check["bytes"], "instances": check["instances"]}))


def check_request(endpoint, body, headers):
    h = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
    req = urllib.request.Request(endpoint.rstrip("/") + "/", data=body.encode(), headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, data = e.code, e.read()
    text = data.decode("utf-8", "replace")
    return {"status": status, "bytes": len(data), "body": text,
            "instances": text.count("<instanceId>"), "next_token": "<nextToken>" in text
            and "<nextToken/>" not in text and "<nextToken></nextToken>" not in text}


def cmd_check(args):
    """Replays the request saved by `sign` once more (after wrk): still 200, still the same answer."""
    saved = json.load(open(args.saved))
    c = check_request(args.endpoint, saved["body"], saved["headers"])
    ok = c["status"] == 200 and c["instances"] == saved["instances"]
    print(json.dumps({"status": c["status"], "instances": c["instances"], "ok": ok}))
    if not ok:
        sys.exit(1)


def nearest_rank(sorted_values, p):
    import math
    k = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[k - 1]


def cmd_runlat(args):
    """RunInstances with MinCount=MaxCount=1, one call at a time from one boto3 client: the
    latency of each call (time.perf_counter around the SDK call, so the SDK's signing and XML
    parsing are in it, for both servers alike)."""
    ec2 = client(args)
    ami = image_id(ec2, args.image_id)
    for _ in range(args.warmup):
        ec2.run_instances(ImageId=ami, InstanceType=args.instance_type, MinCount=1, MaxCount=1)
    lat = []
    for _ in range(args.calls):
        t = time.perf_counter()
        r = ec2.run_instances(ImageId=ami, InstanceType=args.instance_type, MinCount=1, MaxCount=1)
        lat.append((time.perf_counter() - t) * 1000)
        assert len(r["Instances"]) == 1
    s = sorted(lat)
    json.dump({"calls": args.calls, "warmup": args.warmup, "p50_ms": nearest_rank(s, 50),
               "p99_ms": nearest_rank(s, 99), "mean_ms": statistics.fmean(s), "min_ms": s[0],
               "max_ms": s[-1]}, sys.stdout)
    print()


def cpu_snapshot(pids):
    """CPU time (clock ticks): the machine's busy and total time from /proc/stat, and for each
    name=pid, that process's time plus its live descendants' and its reaped children's (so a
    server's threads and its PostgreSQL backends are in it)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    total = sum(v[:8])
    busy = total - v[3] - v[4]
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        rest = st[st.rindex(")") + 2:].split()
        # after comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
        procs[int(d)] = (int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14]))
    children = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    out = {}
    for name_pid in pids:
        name, pid = name_pid.split("=")
        pid = int(pid)
        if pid not in procs:
            out[name] = 0
            continue
        ticks, stack = procs[pid][2], [pid]
        while stack:
            p = stack.pop()
            ticks += procs[p][1]
            stack.extend(children.get(p, []))
        out[name] = ticks
    return {"total": total, "busy": busy, "procs": out, "hz": os.sysconf("SC_CLK_TCK")}


def cmd_cpu(args):
    json.dump(cpu_snapshot(args.pids), sys.stdout)
    print()


def cmd_settle(args):
    """Waits until the named processes together use under 10% of one core over a second. wrk
    abandons the requests in flight when its time is up, and a server keeps computing them (moto
    for many seconds on the full list): the next measurement must not start before it is done."""
    t0 = time.monotonic()
    prev = cpu_snapshot(args.pids)
    while True:
        time.sleep(1)
        cur = cpu_snapshot(args.pids)
        used = sum(cur["procs"].values()) - sum(prev["procs"].values())
        if used < 0.10 * cur["hz"]:
            break
        if time.monotonic() - t0 > args.timeout:
            print(f"settle: servers still busy after {args.timeout} s", file=sys.stderr)
            break
        prev = cur
    print(f"{time.monotonic() - t0:.1f}")


def fmt_rps(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def fmt_ms(ms):
    if ms is None:
        return "-"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def wrk_result(res, name):
    """wrk's figures for one run, with the CPU time used during it (from the cpu snapshots)."""
    path = os.path.join(res, name + ".json")
    if not os.path.exists(path):
        return None
    w = json.load(open(path))
    secs = w["duration_us"] / 1e6
    out = {"requests": w["requests"], "seconds": secs, "rps": w["requests"] / secs,
           "p50_ms": w["p50_us"] / 1000 if w["requests"] else None,
           "p90_ms": w["p90_us"] / 1000 if w["requests"] else None,
           "p99_ms": w["p99_us"] / 1000 if w["requests"] else None,
           "max_ms": w["max_us"] / 1000 if w["requests"] else None,
           "mb_per_s": w["bytes"] / secs / 1e6,
           "errors": w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"],
           "non2xx": w["non2xx"]}
    out.update(cpu_delta(res, name))
    return out


def cpu_delta(res, name):
    try:
        c0 = json.load(open(os.path.join(res, name + ".cpu0")))
        c1 = json.load(open(os.path.join(res, name + ".cpu1")))
    except OSError:
        return {}
    total = c1["total"] - c0["total"]
    if total <= 0:
        return {}
    d = {k: c1["procs"][k] - c0["procs"][k] for k in c1["procs"]}
    wrk = 0
    wt = os.path.join(res, name + ".clienttime")
    if os.path.exists(wt):
        u, s_ = open(wt).read().split()[-2:]
        wrk = round((float(u) + float(s_)) * c1["hz"])
    busy = c1["busy"] - c0["busy"]
    pct = lambda t: round(100 * t / total, 1)
    return {"cpu_pct": {"machine": pct(busy), "nubo": pct(d.get("nubo", 0) + d.get("postgres", 0)),
                        "nubo_jvm": pct(d.get("nubo", 0)), "nubo_postgres": pct(d.get("postgres", 0)),
                        "moto": pct(d.get("moto", 0)), "client": pct(wrk),
                        "other": pct(max(0, busy - sum(d.values()) - wrk))},
            "cpu_s": {"nubo": (d.get("nubo", 0) + d.get("postgres", 0)) / c1["hz"],
                      "nubo_jvm": d.get("nubo", 0) / c1["hz"], "nubo_postgres": d.get("postgres", 0) / c1["hz"],
                      "moto": d.get("moto", 0) / c1["hz"]}}


def cmd_report(args):
    res = args.results
    meta = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(res, "meta.txt")) if "=" in line)
    r = {"meta": meta}
    for who in ("nubo", "moto"):
        r[who] = {q: wrk_result(res, f"{who}-{q}") for q in ("full", "one")}
        r[who]["run"] = json.load(open(os.path.join(res, f"{who}-run.json")))
        r[who]["run"].update(cpu_delta(res, f"{who}-run"))
        r[who]["populate"] = {k: v for k, v in json.load(open(os.path.join(res, f"{who}-populate.json"))).items()
                              if k != "ids"}
        for q in ("full", "one"):
            sign = json.load(open(os.path.join(res, f"{who}-{q}.sign")))
            r[who][q]["response_bytes"] = sign["response_bytes"]
    extra = wrk_result(res, "moto-full-extra")
    r["moto"]["full_extra"] = extra
    n, m = r["nubo"], r["moto"]
    moto_full_rps = extra["rps"] if extra and extra["requests"] else m["full"]["rps"]
    ratio = n["full"]["rps"] / moto_full_rps if moto_full_rps else float("inf")
    run_ratio = n["run"]["p50_ms"] / m["run"]["p50_ms"]
    t = []
    t.append(("full", f">= 300x moto's requests/s", ratio >= 300, f"{ratio:,.0f}x"))
    t.append(("full", "p99 <= 100 ms", n["full"]["p99_ms"] <= 100, fmt_ms(n["full"]["p99_ms"])))
    t.append(("one", ">= 2,000 requests/s", n["one"]["rps"] >= 2000, fmt_rps(n["one"]["rps"])))
    t.append(("one", "p99 <= 10 ms", n["one"]["p99_ms"] <= 10, fmt_ms(n["one"]["p99_ms"])))
    t.append(("run", "p50 <= 1/3 of moto's", run_ratio <= 1 / 3, f"{run_ratio:.2f}x moto's"))
    r["targets"] = [{"query": q, "target": tt, "met": ok, "measured": v} for q, tt, ok, v in t]
    r["moto_full_rps_for_ratio"] = moto_full_rps
    with open(os.path.join(res, "results.json"), "w") as f:
        json.dump(r, f, indent=1)

    M = meta
    print()
    print(f"EC2 API benchmark, {M['date']}: Nubo ({M['code']}) vs moto {M['moto']}; "
          f"{M['instances']} instances in each; wrk {M['duration']} s, {M['connections']} connections, "
          f"{M['threads']} threads (after a {M['warmup']} s warm-up); machine: {M['nproc']} cores, "
          f"{M['mem_gib']} GiB, {M['cpu']}; {M['jdk']}")
    print()
    print("| query | figure | Nubo | moto | Nubo / moto |")
    print("|---|---|---|---|---|")
    for q, title in (("full", f"DescribeInstances, all {M['instances']}"),
                     ("one", "DescribeInstances, `InstanceId.1`")):
        a, b = n[q], m[q]
        print(f"| {title} | requests/s | {fmt_rps(a['rps'])} | {fmt_rps(b['rps'])} "
              f"({b['requests']} in {b['seconds']:.0f} s) | "
              f"{(a['rps'] / b['rps']) if b['rps'] else float('inf'):,.0f}x |")
        print(f"| | latency p50 / p99 | {fmt_ms(a['p50_ms'])} / {fmt_ms(a['p99_ms'])} | "
              f"{fmt_ms(b['p50_ms'])} / {fmt_ms(b['p99_ms'])} | |")
        print(f"| | response size | {a['response_bytes']:,} B | {b['response_bytes']:,} B | |")
        if q == "full" and extra:
            print(f"| | moto again, {extra['seconds']:.0f} s | | {fmt_rps(extra['rps'])} requests/s "
                  f"({extra['requests']}), p50 {fmt_ms(extra['p50_ms'])} / p99 {fmt_ms(extra['p99_ms'])} | "
                  f"{(a['rps'] / extra['rps']) if extra['rps'] else float('inf'):,.0f}x |")
    print(f"| RunInstances, 1 at a time, boto3, {n['run']['calls']} calls | latency p50 / p99 | "
          f"{fmt_ms(n['run']['p50_ms'])} / {fmt_ms(n['run']['p99_ms'])} | "
          f"{fmt_ms(m['run']['p50_ms'])} / {fmt_ms(m['run']['p99_ms'])} | {run_ratio:.2f}x |")
    print()
    print("| target (Nubo) | measured | |")
    print("|---|---|---|")
    for x in r["targets"]:
        print(f"| {x['query']}: {x['target']} | {x['measured']} | {'met' if x['met'] else '**missed**'} |")
    print()
    print("CPU during each measured run (% of the machine's 2 cores = 100%; nubo includes its PostgreSQL):")
    for who in ("nubo", "moto"):
        for q in ("full", "one", "run"):
            x = r[who][q] if q != "run" else r[who]["run"]
            c = x.get("cpu_pct")
            if not c:
                continue
            per = ""
            reqs = x.get("requests") or (x.get("calls", 0) + x.get("warmup", 0))
            if reqs:
                per = f"; server CPU per request {1000 * x['cpu_s'][who] / reqs:.2f} ms"
                if who == "nubo":
                    per += (f" (JVM {1000 * x['cpu_s']['nubo_jvm'] / reqs:.2f},"
                            f" PostgreSQL {1000 * x['cpu_s']['nubo_postgres'] / reqs:.2f})")
            print(f"  {who} {q}: machine {c['machine']}%, nubo {c['nubo']}% (JVM {c['nubo_jvm']}%,"
                  f" PostgreSQL {c['nubo_postgres']}%), moto {c['moto']}%, "
                  f"load client {c['client']}%, other processes {c['other']}%{per}")
    for who in ("nubo", "moto"):
        for q in ("full", "one"):
            x = r[who][q]
            if x["errors"] or x["non2xx"]:
                print(f"WARNING: {who} {q}: {x['errors']} socket errors/timeouts, {x['non2xx']} non-2xx answers")
    print(f"populate: Nubo {n['populate']['launch_s']:.1f} s to launch, {n['populate']['all_running_s']:.1f} s "
          f"until all running; moto {m['populate']['launch_s']:.1f} s / {m['populate']['all_running_s']:.1f} s")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--endpoint", required=True)
        sp.add_argument("--region", required=True)
        sp.add_argument("--credentials", help="AWS credentials file (default: moto's dummy key)")
        sp.add_argument("--profile", default="nubo")

    sp = sub.add_parser("populate"); common(sp)
    sp.add_argument("--count", type=int, default=1000)
    sp.add_argument("--batch", type=int, default=1000)
    sp.add_argument("--image-id")
    sp.add_argument("--instance-type", default="t3.nano")
    sp.add_argument("--wait", type=float, default=300)
    sp.set_defaults(f=cmd_populate)

    sp = sub.add_parser("sign"); common(sp)
    sp.add_argument("--instance-id")
    sp.add_argument("--expect", type=int, default=1000)
    sp.add_argument("--out", required=True)
    sp.add_argument("--done-lua", required=True)
    sp.set_defaults(f=cmd_sign)

    sp = sub.add_parser("check")
    sp.add_argument("--endpoint", required=True)
    sp.add_argument("--saved", required=True)
    sp.set_defaults(f=cmd_check)

    sp = sub.add_parser("runlat"); common(sp)
    sp.add_argument("--calls", type=int, default=200)
    sp.add_argument("--warmup", type=int, default=5)
    sp.add_argument("--image-id")
    sp.add_argument("--instance-type", default="t3.nano")
    sp.set_defaults(f=cmd_runlat)

    sp = sub.add_parser("cpu")
    sp.add_argument("pids", nargs="*", help="name=pid")
    sp.set_defaults(f=cmd_cpu)

    sp = sub.add_parser("settle")
    sp.add_argument("--timeout", type=float, default=120)
    sp.add_argument("pids", nargs="*", help="name=pid")
    sp.set_defaults(f=cmd_settle)

    sp = sub.add_parser("report")
    sp.add_argument("results", help="the results directory run.sh wrote")
    sp.set_defaults(f=cmd_report)

    args = p.parse_args()
    args.f(args)


if __name__ == "__main__":
    main()
