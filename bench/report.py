#!/usr/bin/env python3
"""Turns bench/run.sh's results.tsv (key<TAB>value lines) into the markdown report, with ratios and targets."""
import re
import sys


def load(path: str) -> dict:
    values = {}
    with open(path) as results:
        for line in results:
            key, _, value = line.rstrip("\n").partition("\t")
            values[key] = value.strip()
    return values


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def latency_ms(text):
    """'850.00us', '12.34ms', '1.20s', 'max:0.93s' → (milliseconds, is_max)."""
    if not text:
        return None, False
    is_max = text.startswith("max:")
    match = re.fullmatch(r"([0-9.]+)(us|ms|s)", text.removeprefix("max:"))
    if not match:
        return None, is_max
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    return float(match.group(1)) * scale, is_max


def fmt(value, digits=0):
    if value is None:
        return "n/a"
    if abs(value) >= 100 or digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(ours, theirs):
    if ours is None or theirs is None or theirs == 0:
        return "n/a"
    value = ours / theirs
    if value >= 100:
        return f"{value:,.0f}×"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.2g}×"


def main() -> int:
    v = load(sys.argv[1])
    rows = []

    def row(label, ours, theirs, digits=0, note_ours="", note_theirs=""):
        rows.append(f"| {label} | {fmt(ours, digits)}{note_ours} | {fmt(theirs, digits)}{note_theirs} | {ratio(ours, theirs)} |")

    def errors(key):
        count = number(v.get(key + ".errors"))
        return f" ⚠ {count:.0f} errors" if count else ""

    def failed(side):
        count = number(v.get(side + ".push_failures"))
        return f" ⚠ {count:.0f} failed" if count else ("" if count is not None else " ⚠ did not finish")

    def load_rows(kind, label):
        o, t = f"ours.{kind}", f"dist.{kind}"
        row(f"{label}: req/s ↑", number(v.get(o + ".rps")), number(v.get(t + ".rps")),
            note_ours=errors(o), note_theirs=errors(t))
        (ol, omax), (tl, tmax) = latency_ms(v.get(o + ".p99")), latency_ms(v.get(t + ".p99"))
        row(f"{label}: p99 ms ↓", ol, tl, digits=2,
            note_ours=" (max)" if omax else "", note_theirs=" (max)" if tmax else "")

    load_rows("head_auth", "Manifest HEAD, Basic auth (hey)")
    load_rows("get_auth", "Manifest GET, Basic auth (wrk)")
    load_rows("head_anon", "Manifest HEAD, anonymous (hey)¹")
    sha = number(v.get("anchor.sha256_mbps"))
    row("Blob upload, 1 blob, MB/s ↑ (best of 2)", number(v.get("ours.upload_mbps")), number(v.get("dist.upload_mbps")))
    row("Blob download, MB/s ↑ (best of 2)", number(v.get("ours.download_mbps")), number(v.get("dist.download_mbps")))
    rows.append(f"| Anchor: `sha256sum` of the same file, MB/s | {fmt(sha)} | {fmt(sha)} | |")
    row("Concurrent push: total s ↓", number(v.get("ours.push_seconds")), number(v.get("dist.push_seconds")), digits=2,
        note_ours=failed("ours"), note_theirs=failed("dist"))
    row("Concurrent push: images/s ↑", number(v.get("ours.push_ips")), number(v.get("dist.push_ips")), digits=1)
    mib = lambda key: number(v.get(key)) / 1024 if number(v.get(key)) is not None else None
    row("RSS idle, MiB ↓", mib("ours.rss_idle_kb"), mib("dist.rss_idle_kb"), digits=1)
    row("  of which anonymous (heap, stacks), MiB ↓", mib("ours.rss_anon_idle_kb"), mib("dist.rss_anon_idle_kb"), digits=1)
    row("RSS under GET load (max), MiB ↓", mib("ours.get_auth.rss_load_kb"), mib("dist.get_auth.rss_load_kb"), digits=1)
    row("RSS peak over the run (VmHWM), MiB ↓", mib("ours.rss_peak_kb"), mib("dist.rss_peak_kb"), digits=1)
    row("Cold start to first GET /v2/ 200, ms ↓ (median of 3)", number(v.get("ours.coldstart_ms")),
        number(v.get("dist.coldstart_ms")), digits=1)
    policy = v.get("ours.policy_dps", "n/a")
    policy_text = fmt(number(policy)) if number(policy) is not None else policy
    rows.append(f"| Policy decisions/s, 1,001 patterns (`policy-bench`) ↑ | {policy_text} | n/a (no policy engine) | n/a |")

    def get(key):
        return number(v.get(key))

    def check(label, value_text, ok):
        verdict = "n/a" if ok is None else ("met" if ok else "**missed**")
        return f"| {label} | {value_text} | {verdict} |"

    head_ours, head_dist, anon_ours = get("ours.head_auth.rps"), get("dist.head_auth.rps"), get("ours.head_anon.rps")
    down_ours, down_dist, up_ours = get("ours.download_mbps"), get("dist.download_mbps"), get("ours.upload_mbps")
    idle = mib("ours.rss_idle_kb")
    have = lambda *xs: all(x is not None for x in xs)
    targets = [
        check("Authenticated HEAD ≥ 50× Distribution", ratio(head_ours, head_dist),
              head_ours / head_dist >= 50 if have(head_ours, head_dist) and head_dist else None),
        check("Authenticated HEAD ≥ 50% of our anonymous HEAD", f"{head_ours / anon_ours:.0%}" if have(head_ours, anon_ours) and anon_ours else "n/a",
              head_ours / anon_ours >= 0.5 if have(head_ours, anon_ours) and anon_ours else None),
        check("Blob download ≥ Distribution", ratio(down_ours, down_dist),
              down_ours >= down_dist if have(down_ours, down_dist) else None),
        check("Blob download ≥ 1 GB/s", f"{fmt(down_ours)} MB/s", down_ours >= 1000 if have(down_ours) else None),
        check("Upload ≥ 80% of sha256sum speed", f"{up_ours / sha:.0%}" if have(up_ours, sha) and sha else "n/a",
              up_ours >= 0.8 * sha if have(up_ours, sha) else None),
        check("Idle RSS ≤ 30 MiB", f"{fmt(idle, 1)} MiB", idle <= 30 if have(idle) else None),
    ]

    print(f"## zot-authz vs CNCF Distribution {v.get('distribution', '')}\n")
    print(f"Commit `{v.get('commit', '?')}` · {v.get('cores', '?')} cores · load average at the end {v.get('load', '?')} · "
          f"{v.get('params', '')}. Loopback only; client and servers share the cores, so figures are noisy — "
          "compare ratios, not absolutes. MB = 10⁶ bytes. ↑ higher is better, ↓ lower is better.\n")
    print("| Measure | zot-authz | Distribution | ours/theirs |")
    print("| --- | ---: | ---: | ---: |")
    print("\n".join(rows))
    print("\n¹ Distribution cannot serve anonymous reads while htpasswd auth is on: its anonymous figure comes from a "
          "second Distribution without auth on the same storage.\n")
    print("### Targets (issue: benchmarks against CNCF Distribution)\n")
    print("| Target | Measured | Verdict |")
    print("| --- | ---: | --- |")
    print("\n".join(targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
