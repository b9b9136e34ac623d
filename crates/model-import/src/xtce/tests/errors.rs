//! Errors with their exact places, and never a panic on bad files.

use super::*;
use expect_test::expect;

use crate::SourceFile;

#[test]
fn malformed_numbers() {
    let xml = format!(
        r#"<SpaceSystem name="T" xmlns="{NS}">
  <TelemetryMetaData>
    <ParameterTypeSet>
      <IntegerParameterType name="a">
        <IntegerDataEncoding sizeInBits="abc"/>
      </IntegerParameterType>
      <IntegerParameterType name="b"><IntegerDataEncoding sizeInBits="0"/></IntegerParameterType>
      <IntegerParameterType name="c"><IntegerDataEncoding
            sizeInBits="99"/></IntegerParameterType>
      <FloatParameterType name="d"><FloatDataEncoding sizeInBits="24"/></FloatParameterType>
      <EnumeratedParameterType name="e"><EnumerationList><Enumeration value="x" label="X"/></EnumerationList></EnumeratedParameterType>
    </ParameterTypeSet>
  </TelemetryMetaData>
</SpaceSystem>"#
    );
    check_report(
        &[("t.xml", &xml)],
        expect![[r#"
            FAILED
            error: t.xml:5:30: IntegerDataEncoding@sizeInBits: `abc` is not a valid number (i64)
            error: t.xml:7:59: IntegerDataEncoding@sizeInBits: 0 bits is not an integer size (1 to 64)
            error: t.xml:9:13: IntegerDataEncoding@sizeInBits: 99 bits is not an integer size (1 to 64)
            unsupported: t.xml:10:36: FloatDataEncoding: 24-bit Ieee754 floats cannot be decoded; values of this type will be reported invalid
            error: t.xml:11:71: Enumeration@value: `x` is not a valid number (i64)
        "#]],
    );
}

#[test]
fn undefined_references_and_duplicates() {
    let one = format!(
        r#"<SpaceSystem name="T" xmlns="{NS}">
  <TelemetryMetaData>
    <ParameterTypeSet>{U8}</ParameterTypeSet>
    <ParameterSet>
      <Parameter name="p" parameterTypeRef="nope"/>
      <Parameter name="q" parameterTypeRef="u8"/>
      <Parameter name="q" parameterTypeRef="u8"/>
    </ParameterSet>
    <ContainerSet><SequenceContainer name="c"><EntryList><ParameterRefEntry parameterRef="../T/missing"/></EntryList></SequenceContainer></ContainerSet>
  </TelemetryMetaData>
</SpaceSystem>"#
    );
    let two = format!(
        r#"<SpaceSystem name="U" xmlns="{NS}"><TelemetryMetaData>
  <ParameterSet><Parameter name="q" parameterTypeRef="/T/u8"/></ParameterSet></TelemetryMetaData></SpaceSystem>"#
    );
    let again = format!(r#"<SpaceSystem name="U" xmlns="{NS}"/>"#);
    check_report(
        &[("t.xml", &one), ("u.xml", &two), ("v.xml", &again)],
        expect![[r#"
            FAILED
            error: t.xml:5:27: Parameter@parameterTypeRef: parameter type `nope` is not defined (from /T)
            error: t.xml:7:18: Parameter@name: parameter `/T/q` is defined twice: here and at t.xml:6:7
            error: t.xml:9:77: ParameterRefEntry@parameterRef: parameter `../T/missing` is not defined (from /T)
            error: v.xml:1:14: SpaceSystem@name: space system `/U` is defined twice: here and at u.xml:1:1
        "#]],
    );
}

#[test]
fn bad_files() {
    let deep_systems = format!(
        "<SpaceSystem name=\"s\">{}</SpaceSystem>",
        "<SpaceSystem name=\"s\">".repeat(70) + &"</SpaceSystem>".repeat(70)
    );
    let deep_elements = space_system(&"<a>".repeat(200_000), "");
    let deep_bool = space_system(
        &format!(
            r#"<ParameterTypeSet>{U8}</ParameterTypeSet><ParameterSet><Parameter name="a" parameterTypeRef="u8"/></ParameterSet>
<ContainerSet><SequenceContainer name="c"><EntryList/><BaseContainer containerRef="c"><RestrictionCriteria><BooleanExpression>{}<Condition><ParameterInstanceRef parameterRef="a"/><ComparisonOperator>==</ComparisonOperator><Value>1</Value></Condition>{}</BooleanExpression></RestrictionCriteria></BaseContainer></SequenceContainer></ContainerSet>"#,
            "<ANDedConditions>".repeat(70),
            "</ANDedConditions>".repeat(70)
        ),
        "",
    );
    check_report(
        &[
            ("bad.xml", "<SpaceSystem name=\"x\">\n  <TelemetryMetaData>\n</SpaceSystem>"),
            ("latin1.xml", "<SpaceSystem name=\"x\">\n <!-- caf\u{e9} -->"),
            ("seds.xml", "<PackageFile xmlns=\"http://www.ccsds.org/schema/sois/seds\"/>"),
            ("deep.xml", &deep_systems),
            ("bool.xml", &deep_bool),
            ("abyss.xml", &deep_elements),
        ],
        expect![[r#"
            FAILED
            error: abyss.xml:3:379: XML: elements nested deeper than 128 levels
            error: bad.xml:3:1: XML: not well-formed XML: expected 'TelemetryMetaData' tag, not 'SpaceSystem' at 3:1
            error: bool.xml:4:1198: ANDedConditions: boolean expression nested deeper than 64 levels
            error: deep.xml:1:1409: SpaceSystem: space systems nested deeper than 64 levels
            error: latin1.xml:1:1: XML: not well-formed XML: the root node was opened but never closed
            error: seds.xml:1:1: PackageFile: not XTCE: the root element is `PackageFile` in namespace `http://www.ccsds.org/schema/sois/seds` (it looks like CCSDS SEDS), not `SpaceSystem`
        "#]],
    );
    let latin1 = SourceFile::new("latin1.xml", b"<SpaceSystem name=\"x\">\n <!-- caf\xe9 -->".to_vec());
    let report = crate::xtce::import(&[latin1]).err().map(|report| report.to_string()).unwrap_or_default();
    expect![[r#"
        error: latin1.xml:2:10: file: not UTF-8 at byte offset 32
    "#]]
    .assert_eq(&report);
}

#[test]
fn duration_parsing() {
    use crate::xtce::verifiers::parse_duration_ms;
    assert_eq!(parse_duration_ms("PT5S"), Some(5000));
    assert_eq!(parse_duration_ms("PT0.25S"), Some(250));
    assert_eq!(parse_duration_ms("P1DT1H1M1S"), Some(90_061_000));
    assert_eq!(parse_duration_ms("PT"), None);
    assert_eq!(parse_duration_ms("5S"), None);
    assert_eq!(parse_duration_ms("PT5X"), None);
}

#[test]
fn undeclared_arguments() {
    let xml = format!(
        r#"<SpaceSystem name="T" xmlns="{NS}">
  <CommandMetaData>
    <ArgumentTypeSet><IntegerArgumentType name="u8"><IntegerDataEncoding/></IntegerArgumentType></ArgumentTypeSet>
    <MetaCommandSet>
      <MetaCommand name="base" abstract="true"><ArgumentList><Argument name="a" argumentTypeRef="u8"/></ArgumentList></MetaCommand>
      <MetaCommand name="cmd">
        <BaseMetaCommand metaCommandRef="base"><ArgumentAssignmentList>
          <ArgumentAssignment argumentName="a" argumentValue="1"/><ArgumentAssignment argumentName="zzz" argumentValue="2"/>
        </ArgumentAssignmentList></BaseMetaCommand>
        <CommandContainer name="cmd"><EntryList><ArgumentRefEntry argumentRef="a"/><ArgumentRefEntry argumentRef="nope"/></EntryList></CommandContainer>
      </MetaCommand>
    </MetaCommandSet>
  </CommandMetaData>
</SpaceSystem>"#
    );
    check_report(
        &[("t.xml", &xml)],
        expect![[r#"
            FAILED
            error: t.xml:8:87: ArgumentAssignment@argumentName: argument `zzz` is not an argument of /T/base or of a command it extends
            error: t.xml:10:102: ArgumentRefEntry@argumentRef: argument `nope` is not an argument of /T/cmd or of a command it extends
        "#]],
    );
}
