//! Containers, entries, criteria, commands and verifiers.

use super::*;
use expect_test::expect;

#[test]
fn restriction_criteria() {
    check_containers(
        &with_params(
            r#"
        <SequenceContainer name="root" abstract="true"><EntryList><ParameterRefEntry parameterRef="a"/><ParameterRefEntry parameterRef="b"/></EntryList></SequenceContainer>
        <SequenceContainer name="one"><EntryList/><BaseContainer containerRef="root"><RestrictionCriteria>
          <Comparison parameterRef="a" value="1" comparisonOperator="&gt;="/></RestrictionCriteria></BaseContainer></SequenceContainer>
        <SequenceContainer name="list"><EntryList/><BaseContainer containerRef="root"><RestrictionCriteria>
          <ComparisonList><Comparison parameterRef="a" value="2"/><Comparison parameterRef="b" value="3" useCalibratedValue="false"/></ComparisonList>
        </RestrictionCriteria></BaseContainer></SequenceContainer>
        <SequenceContainer name="bool"><EntryList/><BaseContainer containerRef="root"><RestrictionCriteria><BooleanExpression>
          <ORedConditions>
            <Condition><ParameterInstanceRef parameterRef="a"/><ComparisonOperator>!=</ComparisonOperator><Value>4</Value></Condition>
            <ANDedConditions>
              <Condition><ParameterInstanceRef parameterRef="a"/><ComparisonOperator>&lt;</ComparisonOperator><ParameterInstanceRef parameterRef="b"/></Condition>
              <Condition><ParameterInstanceRef parameterRef="b"/><ComparisonOperator>==</ComparisonOperator><Value>5</Value></Condition>
            </ANDedConditions>
          </ORedConditions></BooleanExpression></RestrictionCriteria></BaseContainer></SequenceContainer>
        <SequenceContainer name="next"><EntryList/><BaseContainer containerRef="root"><RestrictionCriteria>
          <Comparison parameterRef="a" value="6"/><NextContainer containerRef="root"/></RestrictionCriteria></BaseContainer></SequenceContainer>"#,
        ),
        expect![[r#"
            /T/bool base=Some("/T/root") size=None
              restriction Any([Compare(Comparison { left: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, op: Ne, right: Value("4") }), All([Compare(Comparison { left: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, op: Lt, right: Parameter(ParamRef { parameter: "/T/b", use_calibrated: true, instance: 0, member_path: None }) }), Compare(Comparison { left: ParamRef { parameter: "/T/b", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("5") })])])
            /T/list base=Some("/T/root") size=None
              restriction All([Compare(Comparison { left: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("2") }), Compare(Comparison { left: ParamRef { parameter: "/T/b", use_calibrated: false, instance: 0, member_path: None }, op: Eq, right: Value("3") })])
            /T/next base=Some("/T/root") size=None
              restriction Compare(Comparison { left: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("6") })
            /T/one base=Some("/T/root") size=None
              restriction Compare(Comparison { left: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, op: Ge, right: Value("1") })
            /T/root abstract base=None size=None
              Parameter("/T/a") at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
              Parameter("/T/b") at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
            unsupported: t.xml:21:51: NextContainer: NextContainer (stream-level container chaining) is not supported by the model; ignored
        "#]],
    );
}

#[test]
fn entries_locations_repeats_and_include_conditions() {
    check_containers(
        &with_params(
            r#"
        <SequenceContainer name="inner"><EntryList><ParameterRefEntry parameterRef="c"/></EntryList></SequenceContainer>
        <SequenceContainer name="outer">
          <BinaryEncoding><SizeInBits><FixedValue>128</FixedValue></SizeInBits></BinaryEncoding>
          <DefaultRateInStream minimumValue="0.5"/>
          <EntryList>
            <ParameterRefEntry parameterRef="a"><LocationInContainerInBits referenceLocation="containerStart"><FixedValue>8</FixedValue></LocationInContainerInBits></ParameterRefEntry>
            <FixedValueEntry name="sync" sizeInBits="16" binaryValue="1ACF"/>
            <ParameterRefEntry parameterRef="b"><RepeatEntry><Count><DynamicValue><ParameterInstanceRef parameterRef="a"/></DynamicValue></Count><Offset><FixedValue>4</FixedValue></Offset></RepeatEntry></ParameterRefEntry>
            <ContainerRefEntry containerRef="inner"><IncludeCondition><Comparison parameterRef="a" value="1"/></IncludeCondition></ContainerRefEntry>
            <ArrayParameterRefEntry parameterRef="c"><RepeatEntry><Count><FixedValue>2</FixedValue></Count></RepeatEntry></ArrayParameterRefEntry>
            <ParameterRefEntry parameterRef="c"><LocationInContainerInBits referenceLocation="containerEnd"><FixedValue>8</FixedValue></LocationInContainerInBits></ParameterRefEntry>
            <StreamSegmentEntry streamRef="s" sizeInBits="8"/>
          </EntryList>
        </SequenceContainer>"#,
        ),
        expect![[r#"
            /T/inner base=None size=None
              Parameter("/T/c") at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
            /T/outer base=None size=Some(128)
              Parameter("/T/a") at EntryLocation { reference: ContainerStart, offset_bits: 8 }
              Fixed { size_bits: 16, value: Some([26, 207]) } at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
              Parameter("/T/b") at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
                repeat Repeat { count: Dynamic { parameter: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, slope: 1, intercept: 0 }, offset_bits: 4 }
              Container("/T/inner") at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
                if Compare(Comparison { left: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("1") })
              ArrayParameter("/T/c") at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
                repeat Repeat { count: Fixed(2), offset_bits: 0 }
              Parameter("/T/c") at EntryLocation { reference: ContainerEnd, offset_bits: 8 }
            unsupported: t.xml:17:13: StreamSegmentEntry: `StreamSegmentEntry` entries are not supported by the model; the entry is dropped
        "#]],
    );
}

#[test]
fn command_inheritance_assignments_and_entries() {
    check_commands(
        &with_params(
            r#"<SequenceContainer name="hdr"><EntryList><ParameterRefEntry parameterRef="a"/></EntryList></SequenceContainer>"#,
        ),
        r#"<ArgumentTypeSet><IntegerArgumentType name="u8a" signed="false"><IntegerDataEncoding sizeInBits="8"/></IntegerArgumentType></ArgumentTypeSet>
        <MetaCommandSet>
          <MetaCommand name="base" abstract="true">
            <ArgumentList><Argument name="apid" argumentTypeRef="u8a"/><Argument name="x" argumentTypeRef="u8a" initialValue="7"/></ArgumentList>
            <CommandContainer name="base_cc"><EntryList><ArgumentRefEntry argumentRef="apid"/><ParameterRefEntry parameterRef="b"/></EntryList>
              <BaseContainer containerRef="hdr"/></CommandContainer>
          </MetaCommand>
          <MetaCommand name="child">
            <BaseMetaCommand metaCommandRef="base"><ArgumentAssignmentList><ArgumentAssignment argumentName="apid" argumentValue="100"/></ArgumentAssignmentList></BaseMetaCommand>
            <CommandContainer name="child_cc"><EntryList><FixedValueEntry sizeInBits="12" binaryValue="abc"/><ArgumentRefEntry argumentRef="x"/></EntryList>
              <BaseContainer containerRef="base_cc"/></CommandContainer>
            <DefaultSignificance consequenceLevel="critical" reasonForWarning="fires the thruster"/>
            <TransmissionConstraintList><TransmissionConstraint timeOut="PT1.5S"><Comparison parameterRef="c" value="0"/></TransmissionConstraint></TransmissionConstraintList>
          </MetaCommand>
          <MetaCommand name="implied"><CommandContainer name="implied_cc"><EntryList/><BaseContainer containerRef="base_cc"/></CommandContainer></MetaCommand>
        </MetaCommandSet>"#,
        expect![[r#"
            /T/base abstract
              arg apid /T/u8a init=None
              arg x /T/u8a init=Some("7")
              entry Container("/T/hdr")
              entry Argument("apid")
              entry Parameter("/T/b")
            /T/child
              base /T/base [ArgumentAssignment { argument: "apid", value: "100" }]
              entry Fixed { size_bits: 12, value: [10, 188] }
              entry Argument("x")
              significance Significance { level: Critical, reason: Some("fires the thruster") }
              constraint TransmissionConstraint { criteria: Compare(Comparison { left: ParamRef { parameter: "/T/c", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("0") }), timeout_ms: 1500, suspendable: false }
            /T/implied
              base /T/base []
        "#]],
    );
}

#[test]
fn verifiers() {
    check_commands(
        &with_params(
            r#"<SequenceContainer name="ack"><EntryList><ParameterRefEntry parameterRef="a"/></EntryList></SequenceContainer>"#,
        ),
        r#"<MetaCommandSet><MetaCommand name="cmd">
          <VerifierSet>
            <TransferredToRangeVerifier><ContainerRef containerRef="ack"/><CheckWindow timeToStopChecking="PT1S"/></TransferredToRangeVerifier>
            <AcceptedVerifier><ComparisonList><Comparison parameterRef="a" value="1"/></ComparisonList>
              <CheckWindow timeToStartChecking="PT0.5S" timeToStopChecking="PT1M" timeWindowIsRelativeTo="timeLastVerifierPassed"/></AcceptedVerifier>
            <ExecutionVerifier><BooleanExpression><Condition><ParameterInstanceRef parameterRef="b"/><ComparisonOperator>==</ComparisonOperator><Value>2</Value></Condition></BooleanExpression>
              <CheckWindow timeToStopChecking="PT2S"/></ExecutionVerifier>
            <CompleteVerifier><ParameterValueChange><ParameterRef parameterRef="c"/><Change value="5"/></ParameterValueChange><CheckWindow timeToStopChecking="PT10S"/></CompleteVerifier>
            <FailedVerifier><CustomAlgorithm name="java_check"><AlgorithmText language="java">x</AlgorithmText></CustomAlgorithm><CheckWindow timeToStopChecking="PT10S"/></FailedVerifier>
            <QueuedVerifier><Comparison parameterRef="/yamcs/cmd/arg/apid" value="1"/><CheckWindow timeToStopChecking="PT1S"/></QueuedVerifier>
          </VerifierSet>
        </MetaCommand></MetaCommandSet>"#,
        expect![[r#"
            /T/cmd
              verifier TransferredToRange Container { container: "/T/ack", criteria: None } CheckWindow { start_ms: 0, stop_ms: 1000, anchor: CommandRelease }
              verifier Accepted Criteria(All([Compare(Comparison { left: ParamRef { parameter: "/T/a", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("1") })])) CheckWindow { start_ms: 500, stop_ms: 60000, anchor: LastVerifier }
              verifier Execution Criteria(Compare(Comparison { left: ParamRef { parameter: "/T/b", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("2") })) CheckWindow { start_ms: 0, stop_ms: 2000, anchor: CommandRelease }
              verifier Complete ParameterChange { parameter: "/T/c", delta: 5.0 } CheckWindow { start_ms: 0, stop_ms: 10000, anchor: CommandRelease }
              verifier Failed Algorithm { name: "java_check" } CheckWindow { start_ms: 0, stop_ms: 10000, anchor: CommandRelease }
            unsupported: t.xml:16:29: CustomAlgorithm: verifier algorithm `java_check` cannot be run by the model; the verifier is kept as an algorithm check that never passes on its own
            unsupported: t.xml:17:29: Comparison: `/yamcs/cmd/arg/apid` is a Yamcs system parameter (command argument or history), which the model cannot refer to; the construct using it is dropped
        "#]],
    );
}

#[test]
fn member_paths_and_unknown_elements() {
    check_containers(
        &format!(
            r#"<ParameterTypeSet>{U8}<AggregateParameterType name="agg"><MemberList><Member name="m" typeRef="u8"/></MemberList></AggregateParameterType>
          <IntegerParameterType name="odd"><IntegerDataEncoding sizeInBits="8"/><Frobnicate/></IntegerParameterType></ParameterTypeSet>
        <ParameterSet><Parameter name="rec" parameterTypeRef="agg"/><Parameter name="a" parameterTypeRef="odd"/></ParameterSet>
        <ContainerSet><SequenceContainer name="c"><EntryList><ParameterRefEntry parameterRef="rec"/></EntryList></SequenceContainer>
          <SequenceContainer name="d"><EntryList/><BaseContainer containerRef="c"><RestrictionCriteria><ComparisonList>
            <Comparison parameterRef="rec/m" value="1"/><Comparison parameterRef="rec.m" value="2"/></ComparisonList></RestrictionCriteria></BaseContainer>
          </SequenceContainer></ContainerSet>"#
        ),
        expect![[r#"
            /T/c base=None size=None
              Parameter("/T/rec") at EntryLocation { reference: PreviousEntry, offset_bits: 0 }
            /T/d base=Some("/T/c") size=None
              restriction All([Compare(Comparison { left: ParamRef { parameter: "/T/rec", use_calibrated: true, instance: 0, member_path: Some("m") }, op: Eq, right: Value("1") }), Compare(Comparison { left: ParamRef { parameter: "/T/rec", use_calibrated: true, instance: 0, member_path: Some("m") }, op: Eq, right: Value("2") })])
            unsupported: t.xml:4:81: Frobnicate: `Frobnicate` in `IntegerParameterType` is not supported by the model; ignored
        "#]],
    );
}
