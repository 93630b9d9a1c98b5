#!/usr/bin/env python3
"""Helpers for bench/smtp.sh (standard library only): free ports, HTTP polling, the idle
SMTP client and memory figures. Each subcommand prints its result on stdout."""

import argparse
import asyncio
import json
import os
import resource
import shlex
import signal
import socket
import sys
import time
import urllib.error
import urllib.request


def free_ports(args):
    """Ports free on 127.0.0.1 now; the sockets stay bound until all are chosen, so they differ."""
    sockets = []
    for _ in range(args.count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    print(" ".join(str(s.getsockname()[1]) for s in sockets))
    for s in sockets:
        s.close()


def http_get(url, timeout=2.0):
    """(status, body) of a GET, or (None, error text) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, urllib.error.URLError) as e:
        return None, str(e).encode()


def alive(pid):
    return pid is None or os.path.exists(f"/proc/{pid}")


def listening(port):
    """Whether a socket listens on the TCP port, read from /proc: unlike a probe connection,
    this leaves no session, hence no sighting, behind."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    local, state = line.split()[1], line.split()[3]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def wait_ready(args):
    """Waits until the URL answers 200 and, if asked, a socket listens on --listening (the
    API may be ready before the SMTP listener is); fails early if the process has exited."""
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        status, _ = http_get(args.url)
        if status == 200 and (args.listening is None or listening(args.listening)):
            return 0
        if not alive(args.pid):
            print(f"process {args.pid} exited before {args.url} answered 200", file=sys.stderr)
            return 1
        time.sleep(0.2)
    print(f"{args.url} did not answer 200, or nothing listened on port {args.listening},"
          f" within {args.timeout:.0f} s", file=sys.stderr)
    return 1


def field(document, path):
    for key in path.split("."):
        document = document[key]
    return int(document)


def prometheus_sample(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    raise KeyError(name)


def stored_count(url, path, prometheus=False):
    """The integer at the dotted path of a JSON answer, or the Prometheus sample so named."""
    status, body = http_get(url)
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}: {body[:300]!r}")
    try:
        return prometheus_sample(body.decode(), path) if prometheus else field(json.loads(body), path)
    except (KeyError, TypeError, ValueError) as e:
        raise RuntimeError(f"GET {url}: no integer at '{path}' in {body[:300]!r}") from e


def wait_stored(args):
    """Polls the count until it reaches the expected number or stops growing for --settle
    seconds (bounded by --timeout). Prints the count and the seconds from --since (an epoch
    time) to the poll that first saw the final count. With --since-from, it is started ahead
    and waits for that epoch time as a line on the named pipe, so that its own start-up is
    not counted in the time."""
    since = args.since
    if args.since_from:
        with open(args.since_from) as pipe:
            since = float(pipe.readline())
    deadline = time.monotonic() + args.timeout
    last, last_change, seen_at = None, time.monotonic(), time.time()
    while True:
        count = stored_count(args.url, args.field, args.prometheus)
        if count != last:
            last, last_change, seen_at = count, time.monotonic(), time.time()
        if count >= args.expected or time.monotonic() - last_change > args.settle or time.monotonic() > deadline:
            break
        time.sleep(args.interval)
    print(last, f"{seen_at - since:.3f}")


def breakdown(args):
    """Shell assignments: how many stored sightings have the class and the ending of a clean
    smtp-source session, and every non-zero count by class and by ending."""
    status, body = http_get(args.url)
    if status != 200:
        raise RuntimeError(f"GET {args.url} answered {status}: {body[:300]!r}")
    stats = json.loads(body)
    by_class, by_ending = stats["sightingsByClass"], stats["sightingsByEnding"]
    text = "; ".join(f"{title} " + ", ".join(f"{k} {v}" for k, v in counts.items() if v)
                     for title, counts in (("class", by_class), ("ending", by_ending)))
    print(f"clean_class={int(by_class.get(args.sighting_class, 0))}",
          f"clean_ending={int(by_ending.get(args.ending, 0))}",
          f"breakdown={shlex.quote(text)}")


async def hold_idle(args):
    """Opens --count SMTP sessions, reads each greeting, says how many are held, then keeps
    them open without a word until SIGTERM or --hold seconds, and reports how many the
    server closed meanwhile."""
    gate = asyncio.Semaphore(args.concurrency)  # stay within the server's accept backlog
    sessions, failures = [], []
    closed = 0

    async def open_one(i):
        async with gate:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(args.host, args.port), 15)
                greeting = await asyncio.wait_for(reader.readline(), 15)
            except (OSError, asyncio.TimeoutError) as e:
                failures.append(f"session {i}: {type(e).__name__} {e}")
                return
            if not greeting.startswith(b"220"):
                failures.append(f"session {i}: greeting {greeting[:80]!r}")
                writer.close()
                return
            sessions.append((reader, writer))

    async def watch(reader):
        nonlocal closed
        try:
            if await reader.read(1) == b"":
                closed += 1
        except OSError:
            closed += 1

    started = time.monotonic()
    await asyncio.gather(*(open_one(i) for i in range(args.count)))
    watchers = [asyncio.ensure_future(watch(reader)) for reader, _ in sessions]
    print(f"held {len(sessions)} failed {len(failures)} opened_in {time.monotonic() - started:.1f}", flush=True)
    for failure in failures[:5]:
        print(f"  {failure}", file=sys.stderr)

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.hold)
    except asyncio.TimeoutError:
        pass
    print(f"closed_by_server {closed}", flush=True)
    for watcher in watchers:
        watcher.cancel()
    for _, writer in sessions:
        writer.close()


def idle(args):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.count + 100:
        print(f"open-file limit {hard} is too low for {args.count} sessions", file=sys.stderr)
        return 1
    asyncio.run(hold_idle(args))
    return 0


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(parent):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    # the command name is in parentheses and may hold spaces; ppid follows it
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent:
                found.append(int(entry))
    return found


def memory(args):
    """VmRSS of the JVM, and of the PostgreSQL server (postmaster and its children) as the sum
    of their VmRSS (counts shared buffers once per process) and of their PSS (shares them)."""
    with open(f"/proc/{args.java_pid}/comm") as f:
        comm = f.read().strip()
    if comm != "java":
        print(f"process {args.java_pid} is '{comm}', not java", file=sys.stderr)
        return 1
    result = {"java_rss_kb": status_kb(args.java_pid, "VmRSS"),
              "java_threads": status_kb(args.java_pid, "Threads")}
    with open(os.path.join(args.pgdata, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    pids = [postmaster] + children(postmaster)
    result["pg_processes"] = len(pids)
    result["pg_rss_kb"] = sum(status_kb(p, "VmRSS") for p in pids)
    result["pg_pss_kb"] = sum(pss_kb(p) for p in pids)
    result["pg_postmaster"] = postmaster
    print(" ".join(f"{k}={v}" for k, v in result.items()))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(required=True)

    p = commands.add_parser("free-ports")
    p.add_argument("count", type=int)
    p.set_defaults(run=free_ports)

    p = commands.add_parser("wait-ready")
    p.add_argument("url")
    p.add_argument("--pid", type=int)
    p.add_argument("--listening", type=int, help="a TCP port that must also be listening")
    p.add_argument("--timeout", type=float, default=120)
    p.set_defaults(run=wait_ready)

    p = commands.add_parser("breakdown")
    p.add_argument("url")
    p.add_argument("--class", dest="sighting_class", default="trap-domain")
    p.add_argument("--ending", default="quit")
    p.set_defaults(run=breakdown)

    p = commands.add_parser("wait-stored")
    p.add_argument("url")
    p.add_argument("field", help="dotted path of the integer in the JSON answer")
    p.set_defaults(run=wait_stored)
    p.add_argument("--expected", type=int, required=True)
    since = p.add_mutually_exclusive_group(required=True)
    since.add_argument("--since", type=float)
    since.add_argument("--since-from", metavar="PIPE", help="read the --since time from this named pipe, then poll")
    p.add_argument("--prometheus", action="store_true", help="the field is a Prometheus sample name, the URL /metrics")
    p.add_argument("--interval", type=float, default=0.05, help="seconds between polls")
    p.add_argument("--settle", type=float, default=5)
    p.add_argument("--timeout", type=float, default=60)

    p = commands.add_parser("idle")
    p.add_argument("port", type=int)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--concurrency", type=int, default=200)
    p.add_argument("--hold", type=float, default=120)
    p.set_defaults(run=idle)

    p = commands.add_parser("memory")
    p.add_argument("java_pid", type=int)
    p.add_argument("pgdata")
    p.set_defaults(run=memory)

    args = parser.parse_args()
    try:
        sys.exit(args.run(args) or 0)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
