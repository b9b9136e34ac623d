#!/usr/bin/env python3
"""Independent cross-check of the XTCE importer's counts.

For every real XTCE model set, count SequenceContainer, Parameter (inside ParameterSet) and
MetaCommand elements with Python's own XML parser (xml.etree, namespace-agnostic), then run
`groundplane model check --json` on the same files and compare. Exit 1 on any mismatch.

Usage: xtce_counts.py GROUNDPLANE_BIN REAL_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# Model sets: one file, or several files that form one model (imported as a folder).
PUS = "yamcs/examples-pus-mdb/"
# pus20.xml is an upstream draft with undefined references; BogusSAT-1 and BogusSAT-2 carry
# deliberate defects. The Rust tests pin their exact errors; they are not counted here.
PUS_SERVICES = [PUS + f for f in ("pus5.xml", "pus11.xml", "pus17.xml", "pus19.xml", "pus23.xml")]
SETS = [
    ["xtcetools-bogussat/UnitTests.xml"],
    ["xtcetools-bogussat/Diagnostic_Log_Packets.xml"],
    ["lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml"],
    ["lasp-space_packet_parser/jpss/contrived_inheritance_structure.xml"],
    ["lasp-space_packet_parser/idex/idex_combined_science_definition.xml"],
    ["lasp-space_packet_parser/test_xtce.xml"],
    ["lasp-space_packet_parser/test_xtce_default_namespace.xml"],
    ["lasp-space_packet_parser/test_xtce_no_namespace.xml"],
    ["lasp-space_packet_parser/test_xtce_4byte.xml"],
    ["lasp-space_packet_parser/udp_packet.xml"],
    ["yamcs/packet-viewer-xtce.xml"],
    ["yamcs/xtce-tests/ccsds-green-book.xml"],
    ["yamcs/xtce-tests/ref-xtce.xml"],
    ["yamcs/xtce-tests/strings-tm.xml"],
    ["yamcs/xtce-tests/strings-cmd.xml"],
    ["yamcs/xtce-tests/array-tm.xml"],
    ["yamcs/xtce-tests/array-arg.xml"],
    ["yamcs/xtce-tests/array-in-array-arg.xml"],
    ["yamcs/xtce-tests/booleans.xml"],
    ["yamcs/xtce-tests/enum-arg.xml"],
    ["yamcs/xtce-tests/VariableBinary.xml"],
    ["yamcs/xtce-tests/container-entry.xml"],
    ["yamcs/xtce-tests/empty-match-criteria.xml"],
    [PUS + "dt.xml", PUS + "pus.xml", PUS + "landing.xml"] + PUS_SERVICES,
    [PUS + "dt.xml", PUS + "pus-xtce-verif.xml"],
]


def local(tag):
    return tag.rsplit("}", 1)[-1]


def count(path):
    root = ET.parse(path).getroot()
    counts = {"containers": 0, "parameters": 0, "commands": 0}
    for parent in root.iter():
        kind = local(parent.tag)
        for child in parent:
            name = local(child.tag)
            if name == "SequenceContainer" and kind == "ContainerSet":
                counts["containers"] += 1
            elif name == "Parameter" and kind == "ParameterSet":
                counts["parameters"] += 1
            elif name == "MetaCommand" and kind == "MetaCommandSet":
                counts["commands"] += 1
    return counts


def main():
    binary, real_dir = sys.argv[1], sys.argv[2]
    failures = 0
    for model_set in SETS:
        expected = {"containers": 0, "parameters": 0, "commands": 0}
        for rel in model_set:
            for key, value in count(os.path.join(real_dir, rel)).items():
                expected[key] += value
        with tempfile.TemporaryDirectory() as tmp:
            if len(model_set) == 1:
                target = os.path.join(real_dir, model_set[0])
            else:
                for rel in model_set:
                    shutil.copy(os.path.join(real_dir, rel), tmp)
                target = tmp
            run = subprocess.run([binary, "model", "check", "--json", target], capture_output=True, text=True)
        label = " + ".join(os.path.basename(p) for p in model_set)
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            print(f"FAIL {label}: no JSON (exit {run.returncode}): {run.stderr.strip()[:400]}")
            failures += 1
            continue
        errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
        got = {k: (report["summary"] or {}).get(k) for k in expected}
        if run.returncode != 0 or errors or got != expected:
            print(f"FAIL {label}: expected {expected}, importer gave {got}, {len(errors)} error(s)")
            for d in errors[:5]:
                print(f"     {d['file']}:{d['line']}:{d['column']}: {d['element']}: {d['message']}")
            failures += 1
        else:
            print(f"ok   {label}: {got}")
    print(f"xtce_counts: {len(SETS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
