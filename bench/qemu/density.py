#!/usr/bin/env python3
"""Density: N small VMs (1 vCPU, 128 MiB) on this host at once, then the control plane's idle cost.

It launches the VMs through the REST API, waits until every guest printed NUBO-GUEST-READY,
lets things settle, and then measures over a window, from /proc:
  - the CPU used by the server JVM (control plane, API and agent in one process) and by its
    embedded PostgreSQL (the postmaster and its children), as % of one core;
  - the JVM's resident memory (VmRSS) and PostgreSQL's;
  - for reference, the CPU the idle QEMU processes use.
usage: density.py <server-url> <data-dir> <server-pid> <vms> <window-seconds>
"""
import json, os, sys, time, urllib.request

url, data_dir, server_pid, vms, window = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
creds = dict(l.split(" = ") for l in open(os.path.join(data_dir, "credentials")).read().split("\n") if " = " in l)
auth = "Bearer %s:%s" % (creds["aws_access_key_id"], creds["aws_secret_access_key"])
HZ = os.sysconf("SC_CLK_TCK")


def call(method, path, body=None):
    req = urllib.request.Request(url + "/api/v1" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                ppid = int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    out.append(int(p))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return out


def is_ready(iid):
    try:
        return "NUBO-GUEST-READY " + iid in open(os.path.join(data_dir, "instances", iid, "serial.log"), errors="replace").read()
    except FileNotFoundError:
        return False


def sample(pids):
    total = 0
    for p in pids:
        try:
            total += cpu_ticks(p)
        except FileNotFoundError:
            pass
    return total


host = call("GET", "/hosts")[0]
call("PUT", "/hosts/%s/overcommit" % host["hostId"], {"cpuRatio": 8.0, "memoryRatio": 1.0})
call("PUT", "/instance-types/bench.tiny", {"vcpus": 1, "memoryMib": 128, "priceMicrosPerHour": 1000})
image = [i for i in call("GET", "/images") if i["name"] == "nubo-default"][0]["imageId"]
ids = [i["instanceId"] for i in call("POST", "/instances", {"imageId": image, "instanceType": "bench.tiny", "count": vms})["instances"]]
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    ready = sum(1 for i in ids if is_ready(i))
    if ready == len(ids):
        break
    time.sleep(1)
print("all %d VMs ready; settling" % len(ids), flush=True)
time.sleep(20)
postmaster = int(open(os.path.join(data_dir, "pg", "postmaster.pid")).readline())
pg = [postmaster] + children(postmaster)
qemus = [int(open(os.path.join(data_dir, "instances", i, "qemu.pid")).read()) for i in ids]
t0 = time.monotonic()
s0, p0, q0 = sample([server_pid]), sample(pg), sample(qemus)
time.sleep(window)
s1, p1, q1 = sample([server_pid]), sample(pg), sample(qemus)
dt = time.monotonic() - t0
result = {
    "vms": len(ids), "window_s": window,
    "server_jvm_cpu_pct_of_one_core": round(100.0 * (s1 - s0) / HZ / dt, 2),
    "postgres_cpu_pct_of_one_core": round(100.0 * (p1 - p0) / HZ / dt, 2),
    "server_jvm_rss_mib": round(rss_kib(server_pid) / 1024),
    "postgres_rss_mib": round(sum(rss_kib(p) for p in pg if os.path.exists("/proc/%d" % p)) / 1024),
    "qemu_cpu_pct_of_one_core_all_vms": round(100.0 * (q1 - q0) / HZ / dt, 1),
}
print(json.dumps(result), flush=True)
for i in ids:
    call("POST", "/instances/%s/terminate" % i)
