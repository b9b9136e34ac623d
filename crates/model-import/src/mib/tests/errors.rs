//! Unit tests of the MIB importer's report: every error kind with its exact place, and what
//! it lists as unsupported.

use super::{files, CPC, PCF, PRF, PRV, TXF, TXP};
use crate::mib::import;
use crate::{Severity, SourceFile};
use expect_test::{expect, Expect};

/// The report of an import (errors, unsupported, warnings), or `ok` before it when it succeeded.
#[track_caller]
fn check_report(tables: &[(&str, &str)], expect: Expect) {
    let text = match import(&files(tables)) {
        Ok(imported) => format!("ok\n{}", imported.report),
        Err(report) => format!("failed\n{report}"),
    };
    expect.assert_eq(&text);
}

#[test]
fn missing_mandatory_column() {
    check_report(
        &[("pcf.dat", "P1|d|||3\n")],
        expect![[r#"
        failed
        error: pcf.dat:1:6: PCF_PFC: missing mandatory column
        error: pcf.dat:1:10: PCF_CATEG: missing mandatory column
        error: pcf.dat:1:11: PCF_NATUR: missing mandatory column
    "#]],
    );
}

#[test]
fn malformed_numbers() {
    check_report(
        &[("pcf.dat", "P1|d|||x3|4||||N|R\nP2|d|||3|\u{e9}||||N|R\n")],
        expect![[r#"
        failed
        error: pcf.dat:1:5: PCF_PTC: "x3" is not a number
        error: pcf.dat:2:6: PCF_PFC: "é" is not a number (non-ASCII bytes)
    "#]],
    );
}

#[test]
fn non_utf8_number() {
    let files = vec![SourceFile::new("SAT/pcf.dat", b"P1\td\t\t\t3\t\xff\t\t\t\tN\tR\n".to_vec())];
    let report = import(&files).unwrap_err();
    expect![[r#"
        error: pcf.dat:1:6: PCF_PFC: "�" is not a number (non-ASCII bytes)
    "#]]
    .assert_eq(&report.to_string());
}

#[test]
fn unknown_ptc_pfc() {
    check_report(
        &[("pcf.dat", "P1|d|||3|17||||N|R\nP2|d|||12|0||||N|R\nP3|d|||5|0||||N|R\n")],
        expect![[r#"
        failed
        error: pcf.dat:1:6: PCF_PFC: PFC 17 is not valid for PTC 3 (integers take PFC 0..=16)
        error: pcf.dat:2:5: PCF_PTC: PTC 12 is not a SCOS-2000 parameter type code (1..=11, 13)
        error: pcf.dat:3:6: PCF_PFC: PFC 0 is not valid for PTC 5 (reals take PFC 1..=4)
    "#]],
    );
}

#[test]
fn undefined_references() {
    check_report(
        &[
            ("pcf.dat", PCF),
            TXF,
            TXP,
            ("pid.dat", "3|25|100|0|0|5000|hk||-1|10\n"),
            ("pic.dat", "3|25|-1|0|-1|0\n"),
            ("plf.dat", "NOPE|5000|16|0\nSID|9999|16|0\n"),
            ("cur.dat", "TEMP|1|MODE|1|NOCAL\n"),
            ("cpc.dat", CPC),
            PRF,
            PRV,
            ("ccf.dat", "C1|c|||N|PKT|8|1|100\n"),
            ("cdf.dat", "C1|E|x|8|0|0|NOCPC\nC2|E|x|8|0|0|P_N\n"),
            ("cvp.dat", "C1|C|9\n"),
        ],
        expect![[r#"
            failed
            unsupported: ccf.dat:1:6: CCF_PKTID: TC packet header templates (TCP/PCPC/PCDF) are not imported (1 row, first here)
            error: cdf.dat:1:7: CDF_PNAME: no CPC row defines command parameter NOCPC
            error: cdf.dat:2:1: CDF_CNAME: no CCF row defines command C2
            unsupported: cpc.dat:1:5: CPC_DISPFMT: display formats of command parameters are not part of the mission model (5 rows, first here)
            error: cur.dat:1:5: CUR_SELECT: no CAF, MCF or LGF row defines calibration NOCAL
            error: cvp.dat:1:3: CVP_CVSID: no CVS row defines verification stage 9
            error: plf.dat:1:1: PLF_NAME: no PCF row defines parameter NOPE
            error: plf.dat:2:2: PLF_SPID: no PID row defines SPID 9999
        "#]],
    );
}

#[test]
fn duplicate_keys() {
    check_report(
        &[
            ("pcf.dat", "P1|d|||3|4||||N|R\nP1|d|||3|4||||N|R\n"),
            ("ccf.dat", "C1|c|||N|PKT\nC1|c|||N|PKT\n"),
            ("mcf.dat", "M1|a|1\n"),
            ("lgf.dat", "M1|b|1\n"),
        ],
        expect![[r#"
            failed
            unsupported: ccf.dat:1:6: CCF_PKTID: TC packet header templates (TCP/PCPC/PCDF) are not imported (1 row, first here)
            error: ccf.dat:2:1: CCF_CNAME: command C1 is defined twice
            error: lgf.dat:1:1: LGF_IDENT: calibration M1 is already defined in mcf.dat
            error: pcf.dat:2:1: PCF_NAME: parameter P1 is defined twice
        "#]],
    );
}

#[test]
fn unsupported_constructs_are_listed() {
    check_report(
        &[
            ("pcf.dat", "D1|d|||5|1||||N|D\nT1|d|||11|0||||N|R\n"),
            ("ocf.dat", "D1|1|2|U|R\n"),
            ("ocp.dat", "D1|1|E|1|2\nD1|2|C|1\n"),
            ("gpf.dat", "whatever\n"),
            ("xyz.dat", "whatever\n"),
        ],
        expect![[r#"
            ok
            unsupported: gpf.dat:1:1: GPF.DAT: a SCOS-2000 table this importer does not read (the whole table is ignored)
            unsupported: ocp.dat:1:3: OCP_TYPE: event checks are not represented
            unsupported: ocp.dat:2:3: OCP_TYPE: status consistency checks (against the expected status set by commands) are not represented
            unsupported: pcf.dat:1:11: PCF_NATUR: a dynamic OL synthetic parameter: its expression lives outside the MIB tables
            unsupported: pcf.dat:2:5: PCF_PTC: a deduced parameter (PTC 11) takes its type from another parameter's value at run time
            unsupported: xyz.dat:1:1: XYZ.DAT: not a table of the SCOS-2000 MIB ICD (the whole table is ignored)
        "#]],
    );
}

#[test]
fn layout_errors() {
    check_report(
        &[
            ("pcf.dat", PCF),
            TXF,
            TXP,
            ("pid.dat", "3|25|100|0|0|5000|hk||-1|10\n3|26|100|0|0|6000|var||77|10\n"),
            ("pic.dat", "3|25|-1|0|-1|0\n3|26|-1|0|-1|0\n"),
            ("plf.dat", "TEMP|5000|16|0|2|8\nSID|5000|16|9\n"),
            ("vpd.dat", "77|1|SID|0\n77|2|N|3|0\n77|3|TEMP|0\n"),
            ("cpc.dat", CPC),
            PRF,
            PRV,
            ("ccf.dat", "C1|c|||N|PKT|8|1|100\n"),
            ("cdf.dat", "C1|E|x|16|0|0|P_N\nC1|F|y|8|8|0|P_SID|R|300\nC1|E|z|8|16|2|P_N\n"),
        ],
        expect![[r#"
            failed
            unsupported: ccf.dat:1:6: CCF_PKTID: TC packet header templates (TCP/PCPC/PCDF) are not imported (1 row, first here)
            error: cdf.dat:1:4: CDF_ELLEN: 16 bits, but its parameter's format has 8 bits
            error: cdf.dat:2:9: CDF_VALUE: 300 does not fit in 8 bits
            error: cdf.dat:3:6: CDF_GRPSIZE: the group of 2 elements runs past the command's last element
            unsupported: cpc.dat:1:5: CPC_DISPFMT: display formats of command parameters are not part of the mission model (5 rows, first here)
            error: plf.dat:1:6: PLF_LGOCC: occurrences 8 bits apart overlap (the parameter has 16 bits)
            error: plf.dat:2:4: PLF_OFFBI: bit offset 9 is not 0..=7
            error: vpd.dat:2:4: VPD_GRPSIZE: the group of 3 rows runs past the last row of its TPSD
        "#]],
    );
}

#[test]
fn calibration_errors() {
    check_report(
        &[
            ("pcf.dat", "T1|t|||3|12||||N|R|CAF1\nT2|t|||8|4||||T|R|TX1\nS1|s|||2|8||||S|R|TX1\n"),
            ("caf.dat", "CAF1|c|R|U|D||3\n"),
            ("cap.dat", "CAF1|0|0\nCAF1|0|1\nCAF1|10|5\nCAF2|1|1\n"),
            ("txf.dat", "TX1|t|U|2\n"),
            ("txp.dat", "TX1|0|5|LOW\nTX1|3|9|HIGH\nTX1|12|10|BAD\n"),
            ("ocf.dat", "S1|1|1|U|A\n"),
            ("ocp.dat", "S1|1|S|MAYBE\n"),
        ],
        expect![[r#"
            failed
            warning: caf.dat:1:7: CAF_NCURVE: says 3 points but cap.dat has 2
            error: cap.dat:2:2: CAP_XVALS: raw value 0 appears twice in calibration CAF1
            error: cap.dat:4:1: CAP_NUMBR: no CAF row defines calibration CAF2
            error: ocp.dat:1:4: OCP_LVALU: "MAYBE" is not a label of the parameter's textual calibration
            error: pcf.dat:2:12: PCF_CURTX: only integer and real parameters can be calibrated
            warning: txf.dat:1:4: TXF_NALIAS: says 2 values but txp.dat has 1
            error: txp.dat:2:2: TXP_FROM: range 3..9 overlaps another range of TX1
            error: txp.dat:3:3: TXP_TO: range 12..10 is empty
        "#]],
    );
}

#[test]
fn never_panics_on_odd_input() {
    for bytes in [&b""[..], b"\t\t\t", b"\n\n", b"/\t/\t/", b"..\t..\t1\t1\t1\t1", b"\xff\xfe\t\x00"] {
        for table in crate::mib::IMPORTED {
            let files = vec![SourceFile::new(format!("SAT/{table}.dat"), bytes.to_vec())];
            if let Err(report) = import(&files) {
                assert!(report.of(Severity::Error).all(|d| d.place.line >= 1), "{report}");
            }
        }
    }
}

#[test]
fn numbers_out_of_range() {
    check_report(
        &[("pid.dat", "3|300|100|0|0|5000|hk||-1|10\n3|25|-4|0|0|5001|hk||-1|1.5\n"), ("pic.dat", "3|25|-1|0|-1|0\n")],
        expect![[r#"
            failed
            error: pid.dat:1:2: PID_STYPE: "300" is out of range for this column
            error: pid.dat:2:3: PID_APID: "-4" is out of range for this column
            error: pid.dat:2:10: PID_DFHSIZE: "1.5" is not a number
        "#]],
    );
}
