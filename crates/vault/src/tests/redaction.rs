//! No value or key ever appears in what the vault prints or serializes: `Debug`, `Display`,
//! errors, states, changes, listings, in any of the encodings a leak would take.

use super::{commit, master, scope, TestRandom};
use crate::{MasterKey, SecretName, SecretValue, Vault, VaultState, VALUE_LEN_MAX};

const PLANTED_TEXT: &[u8] = b"planted-GS-password-Zq7x";
const PLANTED_BINARY: [u8; 24] = [
    0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0xfe, 0x7f, 0x80, 0x99, 0x42, 0x13, 0x37, 0xc0, 0xff, 0xee, 0x0b, 0xad, 0xf0,
    0x0d, 0x55, 0xaa, 0x5a, 0xa5,
];
const PLANTED_MASTER: [u8; 32] = [0x3c; 32];
const PLANTED_NEW_MASTER: [u8; 32] = [
    0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x32, 0x54,
    0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
];

#[test]
fn nothing_printed_or_serialized_holds_a_value_or_key() {
    let mut outputs: Vec<(&str, String)> = Vec::new();
    let mut vault = Vault::sealed(VaultState::default());
    vault.unseal(MasterKey::from_bytes(PLANTED_MASTER)).unwrap();
    let mut random = TestRandom::new(31);
    let (ops, name) = (scope("sentinel-x/ops"), "gs-kiruna.password".parse::<SecretName>().unwrap());
    for planted in [PLANTED_TEXT, &PLANTED_BINARY[..]] {
        let value = SecretValue::new(planted.to_vec());
        outputs.push(("value debug", format!("{value:?} {value:#?}")));
        outputs.push(("value display", format!("{value}")));
        let (_, change) = vault.put(&ops, &name, &value, &mut random).unwrap();
        outputs.push(("put change", format!("{change:?}")));
        commit(&mut vault, change);
    }
    let (_, rotation) = vault.rotate_data_key(&ops, &mut random).unwrap();
    outputs.push(("data key rotation", format!("{rotation:?}")));
    commit(&mut vault, rotation);
    let master_change = vault.rotate_master(MasterKey::from_bytes(PLANTED_NEW_MASTER), &mut random).unwrap();
    outputs.push(("master rotation", format!("{master_change:?}")));
    commit(&mut vault, master_change);
    outputs.push(("vault", format!("{vault:?}")));
    outputs.push(("state debug", format!("{:#?}", vault.state())));
    outputs.push(("state json", serde_json::to_string(vault.state()).unwrap()));
    let listed = vault.list(&ops).unwrap();
    outputs.push(("list", format!("{listed:?} {}", serde_json::to_string(&listed).unwrap())));
    outputs.push(("master debug", format!("{:?}", MasterKey::from_bytes(PLANTED_MASTER))));
    outputs.push((
        "got value",
        format!("{:?} {}", vault.get(&ops, &name, Some(1)).unwrap(), vault.get(&ops, &name, None).unwrap()),
    ));

    let mut tampered = vault.state().clone();
    tampered.secrets[0].ciphertext[0] ^= 1;
    let mut broken = Vault::sealed(tampered);
    let mut errors = vec![
        broken.unseal(MasterKey::from_bytes(PLANTED_MASTER)).unwrap_err(),
        broken.get(&ops, &name, None).unwrap_err(),
        vault.put(&ops, &name, &SecretValue::new(PLANTED_TEXT.repeat(VALUE_LEN_MAX)), &mut random).unwrap_err(),
        String::from_utf8_lossy(PLANTED_TEXT).parse::<SecretName>().unwrap_err(),
        MasterKey::parse(PLANTED_TEXT).unwrap_err(),
        MasterKey::parse(&[PLANTED_TEXT, PLANTED_TEXT, b"0"].concat()).unwrap_err(),
    ];
    broken.unseal(MasterKey::from_bytes(PLANTED_NEW_MASTER)).unwrap();
    errors.push(broken.get(&ops, &name, Some(1)).unwrap_err());
    for error in &errors {
        outputs.push(("error", format!("{error} {error:?}")));
    }

    let planted: [&[u8]; 4] = [PLANTED_TEXT, &PLANTED_BINARY, &PLANTED_MASTER, &PLANTED_NEW_MASTER];
    for (label, output) in &outputs {
        for secret in planted {
            for form in forms(secret) {
                assert!(!output.contains(&form), "{label} shows a planted secret as {form:?}:\n{output}");
            }
        }
    }
    // The scan would see a leak: a planted value's forms are in a plain print of its bytes.
    let leak = format!("{:?} {}", PLANTED_BINARY, base::hex(&PLANTED_MASTER));
    assert!(forms(&PLANTED_BINARY).iter().any(|form| leak.contains(form)));
    assert!(forms(&PLANTED_MASTER).iter().any(|form| leak.contains(form)));
    assert!(master(1).to_hex().len() == 64);
}

/// How `bytes` would look in a leak: as text, hex either case, base64 (standard and URL-safe,
/// unpadded), and the decimal lists `Debug` and JSON print for a `Vec<u8>`.
fn forms(bytes: &[u8]) -> Vec<String> {
    let decimal: Vec<String> = bytes.iter().map(u8::to_string).collect();
    let mut forms = vec![
        base::hex(bytes),
        base::hex(bytes).to_uppercase(),
        base64(bytes, false),
        base64(bytes, true),
        decimal.join(", "),
        decimal.join(","),
    ];
    if let Ok(text) = std::str::from_utf8(bytes) {
        forms.push(text.to_string());
    }
    forms
}

fn base64(bytes: &[u8], url_safe: bool) -> String {
    let alphabet: &[u8; 64] = if url_safe {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}
