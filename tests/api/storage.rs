//! Documents in an S3-compatible bucket (`GI_STORAGE_URL=s3://…`), against moto in server
//! mode: two replicas on one database, each with its own data directory, serve each other's
//! uploads, and nothing lands on their disks.
//!
//! CI installs moto in `target/moto-venv` (`.ci/run`); on a machine without it this test says
//! so and passes only when not running under CI.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{spawn_with, test_settings, url_of, TestDatabase, PDF};

const SECRET: &str = "one-secret-for-both-replicas-0123456789ab";
const BUCKET: &str = "gi-documents";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

/// A process that is killed when the test ends, however it ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// moto's S3 on a free port, with an empty bucket.
async fn start_moto() -> Option<(Process, String)> {
    let binary = std::env::var("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv/bin/moto_server")
        });
    if !binary.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must provide moto (see .ci/run)"
        );
        eprintln!("S3 storage test skipped: install moto[server] in target/moto-venv to run it");
        return None;
    }
    let port = free_port();
    let moto = Process(
        Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto starts"),
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(&endpoint).send().await.is_ok() {
            let bucket = http
                .put(format!("{endpoint}/{BUCKET}"))
                .send()
                .await
                .expect("bucket");
            assert!(bucket.status().is_success(), "the bucket is made");
            return Some((moto, endpoint));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto did not start");
}

/// The bucket's settings as a replica reads them from its environment.
fn bucket_environment(endpoint: &str) -> [(&'static str, String); 6] {
    [
        ("GI_STORAGE_URL", format!("s3://{BUCKET}/documents")),
        ("AWS_ENDPOINT", endpoint.to_owned()),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
    ]
}

#[tokio::test]
async fn replicas_with_their_own_disks_serve_each_others_documents_from_the_bucket() {
    let Some((_moto, endpoint)) = start_moto().await else {
        return;
    };
    // The first replica in this process, configured through its settings.
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.jwt_secret = Some(SECRET.into());
    settings.storage_url = Some(format!("s3://{BUCKET}/documents"));
    settings.storage_options = bucket_environment(&endpoint)[1..]
        .iter()
        .map(|(name, value)| (name.to_lowercase(), value.clone()))
        .collect();
    let first = spawn_with(db, settings).await;

    // The second: the real binary with its own data directory, configured by environment.
    let other_disk = tempfile::tempdir().expect("dir");
    let port = free_port();
    let second = Process(
        Command::new(env!("CARGO_BIN_EXE_gi-registry"))
            .envs(bucket_environment(&endpoint))
            .env("GI_DATA_DIR", other_disk.path())
            .env("DATABASE_URL", url_of(&first.db))
            .env("GI_BIND", format!("127.0.0.1:{port}"))
            .env("GI_JWT_SECRET", SECRET)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("second replica starts"),
    );
    let second_base = format!("http://127.0.0.1:{port}");
    let mut ready = false;
    for _ in 0..200 {
        if first
            .client
            .get(format!("{second_base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the second replica answers");

    let (producer, _) = first.producer("hongqi", "91441881MA4WTEA03K").await;
    let id = first.complete_draft(&producer).await;
    let through_second = |path: String| {
        first
            .client
            .get(format!("{second_base}{path}"))
            .bearer_auth(&producer)
            .send()
    };
    let view: serde_json::Value = through_second(format!("/api/v1/applications/{id}"))
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    let attachments = view["attachments"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 3);
    for attachment in attachments {
        let attachment_id = attachment["id"].as_str().expect("id");
        let download = through_second(format!(
            "/api/v1/applications/{id}/attachments/{attachment_id}"
        ))
        .await
        .expect("answer");
        assert_eq!(download.status(), StatusCode::OK);
        assert_eq!(download.bytes().await.expect("bytes").as_ref(), PDF);
    }

    // And the other way: uploaded through the second, read through the first.
    let png: &[u8] = crate::helpers::PNG;
    let form = reqwest::multipart::Form::new().text("kind", "other").part(
        "file",
        reqwest::multipart::Part::bytes(png.to_vec()).file_name("茶园.png"),
    );
    let uploaded = first
        .client
        .post(format!(
            "{second_base}/api/v1/applications/{id}/attachments"
        ))
        .bearer_auth(&producer)
        .multipart(form)
        .send()
        .await
        .expect("answer");
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let attachment: serde_json::Value = uploaded.json().await.expect("json");
    let read = first
        .get(
            &format!(
                "/api/v1/applications/{id}/attachments/{}",
                attachment["id"].as_str().expect("id")
            ),
            Some(&producer),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);

    // Neither replica kept a document on its own disk.
    assert!(!first.state.settings.data_dir.join("documents").exists());
    assert!(!other_disk.path().join("documents").exists());
    drop(second);
}

#[tokio::test]
async fn a_bucket_that_cannot_be_reached_stops_the_start_with_one_clear_line() {
    let data = tempfile::tempdir().expect("dir");
    let unreachable = format!("http://127.0.0.1:{}", free_port());
    let output = Command::new(env!("CARGO_BIN_EXE_gi-registry"))
        .envs(bucket_environment(&unreachable))
        .env("GI_DATA_DIR", data.path())
        .env("GI_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "error")
        .env_remove("DATABASE_URL")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot reach the bucket s3://gi-documents/documents"),
        "{stderr}"
    );
}
