#!/usr/bin/env python3
"""Small measuring helpers for bench/run.sh (standard library only).

  helpers.py coldstart URL USER PASSWORD RUNS -- CMD…   start CMD RUNS times, print the median milliseconds from
                                                        exec to the first 200 on GET URL (authenticated); each
                                                        run waits at most 15 s and stops its own process by PID
  helpers.py rss PID SECONDS                            print the largest VmRSS (kB) of PID sampled every 100 ms
  helpers.py status PID                                 print "VmRSS VmHWM RssAnon" (kB) of PID
"""
import base64
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request


def proc_status(pid: int) -> dict:
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon"):
                values[key] = int(rest.split()[0])
    return values


def first_success_ms(url: str, auth: str, command: list[str]) -> float:
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 15
        while time.monotonic() < deadline:
            request = urllib.request.Request(url, headers={"Authorization": auth})
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return (time.monotonic() - started) * 1000
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode} before answering")
            time.sleep(0.002)
        raise RuntimeError("no successful GET within 15 s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def main(argv: list[str]) -> int:
    mode = argv[1]
    if mode == "coldstart":
        url, user, password, runs = argv[2], argv[3], argv[4], int(argv[5])
        command = argv[argv.index("--") + 1:]
        auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        times = [first_success_ms(url, auth, command) for _ in range(max(1, min(runs, 10)))]
        time.sleep(0.2)
        print(f"{statistics.median(times):.1f}")
    elif mode == "rss":
        pid, seconds = int(argv[2]), float(argv[3])
        largest = 0
        deadline = time.monotonic() + min(seconds, 120)
        while time.monotonic() < deadline:
            try:
                largest = max(largest, proc_status(pid).get("VmRSS", 0))
            except FileNotFoundError:
                break
            time.sleep(0.1)
        print(largest)
    elif mode == "status":
        values = proc_status(int(argv[2]))
        print(values.get("VmRSS", 0), values.get("VmHWM", 0), values.get("RssAnon", 0))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
