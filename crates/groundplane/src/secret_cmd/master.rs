//! The master key: made by `secret init-key`, read from a key file only its owner may read or
//! from the `GROUNDPLANE_MASTER_KEY` env_var; without either the vault stays sealed. Neither
//! the key nor a key file's contents ever reach a message.

use anyhow::Context;
use std::io::{Read, Write};
use std::path::Path;
use vault::{MasterKey, RandomError, SecretValue, VaultError};

/// The env_var holding the master key (64 hex digits) when no key file is given.
pub const MASTER_KEY_ENV_VAR: &str = "GROUNDPLANE_MASTER_KEY";

/// Longest master key file read: 64 hex digits and some whitespace.
const KEY_FILE_LEN_MAX: usize = 1024;

/// The operating system's randomness, as the vault asks for it.
pub fn os_random(bytes: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(bytes).map_err(|error| RandomError(format!("from the operating system: {error}")))
}

/// `secret init-key`: a new master key in `out` as 64 hex digits, mode 0600, never overwritten.
pub fn init_key(out: &Path, stdout: &mut dyn Write) -> anyhow::Result<()> {
    let key = MasterKey::generate(&mut os_random)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(|error| match error.kind() {
        std::io::ErrorKind::AlreadyExists => {
            anyhow::anyhow!("{}: exists; a master key is never overwritten", out.display())
        }
        _ => anyhow::anyhow!("{}: cannot create: {error}", out.display()),
    })?;
    file.write_all(key.to_hex().as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .with_context(|| format!("{}: cannot write", out.display()))?;
    writeln!(
        stdout,
        "master key written to {} (mode 0600): keep it apart from the vault and its backups",
        out.display()
    )?;
    Ok(())
}

/// The master key from `file` if given, else from the env_var; `VaultError::Sealed` (with
/// how to give one) when there is neither.
pub fn load(file: Option<&Path>, env_var: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<MasterKey> {
    if let Some(path) = file {
        return read_key_file(path);
    }
    match env_var(MASTER_KEY_ENV_VAR) {
        // Held as a secret value so the text is zeroized once parsed.
        Some(text) => MasterKey::parse(SecretValue::new(text.into_bytes()).expose())
            .with_context(|| format!("env_var {MASTER_KEY_ENV_VAR}")),
        None => Err(anyhow::anyhow!("{} (give --master-key FILE or set {MASTER_KEY_ENV_VAR})", VaultError::Sealed)),
    }
}

/// Reads a master key file, refusing one that group or others may access.
fn read_key_file(path: &Path) -> anyhow::Result<MasterKey> {
    let file = std::fs::File::open(path).with_context(|| format!("master key {}: cannot open", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().with_context(|| format!("master key {}", path.display()))?.permissions().mode();
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "master key {}: mode {:o} lets group or others access it; refused (chmod 600 it)",
                path.display(),
                mode & 0o777
            );
        }
    }
    let mut bytes = Vec::with_capacity(KEY_FILE_LEN_MAX + 1);
    let read = file.take(KEY_FILE_LEN_MAX as u64 + 1).read_to_end(&mut bytes);
    // Zeroized on drop from here, whatever the read did.
    let text = SecretValue::new(bytes);
    read.with_context(|| format!("master key {}: cannot read", path.display()))?;
    MasterKey::parse(text.expose()).with_context(|| format!("{}", path.display()))
}
