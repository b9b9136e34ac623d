//! Parameter and argument types, encodings, calibrators and alarms.

use super::*;
use expect_test::expect;

#[test]
fn integer_and_float_types() {
    check_types(
        r#"
        <IntegerParameterType name="i12" sizeInBits="16">
          <UnitSet><Unit>V</Unit></UnitSet>
          <IntegerDataEncoding sizeInBits="12" encoding="twosComplement" byteOrder="leastSignificantByteFirst"/>
          <ValidRange minInclusive="-100" maxExclusive="100"/>
        </IntegerParameterType>
        <IntegerParameterType name="sm" signed="true"><IntegerDataEncoding sizeInBits="16" encoding="signMagnitude"/></IntegerParameterType>
        <IntegerParameterType name="oc" signed="true"><IntegerDataEncoding sizeInBits="16" encoding="onesComplement"/></IntegerParameterType>
        <FloatParameterType name="f32" sizeInBits="32"><FloatDataEncoding sizeInBits="32"/></FloatParameterType>
        <FloatParameterType name="mil"><FloatDataEncoding sizeInBits="48" encoding="MILSTD_1750A"/></FloatParameterType>
        <IntegerParameterType name="as_string">
          <StringDataEncoding><SizeInBits><Fixed><FixedValue>32</FixedValue></Fixed></SizeInBits></StringDataEncoding>
        </IntegerParameterType>"#,
        expect![[r#"
            /T/as_string: Integer { signed: true, size_bits: 32, valid_range: None } Some(String { size: Fixed { size_bits: 32 }, charset: "UTF-8" })
            /T/f32: Float { size_bits: 32, valid_range: None } Some(Float { size_bits: 32, format: Ieee754, byte_order: BigEndian })
            /T/i12: Integer { signed: true, size_bits: 16, valid_range: Some(Range { min: Some(-100.0), max: Some(100.0), min_inclusive: true, max_inclusive: false, calibrated: true }) } Some(Integer { size_bits: 12, sign: TwosComplement, byte_order: LittleEndian })
              unit V
            /T/mil: Float { size_bits: 64, valid_range: None } Some(Float { size_bits: 48, format: MilStd1750a, byte_order: BigEndian })
            /T/oc: Integer { signed: true, size_bits: 32, valid_range: None } Some(Integer { size_bits: 16, sign: OnesComplement, byte_order: BigEndian })
            /T/sm: Integer { signed: true, size_bits: 32, valid_range: None } Some(Integer { size_bits: 16, sign: SignMagnitude, byte_order: BigEndian })
        "#]],
    );
}

#[test]
fn byte_order_lists() {
    check_types(
        r#"
        <IntegerParameterType name="w2143" signed="false"><IntegerDataEncoding sizeInBits="32">
          <ByteOrderList><Byte byteSignificance="2"/><Byte byteSignificance="3"/><Byte byteSignificance="0"/><Byte byteSignificance="1"/></ByteOrderList>
        </IntegerDataEncoding></IntegerParameterType>
        <IntegerParameterType name="little" signed="false"><IntegerDataEncoding sizeInBits="16">
          <ByteOrderList><Byte byteSignificance="0"/><Byte byteSignificance="1"/></ByteOrderList>
        </IntegerDataEncoding></IntegerParameterType>
        <IntegerParameterType name="bad" signed="false"><IntegerDataEncoding sizeInBits="16">
          <ByteOrderList><Byte byteSignificance="0"/><Byte byteSignificance="0"/></ByteOrderList>
        </IntegerDataEncoding></IntegerParameterType>"#,
        expect![[r#"
            FAILED
            error: t.xml:11:11: ByteOrderList: byte significances are not a permutation of 0..n
        "#]],
    );
    check_types(
        r#"<FloatParameterType name="f"><FloatDataEncoding sizeInBits="32">
          <ByteOrderList><Byte byteSignificance="2"/><Byte byteSignificance="3"/><Byte byteSignificance="0"/><Byte byteSignificance="1"/></ByteOrderList>
        </FloatDataEncoding></FloatParameterType>"#,
        expect![[r#"
            /T/f: Float { size_bits: 64, valid_range: None } Some(Float { size_bits: 32, format: Ieee754, byte_order: Custom { significance: [2, 3, 0, 1] } })
        "#]],
    );
}

#[test]
fn boolean_enumerated_string_binary_types() {
    check_types(
        &format!(
            r#"
        <BooleanParameterType name="b" oneStringValue="ON" zeroStringValue="OFF"><IntegerDataEncoding sizeInBits="1"/></BooleanParameterType>
        <EnumeratedParameterType name="e"><IntegerDataEncoding sizeInBits="8"/>
          <EnumerationList><Enumeration value="0" label="OFF"/><Enumeration value="1" maxValue="9" label="LOW" shortDescription="1 to 9"/></EnumerationList>
        </EnumeratedParameterType>
        <StringParameterType name="term"><StringDataEncoding encoding="US-ASCII">
          <Variable maxSizeInBits="64"><TerminationChar>00</TerminationChar></Variable></StringDataEncoding></StringParameterType>
        <StringParameterType name="lead"><StringDataEncoding>
          <SizeInBits><LeadingSize sizeInBitsOfSizeTag="8"/></SizeInBits></StringDataEncoding></StringParameterType>
        <StringParameterType name="dyn"><StringDataEncoding><Variable maxSizeInBits="800"><DynamicValue>
          <ParameterInstanceRef parameterRef="len"/><LinearAdjustment slope="8"/></DynamicValue></Variable></StringDataEncoding></StringParameterType>
        <BinaryParameterType name="bin"><BinaryDataEncoding><SizeInBits><FixedValue>16</FixedValue></SizeInBits></BinaryDataEncoding></BinaryParameterType>
        <BinaryParameterType name="bindyn"><BinaryDataEncoding><SizeInBits><DynamicValue>
          <ParameterInstanceRef parameterRef="len" useCalibratedValue="false"/><LinearAdjustment intercept="-64" slope="8"/></DynamicValue></SizeInBits></BinaryDataEncoding></BinaryParameterType>
        <BinaryParameterType name="binlead"><BinaryDataEncoding><SizeInBits><LeadingSize sizeInBitsOfSizeTag="16"/></SizeInBits></BinaryDataEncoding></BinaryParameterType>
        {U8}</ParameterTypeSet><ParameterSet><Parameter name="len" parameterTypeRef="u8"/></ParameterSet><ParameterTypeSet>"#
        ),
        expect![[r#"
            /T/b: Boolean { one: "ON", zero: "OFF" } Some(Integer { size_bits: 1, sign: Unsigned, byte_order: BigEndian })
            /T/bin: Binary { length_range: None } Some(Binary { size: Fixed { size_bits: 16 } })
            /T/bindyn: Binary { length_range: None } Some(Binary { size: Dynamic { size_bits: Dynamic { parameter: ParamRef { parameter: "/T/len", use_calibrated: false, instance: 0, member_path: None }, slope: 8, intercept: -64 }, max_bits: None } })
            /T/binlead: Binary { length_range: None } Some(Binary { size: LeadingSize { length_bits: 16, max_bits: None } })
            /T/dyn: String { length_range: None } Some(String { size: Dynamic { size_bits: Dynamic { parameter: ParamRef { parameter: "/T/len", use_calibrated: true, instance: 0, member_path: None }, slope: 8, intercept: 0 }, max_bits: Some(800) }, charset: "UTF-8" })
            /T/e: Enumerated { values: [EnumValue { value: 0, max: None, label: "OFF", description: None }, EnumValue { value: 1, max: Some(9), label: "LOW", description: Some("1 to 9") }] } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
            /T/lead: String { length_range: None } Some(String { size: LeadingSize { length_bits: 8, max_bits: None }, charset: "UTF-8" })
            /T/term: String { length_range: None } Some(String { size: Terminated { terminator: [0], max_bits: Some(64) }, charset: "US-ASCII" })
            /T/u8: Integer { signed: false, size_bits: 32, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
        "#]],
    );
}

#[test]
fn time_array_aggregate_types() {
    check_types(
        &format!(
            r#"{U8}
        <AbsoluteTimeParameterType name="tai"><Encoding scale="0.001" offset="1"><IntegerDataEncoding sizeInBits="32"/></Encoding>
          <ReferenceTime><Epoch>TAI</Epoch></ReferenceTime></AbsoluteTimeParameterType>
        <AbsoluteTimeParameterType name="date"><Encoding units="seconds"><FloatDataEncoding sizeInBits="64"/></Encoding>
          <ReferenceTime><Epoch>1970-01-01T00:00:00Z</Epoch></ReferenceTime></AbsoluteTimeParameterType>
        <AbsoluteTimeParameterType name="rel_to"><ReferenceTime><OffsetFrom parameterRef="p"/></ReferenceTime></AbsoluteTimeParameterType>
        <RelativeTimeParameterType name="dt"><Encoding scale="2"><IntegerDataEncoding sizeInBits="16"/></Encoding></RelativeTimeParameterType>
        <ArrayParameterType name="arr" arrayTypeRef="u8"><DimensionList>
          <Dimension><StartingIndex><FixedValue>0</FixedValue></StartingIndex><EndingIndex><FixedValue>3</FixedValue></EndingIndex></Dimension>
          <Dimension><StartingIndex><FixedValue>0</FixedValue></StartingIndex>
            <EndingIndex><DynamicValue><ParameterInstanceRef parameterRef="p"/><LinearAdjustment intercept="-1"/></DynamicValue></EndingIndex></Dimension>
        </DimensionList></ArrayParameterType>
        <ArrayParameterType name="arr11" arrayTypeRef="u8" numberOfDimensions="1"/>
        <AggregateParameterType name="agg"><MemberList><Member name="a" typeRef="u8"/><Member name="b" typeRef="tai"/></MemberList></AggregateParameterType>
        </ParameterTypeSet><ParameterSet><Parameter name="p" parameterTypeRef="u8"/></ParameterSet><ParameterTypeSet>"#
        ),
        expect![[r#"
            /T/agg: Aggregate { members: [Member { name: "a", type_ref: "/T/u8", description: None }, Member { name: "b", type_ref: "/T/tai", description: None }] } None
            /T/arr: Array { element_type: "/T/u8", dimensions: [ArrayDimension { start: Fixed(0), end: Fixed(3) }, ArrayDimension { start: Fixed(0), end: Dynamic { parameter: ParamRef { parameter: "/T/p", use_calibrated: true, instance: 0, member_path: None }, slope: 1, intercept: -1 } }] } None
            /T/arr11: Array { element_type: "/T/u8", dimensions: [] } None
            /T/date: AbsoluteTime { epoch: Date("1970-01-01T00:00:00Z"), time: Scaled { scale: 1.0, offset: 0.0 } } Some(Float { size_bits: 64, format: Ieee754, byte_order: BigEndian })
              unit seconds
            /T/dt: RelativeTime { time: Scaled { scale: 2.0, offset: 0.0 } } Some(Integer { size_bits: 16, sign: Unsigned, byte_order: BigEndian })
            /T/rel_to: AbsoluteTime { epoch: OffsetFrom(ParamRef { parameter: "/T/p", use_calibrated: true, instance: 0, member_path: None }), time: Scaled { scale: 1.0, offset: 0.0 } } None
            /T/tai: AbsoluteTime { epoch: Tai, time: Scaled { scale: 0.001, offset: 1.0 } } Some(Integer { size_bits: 32, sign: Unsigned, byte_order: BigEndian })
            /T/u8: Integer { signed: false, size_bits: 32, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
        "#]],
    );
}

#[test]
fn base_type_inheritance() {
    check_types(
        r#"
        <IntegerParameterType name="derived" baseType="base" sizeInBits="16"><UnitSet><Unit>A</Unit></UnitSet></IntegerParameterType>
        <IntegerParameterType name="base" signed="false"><UnitSet><Unit>V</Unit></UnitSet>
          <IntegerDataEncoding sizeInBits="12" byteOrder="leastSignificantByteFirst"/></IntegerParameterType>
        <EnumeratedParameterType name="enum_on_int" baseType="base">
          <EnumerationList><Enumeration value="1" label="ONE"/></EnumerationList></EnumeratedParameterType>
        <IntegerParameterType name="loop1" baseType="loop2"/>
        <IntegerParameterType name="loop2" baseType="loop1"/>"#,
        expect![[r#"
            FAILED
            error: t.xml:9:44: IntegerParameterType@baseType: baseType chain loops or is deeper than 64 types
        "#]],
    );
    check_types(
        r#"
        <IntegerParameterType name="derived" baseType="base" sizeInBits="16"><UnitSet><Unit>A</Unit></UnitSet></IntegerParameterType>
        <IntegerParameterType name="base" signed="false"><UnitSet><Unit>V</Unit></UnitSet>
          <IntegerDataEncoding sizeInBits="12" byteOrder="leastSignificantByteFirst"/></IntegerParameterType>
        <EnumeratedParameterType name="enum_on_int" baseType="base">
          <EnumerationList><Enumeration value="1" label="ONE"/></EnumerationList></EnumeratedParameterType>"#,
        expect![[r#"
            /T/base: Integer { signed: false, size_bits: 32, valid_range: None } Some(Integer { size_bits: 12, sign: Unsigned, byte_order: LittleEndian })
              unit V
            /T/derived: Integer { signed: false, size_bits: 16, valid_range: None } Some(Integer { size_bits: 12, sign: Unsigned, byte_order: LittleEndian })
              unit A
            /T/enum_on_int: Enumerated { values: [EnumValue { value: 1, max: None, label: "ONE", description: None }] } Some(Integer { size_bits: 12, sign: Unsigned, byte_order: LittleEndian })
              unit V
        "#]],
    );
}

#[test]
fn calibrators() {
    check_types(
        &format!(
            r#"{U8}
        <FloatParameterType name="poly"><IntegerDataEncoding sizeInBits="16"><DefaultCalibrator><PolynomialCalibrator>
          <Term coefficient="0.5" exponent="2"/><Term coefficient="-3" exponent="0"/></PolynomialCalibrator></DefaultCalibrator></IntegerDataEncoding></FloatParameterType>
        <FloatParameterType name="spline"><IntegerDataEncoding sizeInBits="8"><DefaultCalibrator><SplineCalibrator order="0" extrapolate="true">
          <SplinePoint raw="10" calibrated="1"/><SplinePoint raw="0" calibrated="0"/><SplinePoint raw="20" calibrated="4"/></SplineCalibrator></DefaultCalibrator></IntegerDataEncoding></FloatParameterType>
        <FloatParameterType name="math"><IntegerDataEncoding sizeInBits="8"><DefaultCalibrator><MathOperationCalibrator>
          <ThisParameterOperand/><ValueOperand>2</ValueOperand><Operator>*</Operator><ParameterInstanceRefOperand parameterRef="p" useCalibratedValue="false"/><Operator>+</Operator><Operator>1/x</Operator>
        </MathOperationCalibrator></DefaultCalibrator></IntegerDataEncoding></FloatParameterType>
        <FloatParameterType name="context"><IntegerDataEncoding sizeInBits="8"><ContextCalibratorList><ContextCalibrator>
          <ContextMatch><Comparison parameterRef="p" value="1"/></ContextMatch>
          <Calibrator><PolynomialCalibrator><Term coefficient="2" exponent="1"/></PolynomialCalibrator></Calibrator>
        </ContextCalibrator></ContextCalibratorList></IntegerDataEncoding></FloatParameterType>
        <FloatParameterType name="odd_op"><IntegerDataEncoding sizeInBits="8"><DefaultCalibrator><MathOperationCalibrator>
          <ThisParameterOperand/><Operator>tanh</Operator></MathOperationCalibrator></DefaultCalibrator></IntegerDataEncoding></FloatParameterType>
        </ParameterTypeSet><ParameterSet><Parameter name="p" parameterTypeRef="u8"/></ParameterSet><ParameterTypeSet>"#
        ),
        expect![[r#"
            /T/context: Float { size_bits: 64, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
              context calibrator ContextCalibrator { context: Compare(Comparison { left: ParamRef { parameter: "/T/p", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("1") }), calibrator: Polynomial { coefficients: [0.0, 2.0] } }
            /T/math: Float { size_bits: 64, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
              calibrator MathOperation { tokens: [This, Value(2.0), Op(Mul), Parameter(ParamRef { parameter: "/T/p", use_calibrated: false, instance: 0, member_path: None }), Op(Add), Value(1.0), Op(Swap), Op(Div)] }
            /T/odd_op: Float { size_bits: 64, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
            /T/poly: Float { size_bits: 64, valid_range: None } Some(Integer { size_bits: 16, sign: Unsigned, byte_order: BigEndian })
              calibrator Polynomial { coefficients: [-3.0, 0.0, 0.5] }
            /T/spline: Float { size_bits: 64, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
              calibrator Spline { order: 0, extrapolate: true, points: [SplinePoint { raw: 0.0, calibrated: 0.0 }, SplinePoint { raw: 10.0, calibrated: 1.0 }, SplinePoint { raw: 20.0, calibrated: 4.0 }] }
            /T/u8: Integer { signed: false, size_bits: 32, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
            unsupported: t.xml:16:34: Operator: math operator `tanh` is not supported by the model; the operation is dropped
        "#]],
    );
}

#[test]
fn alarms() {
    check_types(
        &format!(
            r#"{U8}
        <FloatParameterType name="ranges"><FloatDataEncoding/><DefaultAlarm minViolations="3"><StaticAlarmRanges>
          <WatchRange minInclusive="-1" maxInclusive="1"/><WarningRange minExclusive="-2" maxExclusive="2"/><DistressRange minInclusive="-3"/>
          <CriticalRange maxInclusive="4"/><SevereRange minInclusive="-5" maxInclusive="5"/></StaticAlarmRanges></DefaultAlarm>
          <ContextAlarmList><ContextAlarm><ContextMatch><Comparison parameterRef="p" value="2"/></ContextMatch>
            <StaticAlarmRanges><CriticalRange minInclusive="0" maxInclusive="10"/></StaticAlarmRanges></ContextAlarm></ContextAlarmList>
        </FloatParameterType>
        <EnumeratedParameterType name="en"><IntegerDataEncoding/><EnumerationList><Enumeration value="0" label="OK"/><Enumeration value="1" label="BAD"/></EnumerationList>
          <DefaultAlarm defaultAlarmLevel="watch"><EnumerationAlarmList><EnumerationAlarm enumerationLabel="BAD" alarmLevel="critical"/></EnumerationAlarmList></DefaultAlarm>
        </EnumeratedParameterType>
        </ParameterTypeSet><ParameterSet><Parameter name="p" parameterTypeRef="u8"/></ParameterSet><ParameterTypeSet>"#
        ),
        expect![[r#"
            /T/en: Enumerated { values: [EnumValue { value: 0, max: None, label: "OK", description: None }, EnumValue { value: 1, max: None, label: "BAD", description: None }] } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
              alarm Enumeration { min_violations: 1, levels: EnumAlarm { default_level: Watch, labels: [("BAD", Critical)] } }
            /T/ranges: Float { size_bits: 64, valid_range: None } Some(Float { size_bits: 32, format: Ieee754, byte_order: BigEndian })
              alarm Ranges { min_violations: 3, ranges: AlarmRanges { watch: Some(Range { min: Some(-1.0), max: Some(1.0), min_inclusive: true, max_inclusive: true, calibrated: true }), warning: Some(Range { min: Some(-2.0), max: Some(2.0), min_inclusive: false, max_inclusive: false, calibrated: true }), distress: Some(Range { min: Some(-3.0), max: None, min_inclusive: true, max_inclusive: true, calibrated: true }), critical: Some(Range { min: None, max: Some(4.0), min_inclusive: true, max_inclusive: true, calibrated: true }), severe: Some(Range { min: Some(-5.0), max: Some(5.0), min_inclusive: true, max_inclusive: true, calibrated: true }) }, delta: None }
              context alarm ContextAlarm { context: Compare(Comparison { left: ParamRef { parameter: "/T/p", use_calibrated: true, instance: 0, member_path: None }, op: Eq, right: Value("2") }), alarm: Ranges { min_violations: 1, ranges: AlarmRanges { watch: None, warning: None, distress: None, critical: Some(Range { min: Some(0.0), max: Some(10.0), min_inclusive: true, max_inclusive: true, calibrated: true }), severe: None }, delta: None } }
            /T/u8: Integer { signed: false, size_bits: 32, valid_range: None } Some(Integer { size_bits: 8, sign: Unsigned, byte_order: BigEndian })
        "#]],
    );
}
