//! Lumen's Cloudflare Worker: the fetch, queue and scheduled entry points. Only the
//! Cloudflare layer lives in this crate; logic worth testing is in `app::ssr` and `media`.

mod bindings;
mod cache;
mod cron;
mod crypto;
mod d1;
mod memory;
mod meter;
mod page;
mod platform;
mod queue;
mod r2;
mod render;
mod router;
mod routes;

use worker::{event, Context, Env, HttpRequest, MessageBatch, ScheduleContext, ScheduledEvent};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
    run_constructors_once();
    router::register_server_fns();
}

/// Runs the static constructors (`inventory`'s, which server_fn uses) once, here. A module
/// that never calls them itself gets every export wrapped by wasm-ld in a call to them, so
/// each call into the Worker (every future poll, every JS callback) ran them again: 15% of
/// the CPU of rendering the feed, in a profile. With this call the linker wraps nothing.
fn run_constructors_once() {
    #[cfg(target_arch = "wasm32")]
    {
        extern "C" {
            fn __wasm_call_ctors();
        }
        // SAFETY: the linker-made constructor runner, taking no arguments, called once at
        // module start before any other code of ours runs.
        unsafe { __wasm_call_ctors() }
    }
}

#[event(fetch)]
async fn fetch(req: HttpRequest, env: Env, ctx: Context) -> worker::Result<web_sys::Response> {
    let (meter, env) = meter::Meter::start(env);
    meter.run(handle(req, env, ctx, meter.clone())).await
}

async fn handle(
    req: HttpRequest,
    env: Env,
    ctx: Context,
    meter: meter::Meter,
) -> worker::Result<web_sys::Response> {
    let started = worker::Date::now().as_millis();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let url = req.uri().to_string();
    let asker = routes::headers::Asker::of(req.headers());
    let cache_on = env
        .var(bindings::EDGE_CACHE)
        .map_or(true, |v| v.to_string() != "off");
    let cookies = req
        .headers()
        .get(axum::http::header::COOKIE)
        .and_then(|v| v.to_str().ok());
    let unlocks = app::ssr::cache::unlocks(cookies);
    let kind = if cache_on {
        cache::kind(&method, &path, asker.personal || unlocks)
    } else {
        cache::Kind::Bypass
    };
    if kind != cache::Kind::Bypass {
        if let Some(hit) = cache::lookup(&url).await {
            let db = env.d1(bindings::DB).ok();
            if let Some(hit) = cache::serve(kind, &path, &url, hit, db.as_ref()).await {
                let ms = worker::Date::now().as_millis().saturating_sub(started);
                worker::console_log!("{method} {path} HIT {ms}ms{}", meter.report());
                return Ok(hit);
            }
        }
    }
    let tags = app::ssr::cache::CacheTags::default();
    let d1 = d1::session::Session::open(
        &env,
        asker.personal,
        routes::headers::cookie(req.headers(), d1::session::COOKIE).as_deref(),
    )?;
    let mut res = match platform::build_for_request(&env, &d1) {
        Ok(p) => router::serve(req, p, tags.clone()).await,
        Err(e) => {
            let err = app::error::LumenError::Internal {
                ref_id: app::error::short_ref(&e.to_string()),
            };
            worker::console_error!("platform unavailable: {e}");
            routes::json_error(&err)
        }
    };
    // Only on answers whose caching headers.rs decides (pages, server functions): a handler
    // that set its own (media, feeds, link pages) keeps it, cookie-free.
    let own_policy = res
        .headers()
        .contains_key(axum::http::header::CACHE_CONTROL);
    if asker.personal && kind != cache::Kind::Media && !own_policy {
        // The next request of this person reads at least what this one wrote or read.
        if let Some(b) = d1.bookmark() {
            routes::headers::set_bookmark(res.headers_mut(), &b, asker);
        }
    }
    routes::headers::apply(res.headers_mut(), asker);
    let fixed = res.extensions_mut().remove::<routes::FixedLength>();
    if fixed.is_none() {
        res = page::lean(res).await;
    }
    let store = match fixed {
        None => cache::storable(kind, &path, res.status().as_u16(), res.headers(), &tags),
        Some(_) => None,
    };
    // The stored copy's policy; a link page's own answer keeps `LINK_PAGE` (below).
    let answer_policy = res
        .headers()
        .get(axum::http::header::CACHE_CONTROL)
        .cloned();
    if store.is_some() && matches!(kind, cache::Kind::Page | cache::Kind::Link) {
        // `Vary: Cookie` stays: a browser or proxy never hands this to a signed-in person.
        res.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static(app::http::cache::EDGE_PAGE),
        );
    }
    let ms = worker::Date::now().as_millis().saturating_sub(started);
    worker::console_log!(
        "{method} {path} {} {ms}ms{}",
        res.status().as_u16(),
        meter.report()
    );
    let raw = worker::response_to_wasm(res)?;
    if let (Some(tags), Ok(db)) = (store, env.d1(bindings::DB)) {
        // Stored after the answer goes out; the copy carries `hit` for those it serves.
        raw.headers().set(cache::HEADER, "hit")?;
        let copy = raw.clone()?;
        raw.headers().set(cache::HEADER, "miss")?;
        if let (cache::Kind::Link, Some(v)) = (kind, answer_policy.as_ref()) {
            if let Ok(v) = v.to_str() {
                raw.headers()
                    .set(axum::http::header::CACHE_CONTROL.as_str(), v)?;
            }
        }
        ctx.wait_until(async move { cache::store(&db, &url, &tags, copy).await });
    }
    match fixed {
        Some(routes::FixedLength(len)) => routes::fixed_length(raw, len),
        None => Ok(raw),
    }
}

#[event(queue)]
async fn queue(
    batch: MessageBatch<serde_json::Value>,
    env: Env,
    _ctx: Context,
) -> worker::Result<()> {
    let (meter, env) = meter::Meter::start(env);
    let done = meter.run(queue::consume(batch, env)).await;
    if meter.is_on() {
        worker::console_log!("QUEUE batch done{}", meter.report());
    }
    done
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let (meter, env) = meter::Meter::start(env);
    if let Err(e) = meter.run(cron::run(&env)).await {
        worker::console_error!("CRON failed: {e}");
    }
    if meter.is_on() {
        worker::console_log!("CRON done{}", meter.report());
    }
}
