#!/usr/bin/env python3
"""Control-plane overhead of launching a real VM through Nubo, against QEMU started by hand.

For each run it launches one VM through the REST API and measures
  - API call -> QEMU process started (the instance's qemu.pid appears), and
  - API call -> NUBO-GUEST-READY on its serial console;
then it starts the same image by hand with the same qemu-system-x86_64 command line (the
instance's own `cmdline` file, with paths moved to a fresh directory) and measures
start -> NUBO-GUEST-READY. Runs alternate, so both see the same machine load.

usage: overhead.py <server-url> <data-dir> <runs>
The server must run with the QEMU driver; the key comes from <data-dir>/credentials.
"""
import json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

url, data_dir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
creds = dict(l.split(" = ") for l in open(os.path.join(data_dir, "credentials")).read().split("\n") if " = " in l)
auth = "Bearer %s:%s" % (creds["aws_access_key_id"], creds["aws_secret_access_key"])
POLL = 0.002


def call(method, path, body=None):
    req = urllib.request.Request(url + "/api/v1" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")


def wait_for(pred, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return time.monotonic()
        time.sleep(POLL)
    raise TimeoutError("condition not met")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_marker(path, marker):
    try:
        with open(path, "rb") as f:
            return marker.encode() in f.read()
    except FileNotFoundError:
        return False


call("PUT", "/instance-types/bench.tiny", {"vcpus": 1, "memoryMib": 128, "priceMicrosPerHour": 1000})
image = [i for i in call("GET", "/images") if i["name"] == "nubo-default"][0]["imageId"]
api_to_qemu, api_to_ready, by_hand = [], [], []
for n in range(runs):
    t0 = time.monotonic()
    iid = call("POST", "/instances", {"imageId": image, "instanceType": "bench.tiny"})["instances"][0]["instanceId"]
    d = os.path.join(data_dir, "instances", iid)
    t1 = wait_for(lambda: os.path.exists(os.path.join(d, "qemu.pid")))
    t2 = wait_for(lambda: has_marker(os.path.join(d, "serial.log"), "NUBO-GUEST-READY " + iid))
    api_to_qemu.append((t1 - t0) * 1000)
    api_to_ready.append((t2 - t0) * 1000)
    argv = open(os.path.join(d, "cmdline")).read().splitlines()
    work = tempfile.mkdtemp(prefix="nubo-hand-", dir="/tmp")
    # The same argv, with the instance's files in a fresh directory; the disk is a new overlay on the same base.
    base = json.loads(subprocess.check_output(["qemu-img", "info", "-U", "--output=json", os.path.join(d, "disk.qcow2")]))
    subprocess.check_call(["qemu-img", "create", "-q", "-f", "qcow2", "-F", base["backing-filename-format"],
                           "-b", base["full-backing-filename"], os.path.join(work, "disk.qcow2")])
    shutil.copy(os.path.join(d, "cidata.iso"), os.path.join(work, "cidata.iso"))
    call("POST", "/instances/%s/terminate" % iid)
    argv = [a.replace(d, work) for a in argv]
    # A port of its own, so it cannot clash with the terminated VM's while that one shuts down.
    argv = [re.sub(r"hostfwd=tcp:127\.0\.0\.1:\d+-", "hostfwd=tcp:127.0.0.1:%d-" % free_port(), a) for a in argv]
    h0 = time.monotonic()
    subprocess.check_call(argv)
    h1 = wait_for(lambda: has_marker(os.path.join(work, "serial.log"), "NUBO-GUEST-READY " + iid))
    by_hand.append((h1 - h0) * 1000)
    pid = int(open(os.path.join(work, "qemu.pid")).read())
    os.kill(pid, 9)
    shutil.rmtree(work, ignore_errors=True)
    print("run %d: api->qemu %.0f ms, api->ready %.0f ms, by hand ->ready %.0f ms" %
          (n + 1, api_to_qemu[-1], api_to_ready[-1], by_hand[-1]), flush=True)

p50 = statistics.median
print(json.dumps({"runs": runs, "api_to_qemu_p50_ms": round(p50(api_to_qemu)),
                  "api_to_ready_p50_ms": round(p50(api_to_ready)), "by_hand_to_ready_p50_ms": round(p50(by_hand)),
                  "ratio_ready": round(p50(api_to_ready) / p50(by_hand), 3)}))
