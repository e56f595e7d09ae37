//! `media-service`: serves `POST /v1/render` (see the library) on `LUMEN_SERVICE_ADDR`
//! (default `127.0.0.1:8790`). Configuration only through the environment; see the README's
//! "Processing backends" section.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match media_service::Config::from_env(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(why) => {
            eprintln!("media-service: {why}");
            return ExitCode::from(2);
        }
    };
    let addr = std::env::var("LUMEN_SERVICE_ADDR").unwrap_or_else(|_| "127.0.0.1:8790".into());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("media-service: cannot listen on {addr}: {e}");
            return ExitCode::from(2);
        }
    };
    let local = listener.local_addr().map_or(addr, |a| a.to_string());
    // Tests and scripts wait for this line (the port may have been 0).
    eprintln!(
        "media-service: listening on http://{local} ({} jobs at once, {} s each)",
        config.jobs,
        config.job_time.as_secs()
    );
    let app = media_service::router(media_service::Service::new(config));
    // systemd and container runtimes stop with SIGTERM, a terminal with Ctrl-C: finish the
    // jobs in flight, take no new ones.
    let shutdown = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    };
    match axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("media-service: {e}");
            ExitCode::FAILURE
        }
    }
}
