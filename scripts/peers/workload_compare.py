#!/usr/bin/env python3
"""Cross-check our Rust port of the benchmark workload generator against the original.

Runs the shared bench's `gen_packets.py` (numpy) and `groundplane bench tm --write-workload`
for the same packet count and checks the two files are byte-identical, printing both sha256.
Two counts: the 1000 packets the peers' quick runs use, and 66,000, which takes the sequence
count past its 14-bit wrap (16384) and the PUS message type counter past its 16-bit wrap
(65536). Exit 1 on any difference.

Usage: workload_compare.py GROUNDPLANE_BIN [BENCH_DIR]
BENCH_DIR defaults to $GROUNDPLANE_REAL_DIR/../bench (shared/bench beside shared/real).
Run it with the venv from setup-venv: gen_packets.py needs numpy.
"""
import hashlib
import os
import subprocess
import sys
import tempfile

COUNTS = [1000, 66_000]
PACKET_LEN = 148


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def first_difference(path_a, path_b):
    with open(path_a, "rb") as f:
        a = f.read()
    with open(path_b, "rb") as f:
        b = f.read()
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at byte {at} (packet {at // PACKET_LEN}, offset {at % PACKET_LEN}); sizes {len(a)} and {len(b)}"


def bench_dir_from(argv):
    if len(argv) > 2:
        return argv[2]
    real_dir = os.environ.get("GROUNDPLANE_REAL_DIR")
    if not real_dir:
        sys.exit("workload_compare: give BENCH_DIR or set GROUNDPLANE_REAL_DIR")
    return os.path.join(real_dir, os.pardir, "bench")


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[:400]}")


def main():
    binary = sys.argv[1]
    generator = os.path.normpath(os.path.join(bench_dir_from(sys.argv), "gen_packets.py"))
    if not os.path.isfile(generator):
        print(f"FAIL: {generator} not found")
        print("workload_compare: 0 passed, 1 failed")
        return 1
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for count in COUNTS:
            theirs, ours = os.path.join(tmp, f"py_{count}.bin"), os.path.join(tmp, f"rs_{count}.bin")
            try:
                run([sys.executable, generator, "--out", theirs, "--count", str(count)])
                run([binary, "bench", "tm", "--write-workload", ours, "--count", str(count)])
            except RuntimeError as error:
                print(f"FAIL {count} packets: {error}")
                failures += 1
                continue
            sha_theirs, sha_ours = sha256(theirs), sha256(ours)
            if sha_theirs == sha_ours:
                print(f"ok   {count} packets: gen_packets.py sha256 {sha_theirs}, groundplane sha256 {sha_ours}")
            else:
                print(f"FAIL {count} packets: gen_packets.py sha256 {sha_theirs}, groundplane sha256 {sha_ours}")
                print(f"     {first_difference(theirs, ours)}")
                failures += 1
    print(f"workload_compare: {len(COUNTS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
