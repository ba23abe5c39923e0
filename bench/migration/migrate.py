#!/usr/bin/env python3
"""Live migration through Nubo against a bare QEMU migration driven by hand over QMP (issue 6).

Modes: idle, busy (the root disk on the host's local pool: Nubo copies it by block mirroring) and
idle-shared, busy-shared (an HA instance, its root disk on the shared pool: Nubo sends the memory
only, as the bare migration does). For each mode and each run it
  1. launches a 256 MiB guest through the REST API (busy: its user data starts a loop that keeps
     copying 48 MiB of random data in a tmpfs, dirtying memory all the time), waits for its READY
     marker and lets it settle for a few seconds;
  2. live-migrates it through Nubo to the other host (POST /instances/{id}/migrate) and reads the
     figures QEMU reported (`downtime`, `total-time`, from the migration's record) and the wall time
     from the API call until the migration is recorded complete;
  3. starts two bare QEMUs by hand with the instance's own command line (its `cmdline` file, paths
     moved to a fresh directory; a fresh overlay on the same base image; the destination adds
     `-incoming defer -S`), boots the same guest (same config drive, so the same user data),
     settles it likewise, and migrates it over QMP with the same parameters Nubo starts with
     (downtime-limit 100 ms, max-bandwidth 4 GiB/s), the disk shared (not mirrored), reading the
     same two figures from `query-migrate`.
Runs alternate, so both see the same machine load.

usage: migrate.py <server-url> <server-data-dir> <agent-data-dir> <runs-per-mode> [mode ...]
"""
import json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

url, server_dir, agent_dir, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
MODES = sys.argv[5:] or ["idle", "busy", "idle-shared", "busy-shared"]
creds = dict(l.split(" = ") for l in open(os.path.join(server_dir, "credentials")).read().split("\n") if " = " in l)
auth = "Bearer %s:%s" % (creds["aws_access_key_id"], creds["aws_secret_access_key"])
SETTLE = 8

BUSY = """#!/bin/sh
mkdir -p /mnt/busy && mount -t tmpfs -o size=120m tmpfs /mnt/busy
dd if=/dev/urandom of=/mnt/busy/rand bs=1M count=48 2>/dev/null
(while :; do cp /mnt/busy/rand /mnt/busy/copy; done) </dev/null >/dev/null 2>&1 &
echo BUSY-STARTED > /dev/ttyS0
"""


def call(method, path, body=None):
    req = urllib.request.Request(url + "/api/v1" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


def wait_for(pred, timeout=300, poll=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(poll)
    raise TimeoutError("condition not met")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has(path, marker):
    try:
        with open(path, "rb") as f:
            return marker.encode() in f.read()
    except FileNotFoundError:
        return False


class Qmp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        wait_for(lambda: os.path.exists(path), 30)
        self.s.connect(path)
        self.f = self.s.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "event" in r:
                continue
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"]))
            return r["return"]


def host_dir(host_id, hosts):
    return agent_dir if hosts[host_id] == "host-b" else server_dir


def nubo_run(mode):
    hosts = {h["hostId"]: h["name"] for h in call("GET", "/hosts")}
    body = {"imageId": image, "instanceType": "bench.256", "ha": mode.endswith("-shared")}
    if mode.startswith("busy"):
        import base64
        body["userData"] = base64.b64encode(BUSY.encode()).decode()
    iid = call("POST", "/instances", body)["instances"][0]["instanceId"]
    wait_for(lambda: call("GET", "/instances/" + iid)["state"]["name"] == "running")
    src = call("GET", "/instances/" + iid)["hostId"]
    d = os.path.join(host_dir(src, hosts), "instances", iid)
    wait_for(lambda: has(os.path.join(d, "serial.log"), "NUBO-GUEST-READY " + iid))
    time.sleep(SETTLE)
    dst = [h for h in hosts if h != src][0]
    t0 = time.monotonic()
    call("POST", "/instances/%s/migrate" % iid, {"toHost": dst})
    m = wait_for(lambda: (lambda x: x if x["state"] in ("completed", "failed") else None)(call("GET", "/instances/%s/migration" % iid)),
                 poll=0.02)
    wall = (time.monotonic() - t0) * 1000
    if m["state"] != "completed":
        raise RuntimeError("migration failed: %s" % m.get("reason"))
    return iid, d, {"downtime": m["downtimeMs"], "total": m["totalMs"], "wall": wall}


def bare_run(iid, d):
    """The same guest, two QEMUs by hand, the migration over QMP."""
    argv = open(os.path.join(d, "cmdline")).read().splitlines()
    work = tempfile.mkdtemp(prefix="nubo-bare-src-", dir="/tmp")
    dest = tempfile.mkdtemp(prefix="nubo-bare-dst-", dir="/tmp")
    info = json.loads(subprocess.check_output(["qemu-img", "info", "-U", "--output=json", os.path.join(d, "disk.qcow2")]))
    subprocess.check_call(["qemu-img", "create", "-q", "-f", "qcow2", "-F", info["backing-filename-format"],
                           "-b", info["full-backing-filename"], os.path.join(work, "disk.qcow2")])
    shutil.copy(os.path.join(d, "cidata.iso"), os.path.join(work, "cidata.iso"))

    # The instance's command line may be that of a receiving VM (it was migrated): the bare source boots.
    plain = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "-incoming":
            skip = True
        elif a != "-S":
            plain.append(a)

    def moved(to, disk_dir):
        out = [a.replace(d, to) for a in plain]
        out = [re.sub(r"hostfwd=tcp:127\.0\.0\.1:\d+-", "hostfwd=tcp:127.0.0.1:%d-" % free_port(), a) for a in out]
        # Both ends read the same disk files (shared storage): only the memory travels.
        return [a.replace(os.path.join(to, "disk.qcow2"), os.path.join(disk_dir, "disk.qcow2"))
                 .replace(os.path.join(to, "cidata.iso"), os.path.join(disk_dir, "cidata.iso")) for a in out]

    subprocess.check_call(moved(work, work))
    wait_for(lambda: has(os.path.join(work, "serial.log"), "NUBO-GUEST-READY " + iid))
    time.sleep(SETTLE)
    subprocess.check_call(moved(dest, work) + ["-incoming", "defer", "-S"])
    src, dst = Qmp(os.path.join(work, "qmp.sock")), Qmp(os.path.join(dest, "qmp.sock"))
    port = free_port()
    dst.cmd("migrate-incoming", uri="tcp:127.0.0.1:%d" % port)
    src.cmd("migrate-set-parameters", **{"downtime-limit": 100, "max-bandwidth": 4 << 30})
    src.cmd("migrate", uri="tcp:127.0.0.1:%d" % port)
    while True:
        q = src.cmd("query-migrate")
        if q["status"] in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.02)
    if q["status"] != "completed":
        raise RuntimeError("bare migration %s: %s" % (q["status"], q.get("error-desc")))
    dst.cmd("cont")
    for w in (work, dest):
        try:
            os.kill(int(open(os.path.join(w, "qemu.pid")).read()), 9)
        except (OSError, ValueError):
            pass
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(dest, ignore_errors=True)
    return {"downtime": q["downtime"], "total": q["total-time"]}


call("PUT", "/instance-types/bench.256", {"vcpus": 1, "memoryMib": 256, "priceMicrosPerHour": 1000})
image = [i for i in call("GET", "/images") if i["name"] == "nubo-default"][0]["imageId"]
results = {}
for mode in MODES:
    nubo, bare = [], []
    for n in range(runs):
        iid, d_src, r = nubo_run(mode)
        nubo.append(r)
        # The bare pair boots from the instance's own command line and config drive, kept before it goes.
        keep = tempfile.mkdtemp(prefix="nubo-bare-keep-", dir="/tmp")
        hosts = {h["hostId"]: h["name"] for h in call("GET", "/hosts")}
        d_now = os.path.join(host_dir(call("GET", "/instances/" + iid)["hostId"], hosts), "instances", iid)
        for f in ("cmdline", "cidata.iso", "disk.qcow2"):
            shutil.copy(os.path.join(d_now, f), os.path.join(keep, f))
        cmd = open(os.path.join(keep, "cmdline")).read().replace(d_now, keep)
        open(os.path.join(keep, "cmdline"), "w").write(cmd)
        call("POST", "/instances/%s/terminate" % iid)
        b = bare_run(iid, keep)
        bare.append(b)
        shutil.rmtree(keep, ignore_errors=True)
        wait_for(lambda: call("GET", "/instances/" + iid)["state"]["name"] == "terminated")
        print("%s run %d: nubo downtime %d ms, total %d ms (API call to recorded %.0f ms); bare downtime %d ms, total %d ms"
              % (mode, n + 1, r["downtime"], r["total"], r["wall"], b["downtime"], b["total"]), flush=True)
    p50 = statistics.median
    results[mode] = {"runs": runs,
                     "nubo_downtime_ms_p50": p50(x["downtime"] for x in nubo), "nubo_downtime_ms_max": max(x["downtime"] for x in nubo),
                     "nubo_total_ms_p50": p50(x["total"] for x in nubo), "nubo_api_to_recorded_ms_p50": round(p50(x["wall"] for x in nubo)),
                     "bare_downtime_ms_p50": p50(x["downtime"] for x in bare), "bare_total_ms_p50": p50(x["total"] for x in bare)}
    results[mode]["total_ratio"] = round(results[mode]["nubo_total_ms_p50"] / results[mode]["bare_total_ms_p50"], 3)
print(json.dumps(results, indent=1))
