#!/usr/bin/python3
"""The report of bench/compare.sh: reads hyperfine's RESULTS/<case>.json and the extra measurements
(peak RSS, system calls), prints a table of medians and ratios, and writes RESULTS/summary.json and
RESULTS/compare.dat (the chart's data: each tool's median time relative to boxtool's, per case).

    compare_report.py --results DIR --measurements FILE [--setup TEXT] [--real-json FILE] CASE...
"""

import argparse
import datetime
import json
import os
import statistics
import sys

TOOLS = ["boxtool", "skopeo", "skopeo+umoci", "ctr", "curl", "tar-floor", "verify-floor"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", required=True)
    p.add_argument("--measurements", required=True)
    p.add_argument("--setup", default="")
    p.add_argument("--real-json", default="")
    p.add_argument("cases", nargs="*")
    return p.parse_args(argv)


def read_measurements(path):
    rss, calls, top = {}, {}, {}
    for line in open(path):
        f = line.split()
        if f[0] == "rss":
            rss.setdefault(f[1], {})[f[2]] = int(f[3])
        elif f[0] == "syscalls":
            calls[f[1]] = {"total": int(f[2]), "regular_files": int(f[3]),
                           "download_recvfrom": int(f[4]) if len(f) > 4 else 0}
        elif f[0] == "top":
            top.setdefault(f[1], {})[f[2]] = int(f[3])
    for case, c in calls.items():
        c["per_regular_file"] = round(c["total"] / max(1, c["regular_files"]), 2)
        c["per_regular_file_without_download_reads"] = round(
            (c["total"] - c["download_recvfrom"]) / max(1, c["regular_files"]), 2)
        c["top"] = top.get(case, {})
    return rss, calls


def main(argv):
    args = parse_args(argv)
    rss, calls = read_measurements(args.measurements)
    summary = {"date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "setup": args.setup,
               "cases": {}}
    if args.real_json and os.path.exists(args.real_json):
        real = json.load(open(args.real_json))
        summary["real_image"] = {k: real[k] for k in ("files", "bytes", "compressed")}
        summary["real_image"]["layers"] = len(real["layers"])
    print()
    print(f"setup: {args.setup}")
    print(f"{'case':18} {'tool':13} {'median s':>9} {'user s':>7} {'sys s':>7} {'boxtool faster':>15}")
    dat = []
    for case in args.cases:
        runs = json.load(open(os.path.join(args.results, case + ".json")))["results"]
        by_tool = {r["command"]: r for r in runs}
        base = by_tool["boxtool"]["median"]
        entry = {}
        for tool in TOOLS:
            r = by_tool.get(tool)
            if not r:
                continue
            ratio = r["median"] / base
            entry[tool] = {"median_s": round(r["median"], 4), "mean_s": round(r["mean"], 4),
                           "stddev_s": round(r["stddev"] or 0, 4), "user_s": round(statistics.median(
                               r["user"] if isinstance(r["user"], list) else [r["user"]]), 3),
                           "system_s": round(statistics.median(
                               r["system"] if isinstance(r["system"], list) else [r["system"]]), 3),
                           "runs": len(r["times"]), "time_vs_boxtool": round(ratio, 3)}
            shown = "" if tool == "boxtool" else f"{ratio:.2f}x"
            print(f"{case:18} {tool:13} {r['median']:9.3f} {entry[tool]['user_s']:7.2f} "
                  f"{entry[tool]['system_s']:7.2f} {shown:>15}")
        summary["cases"][case] = {"tools": entry, "peak_rss_kib": rss.get(case, {})}
        if case in calls:
            summary["cases"][case]["syscalls"] = calls[case]
        dat.append([case] + [f"{entry[t]['time_vs_boxtool']:.3f}" if t in entry else "-" for t in TOOLS])
    print()
    for case in args.cases:
        peaks = ", ".join(f"{tool} {kib / 1024:.1f} MiB" for tool, kib in rss.get(case, {}).items())
        print(f"{case:18} peak RSS: {peaks}")
        if case in calls:
            c = calls[case]
            top = ", ".join(f"{k} {v}" for k, v in c["top"].items())
            print(f"{'':18} system calls: {c['total']} for {c['regular_files']} regular files = "
                  f"{c['per_regular_file']} per file, {c['per_regular_file_without_download_reads']} without "
                  f"the download's recvfrom ({top})")
    with open(os.path.join(args.results, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.results, "compare.dat"), "w") as f:
        f.write("# median time relative to boxtool's (1 = as fast as boxtool); " + args.setup + "\n")
        f.write("case " + " ".join(TOOLS) + "\n")
        for row in dat:
            f.write(" ".join(row) + "\n")
    print(f"\nresults: {args.results}/summary.json, {args.results}/<case>.json, {args.results}/compare.dat")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
