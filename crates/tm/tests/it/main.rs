//! Value decoding on real captures, against values decoded independently.

mod bogussat;
mod byte_order;
mod cfs;
mod common;
mod satrs;
mod yamcs_pus;

use model::{ByteOrder, IntegerSign};
use test_utils::real;

/// Splits back-to-back space packets by their length field.
pub(crate) fn packets(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 6 <= bytes.len() {
        let len = 7 + usize::from(u16::from_be_bytes([bytes[pos + 4], bytes[pos + 5]]));
        out.push(&bytes[pos..pos + len]);
        pos += len;
    }
    assert_eq!(pos, bytes.len(), "whole packets");
    out
}

/// ccsdspy writes a byte order as digits, 1 the most significant byte, in the order sent.
fn byte_order(digits: &str) -> ByteOrder {
    let n = digits.len() as u8;
    let significance = digits.bytes().map(|d| n - (d - b'0')).collect();
    ByteOrder::from_significance(significance).expect("a permutation")
}

#[test]
fn ccsdspy_byte_orders_match_their_csv() {
    // shared/real/ccsdspy/byte_order: each .bin has packets of unsigned integers in one byte
    // order; the .csv beside it holds the values ccsdspy's upstream tests expect.
    let orders = [
        "1", "12", "21", "123", "321", "1234", "4321", "2143", "3412", "123456", "1234567", "12345678", "87654321",
        "78563412",
    ];
    for digits in orders {
        let bin = std::fs::read(real(&format!("ccsdspy/byte_order/byteorder_{digits}.bin"))).unwrap();
        let csv = std::fs::read_to_string(real(&format!("ccsdspy/byte_order/byteorder_{digits}.csv"))).unwrap();
        let order = byte_order(digits);
        let size_bits = 8 * digits.len() as u32;
        let expected: Vec<Vec<i128>> =
            csv.lines().map(|line| line.split(',').map(|v| v.trim().parse().unwrap()).collect()).collect();
        let packets = packets(&bin);
        assert_eq!(packets.len(), expected.len(), "{digits}: packet count");
        for (packet, values) in packets.iter().zip(&expected) {
            let decoded: Vec<i128> = (0..values.len())
                .map(|idx| {
                    let offset = 48 + idx * size_bits as usize;
                    tm::decode_integer(packet, offset, size_bits, IntegerSign::Unsigned, &order).unwrap()
                })
                .collect();
            assert_eq!(&decoded, values, "byte order {digits}");
        }
    }
}

#[test]
fn europa_clipper_int24_samples() {
    // shared/real/ccsdspy/europa_clipper/EXPECTED.md: Accountability ID 400 and FGx_CH1_134 -88
    // in every packet. Layout: header (48 bits), uint32, uint16, uint32 ID, then 160 x 3 int24.
    let bytes = std::fs::read(real("ccsdspy/europa_clipper/apid01227.tlm")).unwrap();
    let packets = packets(&bytes);
    assert!(!packets.is_empty());
    let be = ByteOrder::BigEndian;
    for packet in packets {
        let id = tm::decode_integer(packet, 48 + 32 + 16, 32, IntegerSign::Unsigned, &be).unwrap();
        assert_eq!(id, 400);
        // Samples come as CH3, CH2, CH1 for each index; CH1 of sample 134 is the third of its triple.
        let sample_offset = 48 + 32 + 16 + 32 + (134 * 3 + 2) * 24;
        let value = tm::decode_integer(packet, sample_offset, 24, IntegerSign::TwosComplement, &be).unwrap();
        assert_eq!(value, -88);
    }
}
