#!/usr/bin/env python3
"""Cross-check of our PUS-C telecommands against the PyPI `spacepackets` package (pinned in
setup-venv, 0.32.0), a peer no one here wrote.

Two fixtures in crates/tc/test_data/, one line per telecommand:

    apid seq service subtype source_id ack_flags app_data_hex packet_hex

(`-` for empty application data; lines starting with `#` are comments.)

- pus_tc_peer.txt: the packets the peer builds for TABLE. The Rust test `pus_peer` in
  crates/tc/tests/it encodes the same table and compares byte for byte, and parses the peer's
  packets.
- pus_tc_ours.txt: the packets our `tc::pus::pus_tc` builds for TABLE, written and asserted by
  the same Rust test (`UPDATE_EXPECT=1 cargo test -p tc --test it` rewrites it).

Usage (run with the venv from scripts/peers/setup-venv):

    .venv/bin/python scripts/peers/tc_compare.py > crates/tc/test_data/pus_tc_peer.txt
        regenerates the peer fixture;
    .venv/bin/python scripts/peers/tc_compare.py --check crates/tc/test_data/pus_tc_peer.txt
        regenerates it in memory and diffs it with the file, then decodes every packet of
        pus_tc_ours.txt (beside it) with the peer: fields equal to the line's, CRC valid.
        Exit 1 on any difference.
"""
import os
import sys

from spacepackets.ecss.tc import PusTc

# (apid, seq, service, subtype, source_id, ack_flags, app_data): the sat-rs capture's four TCs,
# then edge values (APID and sequence count maxima, ack flag patterns, long application data).
TABLE = [
    (2, 1, 17, 1, 0, 0xF, b""),
    (2, 2, 17, 128, 0, 0xF, b""),
    (3, 3, 3, 27, 0, 0xF, bytes.fromhex("0000000300000000")),
    (2, 4, 99, 1, 0, 0xF, b""),
    (0x7FF, 0x3FFF, 255, 255, 0xFFFF, 0x0, b"\xff"),
    (0, 0, 0, 0, 0, 0x9, b""),
    (1, 42, 11, 4, 0x1234, 0x1, bytes(range(256))),
    (1235, 7, 3, 20, 0, 0x9, bytes.fromhex("044f000200000001000000020000")),
]

HEADER = """\
# PUS-C telecommands built by Python spacepackets 0.32.0 for scripts/peers/tc_compare.py's TABLE.
# Regenerate: .venv/bin/python scripts/peers/tc_compare.py > crates/tc/test_data/pus_tc_peer.txt
# apid seq service subtype source_id ack_flags app_data_hex packet_hex
"""


def line(apid, seq, service, subtype, source_id, ack_flags, app_data, packet):
    data = app_data.hex() or "-"
    return f"{apid} {seq} {service} {subtype} {source_id} {ack_flags} {data} {packet.hex()}"


def peer_lines():
    out = []
    for apid, seq, service, subtype, source_id, ack_flags, app_data in TABLE:
        tc = PusTc(service=service, message_subtype=subtype, apid=apid, seq_count=seq, source_id=source_id,
                   ack_flags=ack_flags, app_data=app_data)
        out.append(line(apid, seq, service, subtype, source_id, ack_flags, app_data, tc.pack()))
    return out


def parse(path):
    rows = []
    with open(path) as f:
        for number, text in enumerate(f, 1):
            if text.startswith("#") or not text.strip():
                continue
            fields = text.split()
            nums = [int(v) for v in fields[:6]]
            data = b"" if fields[6] == "-" else bytes.fromhex(fields[6])
            rows.append((number, nums, data, bytes.fromhex(fields[7])))
    return rows


def check(peer_path):
    failures = 0
    with open(peer_path) as f:
        committed = [t.rstrip("\n") for t in f if not t.startswith("#") and t.strip()]
    fresh = peer_lines()
    if committed != fresh:
        failures += 1
        print(f"tc_compare: {peer_path} differs from what spacepackets builds now:")
        for old, new in zip(committed, fresh):
            if old != new:
                print(f"  file: {old}\n  peer: {new}")
        if len(committed) != len(fresh):
            print(f"  {len(committed)} lines in the file, {len(fresh)} from the peer")
    ours_path = os.path.join(os.path.dirname(peer_path), "pus_tc_ours.txt")
    ours = parse(ours_path)
    if not ours:
        failures += 1
        print(f"tc_compare: {ours_path} holds no telecommand")
    for number, (apid, seq, service, subtype, source_id, ack_flags), data, packet in ours:
        try:
            tc = PusTc.unpack(packet)  # raises InvalidTcCrc16Error on a bad CRC
        except Exception as err:  # the peer's refusal is the finding
            failures += 1
            print(f"tc_compare: {ours_path}:{number}: the peer refuses our packet: {err}")
            continue
        got = (tc.apid, tc.seq_count, tc.service, tc.message_subtype, tc.source_id,
               tc.pus_tc_sec_header.ack_flags, bytes(tc.app_data))
        want = (apid, seq, service, subtype, source_id, ack_flags, data)
        if got != want or tc.pack() != packet:
            failures += 1
            print(f"tc_compare: {ours_path}:{number}: peer reads {got}, the line says {want}")
    status = "failed" if failures else "passed"
    print(f"tc_compare: {len(fresh)} peer packets, {len(ours)} of ours checked: {status}")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(HEADER)
    for text in peer_lines():
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
