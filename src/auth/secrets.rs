//! Secrets kept in the data directory when the environment does not provide them: created
//! once with mode 0600, then reused so tokens survive a restart.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rand::distributions::Alphanumeric;
use rand::Rng;

pub const JWT_SECRET_FILE: &str = "jwt-secret";
pub const INITIAL_ADMIN_PASSWORD_FILE: &str = "initial-admin-password";
pub const MIN_JWT_SECRET_BYTES: usize = 32;

pub fn random_token(length: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

/// A password to print and hand over: no characters people confuse on paper (0/O, 1/l/I).
pub fn printable_password(length: usize) -> String {
    const SYMBOLS: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..length)
        .map(|_| SYMBOLS[rng.gen_range(0..SYMBOLS.len())] as char)
        .collect()
}

/// Writes `content` to a new file readable by the owner only.
pub fn write_private_file(path: &Path, content: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        crate::config::create_private_dir(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(content.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// The JWT signing key: `GI_JWT_SECRET` when given (at least 32 bytes), else the key in the
/// data directory, generated on first use.
pub fn jwt_secret(from_env: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = from_env {
        anyhow::ensure!(
            secret.len() >= MIN_JWT_SECRET_BYTES,
            "GI_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long"
        );
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join(JWT_SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= MIN_JWT_SECRET_BYTES => {
            Ok(secret.trim().as_bytes().to_vec())
        }
        Ok(_) => anyhow::bail!(
            "{} is shorter than {MIN_JWT_SECRET_BYTES} bytes",
            path.display()
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let secret = random_token(64);
            write_private_file(&path, &secret)?;
            Ok(secret.into_bytes())
        }
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}
