//! ccsdspy's byte order files (shared/real/ccsdspy/byte_order) through the whole chain: an XTCE
//! model per byte order, imported, compiled and run on every packet, against ccsdspy's CSVs.

use crate::common::{check_paths_agree, import_xtce, Decode};
use crate::packets;
use test_utils::real;
use tm::{Plan, Processor, RawValue};

/// The 14 byte orders, written as ccsdspy writes them: the bytes in the order sent, each
/// numbered by significance with 1 the most significant.
const ORDERS: [&str; 14] = [
    "1", "12", "21", "123", "321", "1234", "4321", "2143", "3412", "123456", "1234567", "12345678", "87654321",
    "78563412",
];

/// Unsigned integers per packet in every file (80 columns in each CSV).
const VALUES_PER_PACKET: usize = 80;

/// The XTCE model of one file: a 6-byte primary header (version, type, secondary header flag,
/// APID, sequence flags and count, length), then 80 unsigned integers in the file's byte order.
/// XTCE's `ByteOrderList` lists the bytes as sent with their significance, 0 the least
/// significant, so ccsdspy's digit `d` of `n` becomes `byteSignificance = n - d`.
fn xtce(digits: &str) -> String {
    let n = digits.len();
    let bytes: String =
        digits.bytes().map(|d| format!(r#"<Byte byteSignificance="{}"/>"#, n - usize::from(d - b'0'))).collect();
    let fields =
        [("version", 3), ("type", 1), ("sec_hdr", 1), ("apid", 11), ("flags", 2), ("count", 14), ("length", 16)];
    let mut header = String::new();
    let mut header_params = String::new();
    let mut header_entries = String::new();
    for (name, bits) in fields {
        header += &format!(r#"<IntegerParameterType name="{name}_t" signed="false">"#);
        header += &format!(r#"<IntegerDataEncoding sizeInBits="{bits}"/></IntegerParameterType>"#);
        header_params += &format!(r#"<Parameter name="{name}" parameterTypeRef="{name}_t"/>"#);
        header_entries += &format!(r#"<ParameterRefEntry parameterRef="{name}"/>"#);
    }
    format!(
        r#"<SpaceSystem xmlns="http://www.omg.org/spec/XTCE/20180204" name="byteorder_{digits}">
  <TelemetryMetaData>
    <ParameterTypeSet>
      {header}
      <IntegerParameterType name="value_t" signed="false">
        <IntegerDataEncoding sizeInBits="{bits}"><ByteOrderList>{bytes}</ByteOrderList></IntegerDataEncoding>
      </IntegerParameterType>
    </ParameterTypeSet>
    <ParameterSet>{header_params}<Parameter name="value" parameterTypeRef="value_t"/></ParameterSet>
    <ContainerSet>
      <SequenceContainer name="packet">
        <EntryList>
          {header_entries}
          <ParameterRefEntry parameterRef="value">
            <RepeatEntry><Count><FixedValue>{VALUES_PER_PACKET}</FixedValue></Count></RepeatEntry>
          </ParameterRefEntry>
        </EntryList>
      </SequenceContainer>
    </ContainerSet>
  </TelemetryMetaData>
</SpaceSystem>"#,
        bits = 8 * n
    )
}

#[test]
fn every_byte_order_decodes_to_the_csv_values() {
    let mut n_values = 0;
    for digits in ORDERS {
        let bin = std::fs::read(real(&format!("ccsdspy/byte_order/byteorder_{digits}.bin"))).unwrap();
        let csv = std::fs::read_to_string(real(&format!("ccsdspy/byte_order/byteorder_{digits}.csv"))).unwrap();
        let model = import_xtce(&[(&format!("byteorder_{digits}.xml"), xtce(digits))]);
        let plan = Plan::compile(&model).expect("the generated model compiles");
        let value = plan.parameter_id(&model::QualifiedName::parse(&format!("/byteorder_{digits}/value")).unwrap());
        let expected: Vec<Vec<u64>> =
            csv.lines().map(|line| line.split(',').map(|v| v.trim().parse().unwrap()).collect()).collect();
        let packets = packets(&bin);
        assert_eq!(packets.len(), expected.len(), "{digits}: packet count");
        let mut processor = Processor::new(&plan);
        for (packet, values) in packets.iter().zip(&expected) {
            assert_eq!(values.len(), VALUES_PER_PACKET, "{digits}: CSV columns");
            let mut samples = Vec::new();
            processor.process(packet, &mut samples).unwrap_or_else(|e| panic!("{digits}: {e}"));
            let decoded: Vec<u64> = samples
                .iter()
                .filter(|s| Some(s.parameter) == value)
                .map(|s| match s.raw() {
                    RawValue::Unsigned(v) => v,
                    other => panic!("{digits}: {other:?}"),
                })
                .collect();
            assert_eq!(&decoded, values, "byte order {digits}");
            n_values += decoded.len();
        }
        check_paths_agree(&plan, &packets, Decode::Identify);
    }
    assert_eq!(n_values, 14 * 10 * 80);
}
