//! Hex for the stored form: decoding (base only encodes), and serde helpers that write nonces
//! and ciphertexts as lowercase hex strings.

/// Decodes `text` (hex digits, either case) into `out`; false when the lengths differ or a
/// character is not a hex digit. Never says which one, so a key is never echoed.
pub(crate) fn decode_into(text: &[u8], out: &mut [u8]) -> bool {
    if text.len() != 2 * out.len() {
        return false;
    }
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(high), Some(low)) => *byte = high << 4 | low,
            _ => return false,
        }
    }
    true
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Serde for `Vec<u8>` as a hex string.
pub(crate) mod bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base::hex(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut out = vec![0u8; text.len() / 2];
        if !super::decode_into(text.as_bytes(), &mut out) {
            return Err(serde::de::Error::custom("expected an even number of hex digits"));
        }
        Ok(out)
    }
}

/// Serde for a nonce (`[u8; N]`) as a hex string of exactly `2 N` digits.
pub(crate) mod array {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, const N: usize>(bytes: &[u8; N], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base::hex(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(deserializer: D) -> Result<[u8; N], D::Error> {
        let text = String::deserialize(deserializer)?;
        let mut out = [0u8; N];
        if !super::decode_into(text.as_bytes(), &mut out) {
            return Err(serde::de::Error::custom(format!("expected {} hex digits", 2 * N)));
        }
        Ok(out)
    }
}
