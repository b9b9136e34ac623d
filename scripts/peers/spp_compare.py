#!/usr/bin/env python3
"""Independent cross-check of the telemetry decoder against LASP's space_packet_parser.

For each real capture with its XTCE definition (upstream's own test data), decode every packet
with the PyPI `space_packet_parser` (pinned in setup-venv) and with `groundplane tm decode
--format json`, then compare packet by packet and parameter by parameter:

- the same number of packets, and no invalid unit on our side;
- the same parameter names in the same order, matched by local name (the part after the last
  '/': the peer keys its packets by the bare XTCE name);
- raw values exactly equal: integers as integers, floats bit for bit (IEEE 754 binary64, which
  is what both sides widen a binary32 to), binary data byte for byte;
- calibrated values: enumeration labels and strings equal, numbers equal (floats within 1e-9
  relative). The peer keeps no separate calibrated value for binary parameters (its value is
  the raw bytes) nor for booleans; for those the raw comparison is the whole check, and our
  engineering value is still compared with the peer's value where it is a number or text.
  These XTCE files define no calibrators, so today the calibrated comparison covers the
  enumeration labels (IDEX, SUDA) and the uncalibrated numbers; a calibrated parameter added
  to CAPTURES is compared the same way.

The JPSS capture is decoded twice: with its flight XTCE and with upstream's contrived variant
of it (inheritance restricted by a BooleanExpression), which must give the same values.

Prints one line per capture, the first differences of a failing capture (packet index,
parameter, ours vs theirs) and `spp_compare: N passed, M failed`. Exit 1 on any mismatch.

Usage: spp_compare.py GROUNDPLANE_BIN REAL_DIR   (run with the venv from setup-venv)
"""
import json
import math
import os
import struct
import subprocess
import sys
import warnings

import space_packet_parser as spp
from space_packet_parser.common import BinaryParameter, BoolParameter, FloatParameter

SPP = "lasp-space_packet_parser/"
# (label, XTCE, capture, bytes before each packet, packets expected)
CAPTURES = [
    ("JPSS-1 geolocation", SPP + "jpss/jpss1_geolocation_xtce_v1.xml",
     SPP + "jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1", 0, 7200),
    ("JPSS-1, contrived inheritance", SPP + "jpss/contrived_inheritance_structure.xml",
     SPP + "jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1", 0, 7200),
    ("IMAP IDEX science", SPP + "idex/idex_combined_science_definition.xml",
     SPP + "idex/sciData_2023_052_14_45_05", 0, 78),
    ("SUDA science", SPP + "idex/idex_combined_science_definition.xml",
     SPP + "suda/sciData_2022_130_17_41_53.spl", 4, 13),
]
DIFFS_SHOWN = 8
FLOAT_REL_TOL = 1e-9


def local(name):
    return name.rsplit("/", 1)[-1]


def peer_decode(model_path, capture_path, prefix_len):
    """Packets as lists of (name, value, raw) from space_packet_parser, and its warnings."""
    definition = spp.load_xtce(model_path)
    with open(capture_path, "rb") as f:
        data = f.read()
    packets = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for packet_bytes in spp.ccsds_generator(data, skip_header_bytes=prefix_len):
            packet = definition.parse_bytes(packet_bytes)
            packets.append([(name, value, value.raw_value) for name, value in packet.items()])
    return packets, [str(w.message) for w in caught]


def our_decode(binary, model_path, capture_path, prefix_len):
    """Units from `groundplane tm decode --format json`."""
    command = [binary, "tm", "decode", "--model", model_path, capture_path, "--format", "json"]
    if prefix_len:
        command += ["--prefix-len", str(prefix_len)]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {run.returncode}: {run.stderr.strip()[:400]}")
    return [json.loads(line) for line in run.stdout.splitlines() if line.strip()]


def float_bits(value):
    return struct.pack("<d", value)


def same_raw(ours, theirs):
    """Our raw text against the peer's raw value; exact."""
    if isinstance(theirs, (bytes, bytearray)):
        try:
            return bytes.fromhex(ours) == bytes(theirs)
        except ValueError:
            return False
    if isinstance(theirs, float):
        try:
            return float_bits(float(ours)) == float_bits(theirs)
        except ValueError:
            return False
    if isinstance(theirs, int):
        try:
            return int(ours) == int(theirs)
        except ValueError:
            return False
    return ours == str(theirs)


def close(a, b):
    if a == b or (math.isnan(a) and math.isnan(b)):
        return True
    return abs(a - b) <= FLOAT_REL_TOL * max(abs(a), abs(b))


def same_eng(ours, theirs):
    """Our engineering text against the peer's derived value; None where the peer has none."""
    if isinstance(theirs, (BinaryParameter, BoolParameter)):
        # The peer's value for these is the raw value itself (no calibration step), already
        # compared exactly as raw.
        return None
    if isinstance(theirs, str):
        return ours == str(theirs)
    if isinstance(theirs, FloatParameter) or isinstance(theirs, float):
        try:
            return close(float(ours), float(theirs))
        except ValueError:
            return False
    if isinstance(theirs, int):
        try:
            return int(ours) == int(theirs)
        except ValueError:
            try:
                return close(float(ours), float(theirs))
            except ValueError:
                return False
    return ours == str(theirs)


def show(value, limit=48):
    """A value for a difference line, cut short: binary parameters run to kilobytes."""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).hex()
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def first_difference(ours, theirs):
    """Where two hex strings first differ, for binary values."""
    if not isinstance(theirs, (bytes, bytearray)):
        return ""
    theirs_hex = bytes(theirs).hex()
    at = next((i for i, (a, b) in enumerate(zip(ours, theirs_hex)) if a != b), min(len(ours), len(theirs_hex)))
    return f" (first difference at byte {at // 2}; lengths ours {len(ours) // 2}, theirs {len(theirs)})"


def compare(ours_units, peer_packets):
    """Differences as printable lines, and the number of values compared."""
    diffs = []
    n_values = 0
    invalid = [u for u in ours_units if "invalid" in u]
    for unit in invalid[:DIFFS_SHOWN]:
        diffs.append(f"unit {unit['unit']} at byte {unit['offset']}: ours invalid ({unit['invalid']}), peer decoded it")
    valid = [u for u in ours_units if "invalid" not in u]
    if len(valid) != len(peer_packets):
        diffs.append(f"packet count: ours {len(valid)}, theirs {len(peer_packets)}")
    for packet_idx, (unit, peer) in enumerate(zip(valid, peer_packets)):
        samples = unit["samples"]
        our_names = [local(s["parameter"]) for s in samples]
        peer_names = [name for name, _, _ in peer]
        if our_names != peer_names:
            only_ours = [n for n in our_names if n not in peer_names]
            only_theirs = [n for n in peer_names if n not in our_names]
            diffs.append(
                f"packet {packet_idx} ({unit['container']}): parameter names differ; "
                f"only ours {only_ours[:5]}, only theirs {only_theirs[:5]}"
                + ("" if only_ours or only_theirs else f"; order ours {our_names} theirs {peer_names}")
            )
            continue
        for sample, (name, value, raw) in zip(samples, peer):
            n_values += 1
            if not same_raw(sample["raw"], raw):
                diffs.append(
                    f"packet {packet_idx} {name}: raw ours {show(sample['raw'])}, theirs {show(raw)}"
                    + first_difference(sample["raw"], raw)
                )
            elif same_eng(sample["eng"], value) is False:
                diffs.append(f"packet {packet_idx} {name}: eng ours {show(sample['eng'])}, theirs {show(value)}")
    return diffs, n_values


def main():
    binary, real_dir = sys.argv[1], sys.argv[2]
    failures = 0
    for label, model, capture, prefix_len, expected_packets in CAPTURES:
        model_path, capture_path = os.path.join(real_dir, model), os.path.join(real_dir, capture)
        try:
            peer_packets, peer_warnings = peer_decode(model_path, capture_path, prefix_len)
            ours_units = our_decode(binary, model_path, capture_path, prefix_len)
        except Exception as error:  # a crash on either side is a failed check, never a skip
            print(f"FAIL {label}: {type(error).__name__}: {error}")
            failures += 1
            continue
        diffs, n_values = compare(ours_units, peer_packets)
        if len(peer_packets) != expected_packets:
            diffs.insert(0, f"the peer decoded {len(peer_packets)} packets, upstream documents {expected_packets}")
        if peer_warnings:
            # The peer warns when a packet holds more or fewer bits than its container used.
            diffs.insert(0, f"peer warnings ({len(peer_warnings)}): {peer_warnings[0][:200]}")
        if diffs:
            print(f"FAIL {label}: {len(diffs)} difference(s) over {len(peer_packets)} packets")
            for line in diffs[:DIFFS_SHOWN]:
                print(f"     {line}")
            failures += 1
        else:
            print(f"ok   {label}: {len(peer_packets)} packets, {n_values} values equal (raw and calibrated)")
    print(f"spp_compare: {len(CAPTURES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
