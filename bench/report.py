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


def get_from(values):
    return lambda key: number(values.get(key))


def pct(value, ceiling):
    return value / ceiling if value is not None and ceiling else None


def ratio(ours, theirs):
    if ours is None or theirs is None or theirs == 0:
        return "n/a"
    value = ours / theirs
    if value >= 100:
        return f"{value:,.0f}×"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.2g}×"


def main() -> int:
    v = load(sys.argv[1])
    get_ = get_from(v)
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
    openssl = number(v.get("anchor.openssl_sha256_mbps"))
    nginx = number(v.get("anchor.nginx_mbps"))
    rows.append(f"| Ceiling: `openssl speed -evp sha256` (one core), MB/s | {fmt(openssl)} | {fmt(openssl)} | |")
    rows.append(f"| Ceiling: nginx sendfile download of the same file, MB/s | {fmt(nginx)} | {fmt(nginx)} | |")
    row("Blob upload / openssl SHA-256 rate ↑", pct(get_("ours.upload_mbps"), openssl), pct(get_("dist.upload_mbps"), openssl), digits=2)
    row("Blob download / nginx sendfile ↑", pct(get_("ours.download_mbps"), nginx), pct(get_("dist.download_mbps"), nginx), digits=2)
    row("Tag push, mean of the first 10, ms ↓", get_("ours.tag_first_ms"), get_("dist.tag_first_ms"), digits=2)
    row("Tag push, mean of the last 10 (see header for the count), ms ↓",
        get_("ours.tag_last_ms"), get_("dist.tag_last_ms"), digits=2)
    row("`_catalog?n=100` first page, ms ↓", get_("ours.catalog_first_ms"), get_("dist.catalog_first_ms"), digits=2)
    row("`_catalog?n=100` page from the middle, ms ↓", get_("ours.catalog_middle_ms"), get_("dist.catalog_middle_ms"), digits=2)
    rows.append(f"| S3 (moto) upload, MB/s ↑: through zot-authz / boto3 direct | {fmt(get_('ours.s3_upload_mbps'))} | "
                f"{fmt(get_('boto3.s3_upload_mbps'))} (boto3) | {ratio(get_('ours.s3_upload_mbps'), get_('boto3.s3_upload_mbps'))} |")
    rows.append(f"| S3 (moto) download, MB/s ↑: through zot-authz / boto3 direct | {fmt(get_('ours.s3_download_mbps'))} | "
                f"{fmt(get_('boto3.s3_download_mbps'))} (boto3) | {ratio(get_('ours.s3_download_mbps'), get_('boto3.s3_download_mbps'))} |")
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
    up_dist, peak_ours, peak_dist = get("dist.upload_mbps"), get("ours.rss_peak_kb"), get("dist.rss_peak_kb")
    openssl, nginx = get("anchor.openssl_sha256_mbps"), get("anchor.nginx_mbps")
    nginx = nginx or None  # 0: nginx did not serve the file, so there is no ceiling to compare with
    tag_first, tag_last = get("ours.tag_first_ms"), get("ours.tag_last_ms")
    cat_first, cat_middle = get("ours.catalog_first_ms"), get("ours.catalog_middle_ms")
    s3_up, s3_down = get("ours.s3_upload_mbps"), get("ours.s3_download_mbps")
    boto_up, boto_down = get("boto3.s3_upload_mbps"), get("boto3.s3_download_mbps")
    storage_targets = [
        check("Upload ≥ 2× Distribution", ratio(up_ours, up_dist), up_ours >= 2 * up_dist if have(up_ours, up_dist) else None),
        check("Upload ≥ 50% of `openssl speed -evp sha256`", f"{up_ours / openssl:.0%}" if have(up_ours, openssl) and openssl else "n/a",
              up_ours >= 0.5 * openssl if have(up_ours, openssl) else None),
        check("Download ≥ 90% of nginx sendfile", f"{down_ours / nginx:.0%}" if have(down_ours, nginx) and nginx else "n/a",
              down_ours >= 0.9 * nginx if have(down_ours, nginx) else None),
        check("Peak RSS (1 GiB transfers) ≤ Distribution", ratio(peak_ours, peak_dist),
              peak_ours <= peak_dist if have(peak_ours, peak_dist) else None),
        check("S3 upload ≥ 80% of boto3", ratio(s3_up, boto_up), s3_up >= 0.8 * boto_up if have(s3_up, boto_up) else None),
        check("S3 download ≥ 80% of boto3", ratio(s3_down, boto_down), s3_down >= 0.8 * boto_down if have(s3_down, boto_down) else None),
        check("`_catalog?n=100` ≤ 5 ms per page", f"{fmt(cat_first, 2)} / {fmt(cat_middle, 2)} ms",
              max(cat_first, cat_middle) <= 5 if have(cat_first, cat_middle) else None),
        check("Tag push last/first ≤ 2×", ratio(tag_last, tag_first), tag_last <= 2 * tag_first if have(tag_last, tag_first) else None),
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
    print("\n### Targets (issue: storage on Zot's format)\n")
    print("| Target | Measured | Verdict |")
    print("| --- | ---: | --- |")
    print("\n".join(storage_targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
