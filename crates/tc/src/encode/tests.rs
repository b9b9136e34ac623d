use super::values::{integer_bits, BitWriter};
use model::IntegerSign;

#[test]
fn integer_signs() {
    assert_eq!(integer_bits(-1, 8, IntegerSign::TwosComplement), Some(0xFF));
    assert_eq!(integer_bits(-127, 8, IntegerSign::SignMagnitude), Some(0xFF));
    assert_eq!(integer_bits(-1, 8, IntegerSign::OnesComplement), Some(0xFE));
    assert_eq!(integer_bits(128, 8, IntegerSign::TwosComplement), None);
    assert_eq!(integer_bits(-1, 8, IntegerSign::Unsigned), None);
    assert_eq!(integer_bits(u64::MAX as i128, 64, IntegerSign::Unsigned), Some(u64::MAX));
    // The inverse of tm's decoding, for every 8-bit value of every sign.
    for sign in
        [IntegerSign::Unsigned, IntegerSign::TwosComplement, IntegerSign::SignMagnitude, IntegerSign::OnesComplement]
    {
        for raw in 0..=255u64 {
            let value = tm::decode_integer(&[raw as u8], 0, 8, sign, &model::ByteOrder::BigEndian).expect("decodes");
            let negative_zero = value == 0 && raw != 0;
            if !negative_zero {
                assert_eq!(integer_bits(value, 8, sign), Some(raw), "{sign:?} {raw}");
            }
        }
    }
}

#[test]
fn bits_at_any_offset() {
    let mut writer = BitWriter::default();
    writer.write(0b101, 3);
    writer.write(0x3FF, 10);
    writer.write_fixed(&[0x04, 0x4F], 11);
    assert_eq!(writer.bytes, [0b1011_1111, 0b1111_1100, 0x4F]);
    assert_eq!(tm::read_bits(&writer.bytes, 3, 10), Ok(0x3FF));
}
