#!/usr/bin/env python3
"""backend-time.py POSTMASTER_PID_FILE COMMAND...: runs COMMAND and, every 10 ms meanwhile,
reads /proc/PID/schedstat of the server's client backends (the postmaster's children that
serve a connection). For each backend that loaded (used CPU for more than 0.3 s), over the
span in which it used CPU: how long it ran, how long it waited in the run queue (ready, but
every core busy with other work: the machine's load) and how long it slept (waiting for its
client, or a lock, or I/O), and how often it went to sleep. Prints one line, summed over
those backends: `running_ms runqueue_ms asleep_ms sleeps backends`. Linux only."""
import os, subprocess, sys, time

pm = int(open(sys.argv[1]).readline())
command = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
samples = {}


def backends():
    found = []
    try:
        children = open(f'/proc/{pm}/task/{pm}/children').read().split()
    except OSError:
        children = [pid for pid in os.listdir('/proc') if pid.isdigit()]
    for pid in children:
        try:
            if int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1]) != pm:
                continue
            title = open(f'/proc/{pid}/cmdline').read()
        except OSError:
            continue
        if '[local]' in title or '(' in title:  # a connection's backend, not a server process
            found.append(int(pid))
    return found


while command.poll() is None:
    now = time.monotonic()
    for pid in backends():
        try:
            run, wait, _ = map(int, open(f'/proc/{pid}/schedstat').read().split())
            status = open(f'/proc/{pid}/status').read()
            sleeps = int(status.split('voluntary_ctxt_switches:')[1].split()[0])
        except (OSError, IndexError, ValueError):
            continue
        samples.setdefault(pid, []).append((now, run, wait, sleeps))
    time.sleep(0.01)
if command.returncode != 0:
    sys.exit(f'{sys.argv[2]} exited with {command.returncode}')
total = [0.0, 0.0, 0.0, 0, 0]
for s in samples.values():
    busy = [i for i in range(1, len(s)) if s[i][1] > s[i - 1][1]]
    if not busy:
        continue
    a, b = busy[0] - 1, busy[-1]
    wall, run, wait = s[b][0] - s[a][0], (s[b][1] - s[a][1]) / 1e9, (s[b][2] - s[a][2]) / 1e9
    if run < 0.3:
        continue
    total[0] += run * 1000
    total[1] += wait * 1000
    total[2] += max(0.0, wall - run - wait) * 1000
    total[3] += s[b][3] - s[a][3]
    total[4] += 1
print(f'{total[0]:.0f} {total[1]:.0f} {total[2]:.0f} {total[3]} {total[4]}')
