#!/usr/bin/env python3
"""Speed of the JPSS-1 decode: LASP's space_packet_parser against `groundplane tm decode`.

Not a test (timings are not asserted; scripts/test-all does not run it). Figures for
BENCHMARKS.md. Each figure is the median of REPS timed runs after one untimed warm-up run, so
the capture and the XTCE file are in memory (page cache) throughout.

- space_packet_parser, in process: the capture is read into memory and the XTCE definition
  loaded before timing; timed is `ccsds_generator` splitting the bytes plus `parse_bytes` on
  every packet (raw and derived values in a dict per packet). No output is written.
- space_packet_parser, fresh process: `python -c` that imports the package, loads the XTCE,
  reads the file and decodes every packet; no output. The same scope as ours below, less the
  output, for a like-for-like ratio.
- groundplane, end to end: wall time of `GROUNDPLANE_BIN tm decode --model XTCE CAPTURE
  --format csv > /dev/null`: process start, XTCE import and plan compilation, reading the file,
  decode, calibration and limit checks, and writing one CSV row per sample.

Usage: bench_jpss.py GROUNDPLANE_BIN REAL_DIR [REPS]   (the release binary; the venv's python)
"""
import os
import platform
import statistics
import subprocess
import sys
import time

import space_packet_parser as spp

XTCE = "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml"
CAPTURE = "lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1"
PACKETS = 7200

PEER_PROCESS = """
import sys, space_packet_parser as spp
definition = spp.load_xtce(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    data = f.read()
n = sum(1 for p in spp.ccsds_generator(data) if definition.parse_bytes(p) is not None)
assert n == {packets}, n
""".format(packets=PACKETS)


def median_seconds(reps, action):
    action()  # warm-up: page cache, imports, lazy initialisation
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{model}, {os.cpu_count()} cores, load average {load:.2f}; Python {platform.python_version()}"


def main():
    binary, real_dir = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    xtce, capture = os.path.join(real_dir, XTCE), os.path.join(real_dir, CAPTURE)

    definition = spp.load_xtce(xtce)
    with open(capture, "rb") as f:
        data = f.read()

    def peer_in_process():
        packets = [definition.parse_bytes(p) for p in spp.ccsds_generator(data)]
        assert len(packets) == PACKETS, len(packets)

    def peer_fresh_process():
        subprocess.run([sys.executable, "-c", PEER_PROCESS, xtce, capture], check=True)

    def ours_end_to_end():
        with open(os.devnull, "wb") as devnull:
            subprocess.run(
                [binary, "tm", "decode", "--model", xtce, capture, "--format", "csv"],
                stdout=devnull, stderr=subprocess.DEVNULL, check=True,
            )

    print(f"machine: {machine()}")
    print(f"capture: {CAPTURE} ({len(data)} bytes, {PACKETS} packets); median of {reps}, after one warm-up run")
    rows = [
        ("space_packet_parser, in process (split + parse_bytes; file in memory, XTCE loaded)", peer_in_process),
        ("space_packet_parser, fresh process (start + import + XTCE load + read + decode)", peer_fresh_process),
        ("groundplane tm decode --format csv > /dev/null, end to end", ours_end_to_end),
    ]
    for label, action in rows:
        seconds, times = median_seconds(reps, action)
        runs = ", ".join(f"{t * 1000:.1f}" for t in times)
        print(f"{label}: {seconds * 1000:.1f} ms, {PACKETS / seconds:,.0f} packets/s  (runs ms: {runs})")


if __name__ == "__main__":
    sys.exit(main())
