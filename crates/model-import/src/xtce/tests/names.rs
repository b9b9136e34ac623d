//! Name resolution, files, namespaces and algorithms.

use super::*;
use expect_test::expect;

use model::MissionModel;
use std::fmt::Write;

#[test]
fn relative_name_resolution() {
    let xml = format!(
        r#"<SpaceSystem name="Sat" xmlns="{NS}">
  <TelemetryMetaData>
    <ParameterTypeSet>{U8}<AggregateParameterType name="agg"><MemberList><Member name="m" typeRef="u8"/></MemberList></AggregateParameterType></ParameterTypeSet>
    <ParameterSet><Parameter name="top" parameterTypeRef="u8"/><Parameter name="rec" parameterTypeRef="agg"/></ParameterSet>
  </TelemetryMetaData>
  <SpaceSystem name="Bus">
    <TelemetryMetaData>
      <ParameterSet><Parameter name="v" parameterTypeRef="u8"/></ParameterSet>
    </TelemetryMetaData>
    <SpaceSystem name="Sub">
      <TelemetryMetaData>
        <ParameterSet><Parameter name="v" parameterTypeRef="../../u8"/></ParameterSet>
        <ContainerSet><SequenceContainer name="pkt"><EntryList>
          <ParameterRefEntry parameterRef="top"/>
          <ParameterRefEntry parameterRef="v"/>
          <ParameterRefEntry parameterRef="../v"/>
          <ParameterRefEntry parameterRef="/Sat/Bus/Sub/v"/>
          <ParameterRefEntry parameterRef="Bus/v"/>
        </EntryList>
        <BaseContainer containerRef="/Sat/Pay/pkt"><RestrictionCriteria><Comparison parameterRef="rec/m" value="1"/></RestrictionCriteria></BaseContainer>
        </SequenceContainer></ContainerSet>
      </TelemetryMetaData>
    </SpaceSystem>
  </SpaceSystem>
  <SpaceSystem name="Pay">
    <TelemetryMetaData><ContainerSet><SequenceContainer name="pkt"><EntryList/></SequenceContainer></ContainerSet></TelemetryMetaData>
  </SpaceSystem>
</SpaceSystem>"#
    );
    check_names(
        &[("t.xml", &xml)],
        expect![[r#"
            model Sat
            space system /Sat
            space system /Sat/Bus
            space system /Sat/Bus/Sub
            space system /Sat/Pay
            parameter /Sat/Bus/Sub/v: /Sat/u8
            parameter /Sat/Bus/v: /Sat/u8
            parameter /Sat/rec: /Sat/agg
            parameter /Sat/top: /Sat/u8
            container /Sat/Bus/Sub/pkt base=Some("/Sat/Pay/pkt") [Parameter("/Sat/top"), Parameter("/Sat/Bus/Sub/v"), Parameter("/Sat/Bus/v"), Parameter("/Sat/Bus/Sub/v"), Parameter("/Sat/Bus/v")]
            container /Sat/Pay/pkt base=None []
        "#]],
    );
}

#[test]
fn references_across_files() {
    let types = format!(
        r#"<SpaceSystem name="dt" xmlns="{NS}"><TelemetryMetaData><ParameterTypeSet>{U8}</ParameterTypeSet></TelemetryMetaData></SpaceSystem>"#
    );
    let mission = format!(
        r#"<SpaceSystem name="M" xmlns="{NS}"><TelemetryMetaData>
        <ParameterTypeSet><IntegerParameterType name="u16" baseType="/dt/u8" sizeInBits="16"/></ParameterTypeSet>
        <ParameterSet><Parameter name="p" parameterTypeRef="/dt/u8"/><Parameter name="q" parameterTypeRef="u16"/></ParameterSet>
        </TelemetryMetaData></SpaceSystem>"#
    );
    check_names(
        &[("dt.xml", &types), ("m.xml", &mission)],
        expect![[r#"
            model M
            space system /M
            space system /dt
            parameter /M/p: /dt/u8
            parameter /M/q: /M/u16
        "#]],
    );
}

#[test]
fn three_namespace_styles() {
    let body = |prefix: &str| {
        format!(
            r#"<{prefix}TelemetryMetaData><{prefix}ParameterTypeSet><{prefix}IntegerParameterType name="u8"><{prefix}IntegerDataEncoding sizeInBits="8"/></{prefix}IntegerParameterType></{prefix}ParameterTypeSet>
            <{prefix}ParameterSet><{prefix}Parameter name="p" parameterTypeRef="u8"/></{prefix}ParameterSet></{prefix}TelemetryMetaData>"#
        )
    };
    let prefixed = format!(
        r#"<xtce:SpaceSystem name="A" xmlns:xtce="http://www.omg.org/space/xtce">{}</xtce:SpaceSystem>"#,
        body("xtce:")
    );
    let default = format!(r#"<SpaceSystem name="B" xmlns="{NS}">{}</SpaceSystem>"#, body(""));
    let none = format!(r#"<SpaceSystem name="C">{}</SpaceSystem>"#, body(""));
    check_names(
        &[("a.xml", &prefixed), ("b.xml", &default), ("c.xml", &none)],
        expect![[r#"
            model A
            space system /A
            space system /B
            space system /C
            parameter /A/p: /A/u8
            parameter /B/p: /B/u8
            parameter /C/p: /C/u8
        "#]],
    );
}

#[test]
fn algorithms_and_unsupported_elements() {
    let xml = space_system(
        &format!(
            r#"<ParameterTypeSet>{U8}</ParameterTypeSet>
        <ParameterSet><Parameter name="a" parameterTypeRef="u8"/><Parameter name="sum" parameterTypeRef="u8"/><Parameter name="j" parameterTypeRef="u8"/><y:Parameter xmlns:y="urn:other" name="k"/></ParameterSet>
        <StreamSet/>
        <AlgorithmSet>
          <MathAlgorithm name="double"><MathOperation outputParameterRef="sum"><ParameterInstanceRefOperand parameterRef="a"/><ValueOperand>2</ValueOperand><Operator>*</Operator>
            <TriggerSet><OnParameterUpdateTrigger parameterRef="a"/></TriggerSet></MathOperation></MathAlgorithm>
          <CustomAlgorithm name="java"><AlgorithmText language="Java">x</AlgorithmText>
            <InputSet><InputParameterInstanceRef parameterRef="a" inputName="in"/></InputSet><OutputSet><OutputParameterRef parameterRef="j"/></OutputSet></CustomAlgorithm>
        </AlgorithmSet>"#
        ),
        "",
    );
    let pick = |model: &MissionModel| {
        let mut out = String::new();
        for (name, algorithm) in &model.algorithms {
            let _ = writeln!(out, "{name} -> {}: {:?}", algorithm.output, algorithm.expression);
        }
        for (name, parameter) in &model.parameters {
            let _ = writeln!(out, "{name} {:?}", parameter.data_source);
        }
        out
    };
    expect![[r#"
        /T/double -> /T/sum: [Parameter(ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }), Value(2.0), Op(Mul)]
        /T/a Telemetered
        /T/j Derived
        /T/sum Derived
        unsupported: t.xml:4:154: Parameter: `Parameter` in namespace `urn:other` is not XTCE; ignored
        unsupported: t.xml:5:9: StreamSet: `StreamSet` in `TelemetryMetaData` is not supported by the model; ignored
        unsupported: t.xml:9:11: CustomAlgorithm: custom algorithm `/T/java` in Java cannot be run by the model; its outputs stay as derived parameters with no computation
    "#]]
    .assert_eq(&render(import(&[("t.xml", &xml)]), pick));
}
