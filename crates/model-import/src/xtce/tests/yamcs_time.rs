//! Yamcs's `TimeBinaryDecoder` read as a native CCSDS CUC time code; other calls stay custom.

use super::*;
use crate::xtce::yamcs_time::{decoder, p_field_octets};
use expect_test::expect;
use model::{Epoch, TimeEncoding};

/// An absolute time type named `name` decoded by a transform algorithm of this text.
fn time_type(name: &str, algorithm: &str) -> String {
    format!(
        r#"<AbsoluteTimeParameterType name="{name}"><Encoding><BinaryDataEncoding>
          <SizeInBits><FixedValue>-1</FixedValue></SizeInBits>
          <FromBinaryTransformAlgorithm name="TimeBinaryDecoder"><AlgorithmText language="java">
            <!-- a comment, as in the Yamcs example -->
            {algorithm}
          </AlgorithmText></FromBinaryTransformAlgorithm>
        </BinaryDataEncoding></Encoding></AbsoluteTimeParameterType>"#
    )
}

#[test]
fn time_binary_decoders_become_cuc_codes() {
    check_types(
        &[
            time_type("yamcs", "org.yamcs.algo.TimeBinaryDecoder({type: CUC, epoch: NONE, tcoService: tco0})"),
            time_type("spaced", "org.yamcs.algo.TimeBinaryDecoder( {\n epoch : 'TAI' ,type:\"cuc\"} ) ;"),
            time_type("implicit", "org.yamcs.algo.TimeBinaryDecoder({implicitPField: 0x2F, epoch: UNIX})"),
            time_type("extended", "org.yamcs.algo.TimeBinaryDecoder({implicitPField: 174, implicitPFieldCont: 0x7C})"),
            time_type("defaults", "org.yamcs.algo.TimeBinaryDecoder()"),
            time_type("cds", "org.yamcs.algo.TimeBinaryDecoder({type: CDS})"),
            time_type("typo", "org.yamcs.algo.TimeBinaryDecoder({type: CUC, implicitPfield: 47})"),
            time_type("no_cont", "org.yamcs.algo.TimeBinaryDecoder({implicitPField: 0xAE})"),
            time_type("other", "org.yamcs.algo.LeadingSizeBinaryDecoder(8)"),
        ]
        .concat(),
        expect![[r#"
            /T/cds: AbsoluteTime { epoch: Tai, time: Scaled { scale: 1.0, offset: 0.0 } } Some(Custom { algorithm: "TimeBinaryDecoder", size_bits: None })
            /T/defaults: AbsoluteTime { epoch: Gps, time: Cuc { coarse_octets: 7, fine_octets: 10, p_field: true } } None
            /T/extended: AbsoluteTime { epoch: Gps, time: Cuc { coarse_octets: 7, fine_octets: 9, p_field: false } } None
            /T/implicit: AbsoluteTime { epoch: Unix, time: Cuc { coarse_octets: 4, fine_octets: 3, p_field: false } } None
            /T/no_cont: AbsoluteTime { epoch: Tai, time: Scaled { scale: 1.0, offset: 0.0 } } Some(Custom { algorithm: "TimeBinaryDecoder", size_bits: None })
            /T/other: AbsoluteTime { epoch: Tai, time: Scaled { scale: 1.0, offset: 0.0 } } Some(Custom { algorithm: "TimeBinaryDecoder", size_bits: None })
            /T/spaced: AbsoluteTime { epoch: Tai, time: Cuc { coarse_octets: 7, fine_octets: 10, p_field: true } } None
            /T/typo: AbsoluteTime { epoch: Tai, time: Scaled { scale: 1.0, offset: 0.0 } } Some(Custom { algorithm: "TimeBinaryDecoder", size_bits: None })
            /T/yamcs: AbsoluteTime { epoch: Mission, time: Cuc { coarse_octets: 7, fine_octets: 10, p_field: true } } None
            unsupported: t.xml:36:11: FromBinaryTransformAlgorithm: transform algorithm `TimeBinaryDecoder` cannot be run by the model (time code type `CDS`: only CUC is read natively); the value is kept undecoded
            unsupported: t.xml:42:11: FromBinaryTransformAlgorithm: transform algorithm `TimeBinaryDecoder` cannot be run by the model (option `implicitPfield` is not one the model reads); the value is kept undecoded
            unsupported: t.xml:48:11: FromBinaryTransformAlgorithm: transform algorithm `TimeBinaryDecoder` cannot be run by the model (P-field 0xae has its extension flag set and no second octet); the value is kept undecoded
            unsupported: t.xml:54:11: FromBinaryTransformAlgorithm: transform algorithm `TimeBinaryDecoder` cannot be run by the model; the value is kept undecoded
        "#]],
    );
}

#[test]
fn a_decoder_on_a_type_that_is_not_an_absolute_time_stays_custom() {
    check_types(
        r#"<BinaryParameterType name="b"><BinaryDataEncoding><SizeInBits><FixedValue>-1</FixedValue></SizeInBits>
          <FromBinaryTransformAlgorithm name="TimeBinaryDecoder"><AlgorithmText language="java">org.yamcs.algo.TimeBinaryDecoder({type: CUC})</AlgorithmText></FromBinaryTransformAlgorithm>
        </BinaryDataEncoding></BinaryParameterType>"#,
        expect![[r#"
            /T/b: Binary { length_range: None } Some(Custom { algorithm: "TimeBinaryDecoder", size_bits: None })
            unsupported: t.xml:4:11: FromBinaryTransformAlgorithm: transform algorithm `TimeBinaryDecoder` cannot be run by the model (it decodes absolute times and this type is not one); the value is kept undecoded
        "#]],
    );
}

#[test]
fn decoder_options() {
    let mission = TimeEncoding::Cuc { coarse_octets: 7, fine_octets: 10, p_field: true };
    let correlated = decoder("org.yamcs.algo.TimeBinaryDecoder({tcoService: x, epoch: TAI})");
    assert_eq!(correlated, Some(Ok((mission.clone(), Epoch::Mission))));
    assert_eq!(decoder("org.yamcs.algo.LeadingSizeBinaryDecoder(8)"), None);
    assert_eq!(decoder("TimeBinaryDecoder({type: CUC})"), None, "Yamcs needs the class's full name");
    let refused = |text: &str| decoder(text).and_then(Result::err);
    expect!["option `x` is given twice"]
        .assert_eq(&refused("org.yamcs.algo.TimeBinaryDecoder({x:1,x:2})").unwrap_or_default());
    expect!["the call does not end with `)`"]
        .assert_eq(&refused("org.yamcs.algo.TimeBinaryDecoder({type:CUC}").unwrap_or_default());
    expect!["implicitPField 256 is not an octet"]
        .assert_eq(&refused("org.yamcs.algo.TimeBinaryDecoder({implicitPField: 256})").unwrap_or_default());
    expect!["implicitPFieldCont without implicitPField"]
        .assert_eq(&refused("org.yamcs.algo.TimeBinaryDecoder({implicitPFieldCont: 1})").unwrap_or_default());
    expect!["epoch `MARS` is not TAI, J2000, UNIX, GPS or NONE"]
        .assert_eq(&refused("org.yamcs.algo.TimeBinaryDecoder({epoch: mars})").unwrap_or_default());
    // -1 is Yamcs's "in the data".
    let in_data = decoder("org.yamcs.algo.TimeBinaryDecoder({implicitPField: -1, epoch: GPS})");
    assert_eq!(in_data, Some(Ok((mission, Epoch::Gps))));
}

#[test]
fn p_fields_state_their_octets() {
    // 0x2E: agency epoch, 4 coarse and 2 fine octets (the Yamcs CucTimeDecoderTest's); 0x2F: 4 + 3.
    assert_eq!(p_field_octets(0x2E, None), Ok((4, 2)));
    assert_eq!(p_field_octets(0x2F, None), Ok((4, 3)));
    assert_eq!(p_field_octets(0x1C, None), Ok((4, 0)));
    // Extension: 2 more coarse (bits 6-5), 5 more fine (bits 4-2).
    assert_eq!(p_field_octets(0xAE, Some(0b0101_0100)), Ok((6, 7)));
    assert!(p_field_octets(0xAE, None).is_err());
    assert!(p_field_octets(0xAE, Some(0x80)).is_err());
}
