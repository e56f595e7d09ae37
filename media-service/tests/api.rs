//! The service's HTTP API, end to end through its router: signing, every limit, and output
//! byte-identical to calling the pipeline directly.

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::response::Response;
use media::wire;
use media_service::{router, Config, Service};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

type TestResult<T = ()> = Result<T, Box<dyn Error>>;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

fn config() -> Config {
    Config {
        secret: SECRET.as_bytes().to_vec(),
        jobs: 2,
        job_time: Duration::from_secs(60),
        window: Duration::from_secs(300),
        limits: media::Spec::default(),
    }
}

fn demo(name: &str) -> TestResult<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../demo/photos")
        .join(name);
    Ok(std::fs::read(path)?)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A request as the Worker makes it; `tweak` may change the parts after signing.
struct Job {
    settings: wire::Settings,
    body: Vec<u8>,
    date: i64,
    nonce: String,
    digest: String,
    length: u64,
    secret: String,
}

impl Job {
    fn new(body: Vec<u8>) -> Self {
        Self {
            settings: wire::Settings::of(&media::Spec::default()),
            length: body.len() as u64,
            body,
            date: now(),
            nonce: format!("{:x}", rand_nonce()),
            digest: wire::UNSIGNED.into(),
            secret: SECRET.into(),
        }
    }

    fn with_digest(mut self) -> Self {
        self.digest = hex(&Sha256::digest(&self.body));
        self
    }

    fn path(&self) -> String {
        format!(
            "{}?{}",
            wire::PATH,
            self.settings.to_query(&[("src", "orig/u1/p1")])
        )
    }

    fn signature(&self) -> String {
        let m = wire::canonical(
            "POST",
            &self.path(),
            self.date,
            &self.nonce,
            self.length,
            &self.digest,
        );
        wire::sign(self.secret.as_bytes(), &m)
    }

    fn request(&self) -> TestResult<Request<Body>> {
        Ok(Request::post(self.path())
            .header(wire::H_DATE, self.date.to_string())
            .header(wire::H_NONCE, &self.nonce)
            .header(wire::H_LENGTH, self.length.to_string())
            .header(wire::H_DIGEST, &self.digest)
            .header(wire::H_SIGNATURE, self.signature())
            .body(Body::from(self.body.clone()))?)
    }
}

fn rand_nonce() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    t ^ u128::from(N.fetch_add(1, Ordering::Relaxed)) << 64
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn send(s: &Arc<Service>, req: Request<Body>) -> TestResult<(StatusCode, Response)> {
    let res = router(s.clone()).oneshot(req).await?;
    Ok((res.status(), res))
}

async fn text(res: Response) -> TestResult<String> {
    Ok(String::from_utf8(
        to_bytes(res.into_body(), usize::MAX).await?.to_vec(),
    )?)
}

/// Splits a 200 body with the same functions the Worker uses.
fn split(body: &[u8]) -> TestResult<(wire::Meta, Vec<Vec<u8>>)> {
    let len = wire::meta_len(body)?;
    let json = body
        .get(wire::PREFIX_LEN..wire::PREFIX_LEN + len)
        .ok_or("short")?;
    let (meta, spans) = wire::parse_meta(json, body.len())?;
    let parts = spans
        .iter()
        .map(|&(at, n)| body[at..at + n].to_vec())
        .collect();
    Ok((meta, parts))
}

#[tokio::test]
async fn a_good_job_is_byte_identical_to_the_pipeline() -> TestResult {
    let s = Service::new(config());
    for (name, watermark) in [
        ("retina.jpg", None),
        ("coffee.png", Some("© ada · Lumen".to_string())),
    ] {
        let original = demo(name)?;
        let spec = media::Spec {
            watermark,
            ..media::Spec::default()
        };
        let mut job = Job::new(original.clone());
        job.settings = wire::Settings::of(&spec);
        let (status, res) = send(&s, job.request()?).await?;
        assert_eq!(status, StatusCode::OK, "{name}");
        let body = to_bytes(res.into_body(), usize::MAX).await?;
        let direct = media::process(&original, &spec)?;
        assert_eq!(
            body.as_ref(),
            wire::encode_response(&direct).as_slice(),
            "{name}"
        );
        let (meta, parts) = split(&body)?;
        assert_eq!(meta, wire::Meta::of(&direct));
        assert_eq!(parts.len(), direct.variants.len());
        for (got, want) in parts.iter().zip(&direct.variants) {
            assert_eq!(got, &want.bytes, "{name} {}", want.width);
        }
        assert_eq!(meta.thumbhash_bytes(), direct.thumbhash);
    }
    Ok(())
}

#[tokio::test]
async fn a_signed_digest_must_match_the_body() -> TestResult {
    let s = Service::new(config());
    let job = Job::new(demo("retina.jpg")?).with_digest();
    assert_eq!(send(&s, job.request()?).await?.0, StatusCode::OK);

    let mut job = Job::new(demo("retina.jpg")?).with_digest();
    job.body[1000] ^= 1; // changed after it was hashed and signed
    let (status, res) = send(&s, job.request()?).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text(res).await?.contains("digest"));

    let mut job = Job::new(demo("retina.jpg")?);
    job.digest = "abc".into();
    assert_eq!(send(&s, job.request()?).await?.0, StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn bad_signatures_are_refused() -> TestResult {
    let s = Service::new(config());
    let body = demo("retina.jpg")?;

    let mut job = Job::new(body.clone());
    job.secret = "another-secret-another-secret-another-1".into();
    let (status, res) = send(&s, job.request()?).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let reason = text(res).await?;
    assert!(reason.contains("signature"), "{reason}");
    assert!(!reason.contains(SECRET));

    // Signed for other settings than sent.
    let job = Job::new(body.clone());
    let mut req = job.request()?;
    *req.uri_mut() = format!("{}?w=320&q=80&src=orig%2Fu1%2Fp1", wire::PATH).parse()?;
    assert_eq!(send(&s, req).await?.0, StatusCode::UNAUTHORIZED);

    // No signature at all.
    let req = Request::post(format!("{}?w=320&q=80", wire::PATH)).body(Body::from(body.clone()))?;
    assert_eq!(send(&s, req).await?.0, StatusCode::UNAUTHORIZED);

    // Too old and too far ahead.
    for skew in [-301, 301] {
        let mut job = Job::new(body.clone());
        job.date += skew;
        let (status, res) = send(&s, job.request()?).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "skew {skew}");
        assert!(text(res).await?.contains("window"));
    }
    // Within the window either way is fine.
    let mut job = Job::new(body.clone());
    job.date -= 200;
    assert_eq!(send(&s, job.request()?).await?.0, StatusCode::OK);

    // A body longer or shorter than signed.
    for delta in [-1i64, 1] {
        let mut job = Job::new(body.clone());
        job.length = (job.length as i64 + delta) as u64;
        let (status, res) = send(&s, job.request()?).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "delta {delta}");
        assert!(text(res).await?.contains("signed"));
    }
    Ok(())
}

#[tokio::test]
async fn a_replayed_request_is_refused() -> TestResult {
    let s = Service::new(config());
    let job = Job::new(demo("retina.jpg")?);
    assert_eq!(send(&s, job.request()?).await?.0, StatusCode::OK);
    let (status, res) = send(&s, job.request()?).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text(res).await?.contains("replay"));
    // A fresh signature for the same job is a new request.
    let again = Job::new(demo("retina.jpg")?);
    assert_eq!(send(&s, again.request()?).await?.0, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn an_oversized_body_is_413_before_it_is_read() -> TestResult {
    let s = Service::new(config());
    let max = media::Spec::default().max_bytes;
    let mut job = Job::new(Vec::new());
    job.length = max as u64 + 1;
    let (status, res) = send(&s, job.request()?).await?;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text(res).await?.contains("too large"));

    // Within the byte limit the pipeline decides; one byte over as a real body is refused too.
    let job = Job::new(vec![0xff; max + 1]);
    assert_eq!(
        send(&s, job.request()?).await?.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    Ok(())
}

/// A PNG whose header declares `w` × `h` (no pixel data: the header is refused first).
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(&[0; 64]);
    b
}

#[tokio::test]
async fn unreadable_or_oversized_images_are_422_with_a_reason() -> TestResult {
    let s = Service::new(config());
    let (status, res) = send(&s, Job::new(b"not an image at all".to_vec()).request()?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await?.contains("not a supported image"));

    let (status, res) = send(&s, Job::new(png_header(8000, 8000)).request()?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let reason = text(res).await?;
    assert!(reason.contains("8000 × 8000"), "{reason}");

    let mut truncated = demo("retina.jpg")?;
    truncated.truncate(truncated.len() / 3);
    let (status, res) = send(&s, Job::new(truncated).request()?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await?.contains("could not be read"));

    // Settings outside what the pipeline takes.
    let mut job = Job::new(demo("retina.jpg")?);
    job.settings.widths = vec![0];
    assert_eq!(send(&s, job.request()?).await?.0, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn a_job_over_the_time_limit_is_refused_and_keeps_its_slot() -> TestResult {
    let s = Service::new(Config {
        jobs: 1,
        job_time: Duration::from_millis(1),
        ..config()
    });
    let (status, res) = send(&s, Job::new(demo("astronaut.png")?).request()?).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await?.contains("longer than"));
    // The render still runs on its thread: its slot is not free until it ends.
    assert_eq!(s.slots.available_permits(), 0);
    tokio::time::timeout(Duration::from_secs(30), async {
        while s.slots.available_permits() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn jobs_over_the_cap_get_503_with_retry_after() -> TestResult {
    let s = Service::new(config());
    let body = demo("retina.jpg")?;
    // Both slots busy (as two renders would hold them).
    let held = s.slots.clone().acquire_many_owned(2).await?;
    let (status, res) = send(&s, Job::new(body.clone()).request()?).await?;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        res.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(b"2".as_slice())
    );
    drop(held);

    // Really concurrent: four at once on two slots; the ones over the cap get 503.
    let reqs: Vec<_> = (0..4)
        .map(|_| Job::new(body.clone()).request())
        .collect::<Result<_, _>>()?;
    let handles: Vec<_> = reqs
        .into_iter()
        .map(|req| {
            let s = s.clone();
            tokio::spawn(async move { router(s).oneshot(req).await.map(|r| r.status()) })
        })
        .collect();
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await??);
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let busy = statuses
        .iter()
        .filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert_eq!(ok + busy, 4, "{statuses:?}");
    assert!((1..=2).contains(&ok), "{statuses:?}");
    Ok(())
}

#[tokio::test]
async fn config_needs_a_long_secret_and_hides_it() -> TestResult {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    assert!(Config::from_env(vars(&[])).is_err());
    assert!(Config::from_env(vars(&[("LUMEN_SERVICE_SECRET", "short")])).is_err());
    let c = Config::from_env(vars(&[
        ("LUMEN_SERVICE_SECRET", SECRET),
        ("LUMEN_SERVICE_JOBS", "3"),
    ]))?;
    assert_eq!(c.jobs, 3);
    assert_eq!(
        c.limits.max_bytes,
        256 * 1024 * 1024,
        "resumable uploads' largest"
    );
    let c = Config::from_env(vars(&[
        ("LUMEN_SERVICE_SECRET", SECRET),
        ("LUMEN_SERVICE_MAX_MB", "16"),
    ]))?;
    assert_eq!(c.limits.max_bytes, 16 * 1024 * 1024);
    assert!(!format!("{c:?}").contains(SECRET));
    assert!(Config::from_env(vars(&[
        ("LUMEN_SERVICE_SECRET", SECRET),
        ("LUMEN_SERVICE_JOBS", "0"),
    ]))
    .is_err());
    Ok(())
}
