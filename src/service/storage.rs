//! Where uploaded documents live: behind one small interface, stored by SHA-256 so a name a
//! client chose never becomes a path. The default is a directory under the data dir; with
//! `GI_STORAGE_URL=s3://bucket/prefix` an S3-compatible bucket, so any number of replicas on
//! one PostgreSQL serve every upload.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;

pub trait DocumentStore: Send + Sync {
    /// Stores `bytes` under their hash; storing the same content twice is harmless.
    fn put(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()>;
    fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>>;
}

fn check_digest(sha256: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()),
        "not a SHA-256 hex digest"
    );
    Ok(())
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
        check_digest(sha256)?;
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

/// Writes a file aside as `temporary` with `write`, flushes it to disk and renames it to
/// `path`: a reader never sees half a file, even after a crash. On any error the temporary
/// file is removed, so a failed write (disk full, I/O error) leaves nothing behind.
fn write_aside(
    temporary: &std::path::Path,
    path: &std::path::Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // Owner-only, as everything in the data directory.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(temporary)?;
    let written = write(&mut file)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(temporary, path)
        });
    if written.is_err() {
        let _ = std::fs::remove_file(temporary);
    }
    written
}

impl DocumentStore for LocalDirectory {
    fn put(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path(sha256)?;
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().context("document path has a parent")?;
        crate::config::create_private_dir(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        // Write aside, then rename: a reader never sees half a file, even after a crash.
        let temporary = dir.join(format!(".{sha256}.{}", uuid::Uuid::now_v7().simple()));
        write_aside(&temporary, &path, |file| file.write_all(bytes))
            .with_context(|| format!("cannot store document {sha256}"))
    }

    fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.path(sha256)?;
        std::fs::read(&path).with_context(|| format!("cannot read document {sha256}"))
    }
}

/// Documents as objects `<prefix>/<first two hex digits>/<sha256>` in an S3-compatible bucket.
///
/// The interface is synchronous (callers are on the blocking pool), the S3 client is async: it
/// runs on a small runtime of its own, on its own thread, so it never depends on which
/// runtime, if any, the caller's thread belongs to.
pub struct BucketDocuments {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    io: tokio::runtime::Handle,
}

impl BucketDocuments {
    /// `url` is `s3://bucket[/prefix]`; the endpoint, region and credentials come from the
    /// usual `AWS_*` environment and then from `options` (`aws_endpoint`, `aws_allow_http`, …).
    pub fn open(url: &str, options: &[(String, String)]) -> anyhow::Result<Self> {
        let rest = url
            .strip_prefix("s3://")
            .context("GI_STORAGE_URL must start with s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(!bucket.is_empty(), "GI_STORAGE_URL names no bucket");
        // A few quick retries, not the default minutes: an upload is waiting on the answer.
        let retry = object_store::RetryConfig {
            backoff: Default::default(),
            max_retries: 3,
            retry_timeout: std::time::Duration::from_secs(10),
        };
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(retry);
        for (key, value) in options {
            let key: AmazonS3ConfigKey = key
                .parse()
                .with_context(|| format!("unknown storage option {key}"))?;
            builder = builder.with_config(key, value);
        }
        let store = builder.build().context("cannot configure the bucket")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the storage runtime")?;
        let io = runtime.handle().clone();
        std::thread::Builder::new()
            .name("document-storage".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .context("cannot start the storage thread")?;
        let documents = Self {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_owned(),
            io,
        };
        documents
            .probe()
            .with_context(|| format!("cannot reach the bucket {url}"))?;
        Ok(documents)
    }

    fn path(&self, name: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(name)
        } else {
            ObjectPath::from(format!("{}/{name}", self.prefix))
        }
    }

    fn object(&self, sha256: &str) -> anyhow::Result<ObjectPath> {
        check_digest(sha256)?;
        Ok(self.path(&format!("{}/{sha256}", &sha256[..2])))
    }

    /// Runs `work` on the storage runtime and waits for it.
    fn wait<T: Send + 'static>(
        &self,
        work: impl Future<Output = anyhow::Result<T>> + Send + 'static,
    ) -> anyhow::Result<T> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        self.io.spawn(async move {
            let _ = sender.send(work.await);
        });
        receiver.recv().context("the storage runtime stopped")?
    }

    /// Start-up check: asking for an object that need not exist reaches the bucket.
    fn probe(&self) -> anyhow::Result<()> {
        let (store, path) = (self.store.clone(), self.path(".probe"));
        self.wait(async move {
            match store.head(&path).await {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
    }
}

impl DocumentStore for BucketDocuments {
    fn put(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let (store, path) = (self.store.clone(), self.object(sha256)?);
        let payload = object_store::PutPayload::from(bytes.to_vec());
        // Same name, same content: writing it again is harmless, and S3 writes are whole.
        self.wait(async move {
            store
                .put(&path, payload)
                .await
                .with_context(|| format!("cannot store {path}"))?;
            Ok(())
        })
    }

    fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let (store, path) = (self.store.clone(), self.object(sha256)?);
        self.wait(async move {
            let object = store
                .get(&path)
                .await
                .with_context(|| format!("cannot read document {path}"))?;
            Ok(object.bytes().await?.to_vec())
        })
    }
}

/// The store the settings ask for: a bucket for `s3://…`, else the data directory's folder.
pub fn open(
    data_dir: &std::path::Path,
    storage_url: Option<&str>,
    options: &[(String, String)],
) -> anyhow::Result<Arc<dyn DocumentStore>> {
    Ok(match storage_url {
        Some(url) => Arc::new(BucketDocuments::open(url, options)?),
        None => Arc::new(LocalDirectory::new(data_dir.join("documents"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    found.extend(files_under(&path));
                } else {
                    found.push(path);
                }
            }
        }
        found
    }

    #[test]
    fn a_stored_document_is_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalDirectory::new(dir.path().join("documents"));
        store.put(DIGEST, b"test").expect("put");
        assert_eq!(store.get(DIGEST).expect("get"), b"test");
        assert_eq!(files_under(dir.path()).len(), 1);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let temporary = dir.path().join(format!(".{DIGEST}.partial"));
        let path = dir.path().join(DIGEST);
        let failed = write_aside(&temporary, &path, |file| {
            file.write_all(b"half a ")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(files_under(dir.path()), Vec::<PathBuf>::new());
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let temporary = dir.path().join(format!(".{DIGEST}.partial"));
        // The final name is taken by a directory that is not empty: the rename fails.
        let path = dir.path().join(DIGEST);
        std::fs::create_dir_all(path.join("in-the-way")).expect("blocker");
        let failed = write_aside(&temporary, &path, |file| file.write_all(b"test"));
        assert!(failed.is_err());
        assert!(!temporary.exists());
        assert_eq!(files_under(dir.path()), Vec::<PathBuf>::new());
    }
}
