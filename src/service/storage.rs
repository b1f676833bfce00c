//! Where uploaded documents live: behind one small interface, stored by SHA-256 so a name a
//! client chose never becomes a path. The default is a directory under the data dir.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

pub trait DocumentStore: Send + Sync {
    /// Stores `bytes` under their hash; storing the same content twice is harmless.
    fn put(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()>;
    fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>>;
}

/// Documents as files `<root>/<first two hex digits>/<sha256>`.
pub struct LocalDirectory {
    root: PathBuf,
}

impl LocalDirectory {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn path(&self, sha256: &str) -> anyhow::Result<PathBuf> {
        anyhow::ensure!(
            sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()),
            "not a SHA-256 hex digest"
        );
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

impl DocumentStore for LocalDirectory {
    fn put(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path(sha256)?;
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().context("document path has a parent")?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // Write aside, then rename: a reader never sees half a file, even after a crash.
        let temporary = dir.join(format!(".{sha256}.{}", uuid::Uuid::now_v7().simple()));
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)?;
        Ok(())
    }

    fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.path(sha256)?;
        std::fs::read(&path).with_context(|| format!("cannot read document {sha256}"))
    }
}
