//! Bench-only metering of one invocation (a request, a queue batch, a cron run): the time the
//! isolate spent running it, and what it asked of D1, R2 and the queue. On only when the
//! Worker has `LUMEN_METER = "1"` (`make bench` sets it on its local `wrangler dev`); otherwise
//! every call here is a no-op and the bindings are the real ones.
//!
//! CPU: the sum of the wall time of every poll of the invocation's future. A poll is the
//! Worker's own synchronous work (wasm, the JS it calls, and runtime calls that run inside
//! them, such as WebCrypto's PBKDF2), and nothing else runs on the isolate's thread meanwhile;
//! the awaits between polls (D1, R2, the request body arriving) are not in it. This needs a
//! clock that moves while code runs, which local workerd has and production does not (there
//! `performance.now()` advances only on I/O), hence bench-only.
//!
//! Counts: the bindings are wrapped in JS proxies that count D1 statements (and the rows D1
//! says they read and wrote), R2 operations by billing class (A: put, list, multipart
//! create/part/complete; B: get, head; free: delete, abort) and queue messages sent. D1's
//! `first()` is answered through `all()`, which returns the same row and also D1's row counts.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use wasm_bindgen::prelude::*;
use worker::Env;

/// The Worker variable that turns metering on.
pub const METER: &str = "LUMEN_METER";

#[wasm_bindgen(inline_js = r#"
// Methods run on the real object (they use its internal slots); `constructor` stays as it is,
// since workers-rs checks the binding's constructor name.
const pass = (t, p) => {
  const v = Reflect.get(t, p);
  return typeof v === "function" && p !== "constructor" ? v.bind(t) : v;
};
export function meter_env(env, names) {
  const c = { d1: 0, rows_read: 0, rows_written: 0, r2_a: 0, r2_b: 0, r2_free: 0, queue: 0 };
  const meta = (r) => { const m = r && r.meta; if (m) { c.rows_read += m.rows_read || 0; c.rows_written += m.rows_written || 0; } return r; };
  const targets = new WeakMap();
  const stmt = (s) => {
    const px = new Proxy(s, { get(t, p) {
      if (p === "bind") return (...a) => stmt(t.bind(...a));
      if (p === "all" || p === "run") return async (...a) => { c.d1++; return meta(await t[p](...a)); };
      if (p === "raw") return async (...a) => { c.d1++; return t.raw(...a); };
      if (p === "first") return async (col) => {
        c.d1++;
        const r = meta(await t.all());
        const row = r.results && r.results.length ? r.results[0] : null;
        return row === null || col === undefined || col === null ? row : row[col];
      };
      return pass(t, p);
    } });
    targets.set(px, s);
    return px;
  };
  const db = (d) => new Proxy(d, { get(t, p) {
    if (p === "prepare") return (sql) => stmt(t.prepare(sql));
    if (p === "batch") return async (ss) => {
      c.d1 += ss.length;
      const rs = await t.batch(ss.map((s) => targets.get(s) || s));
      rs.forEach(meta);
      return rs;
    };
    if (p === "exec") return async (...a) => { c.d1++; return t.exec(...a); };
    // A D1 session (d1::session) has the same prepare/batch: count through it too.
    if (p === "withSession") return (...a) => db(t.withSession(...a));
    return pass(t, p);
  } });
  const upload = (u) => new Proxy(u, { get(t, p) {
    if (p === "uploadPart" || p === "complete") return async (...a) => { c.r2_a++; return t[p](...a); };
    if (p === "abort") return async (...a) => { c.r2_free++; return t.abort(...a); };
    return pass(t, p);
  } });
  const bucket = (b) => new Proxy(b, { get(t, p) {
    if (p === "put" || p === "list") return async (...a) => { c.r2_a++; return t[p](...a); };
    if (p === "get" || p === "head") return async (...a) => { c.r2_b++; return t[p](...a); };
    if (p === "delete") return async (...a) => { c.r2_free++; return t.delete(...a); };
    if (p === "createMultipartUpload") return async (...a) => { c.r2_a++; return upload(await t.createMultipartUpload(...a)); };
    if (p === "resumeMultipartUpload") return (...a) => upload(t.resumeMultipartUpload(...a));
    return pass(t, p);
  } });
  const queue = (q) => new Proxy(q, { get(t, p) {
    if (p === "send") return async (...a) => { c.queue++; return t.send(...a); };
    if (p === "sendBatch") return async (m, ...a) => { c.queue += m.length; return t.sendBatch(m, ...a); };
    return pass(t, p);
  } });
  const wrap = { [names[0]]: db, [names[1]]: bucket, [names[2]]: queue };
  const made = {};
  const proxied = new Proxy(env, { get(t, p) {
    if (typeof p === "string" && wrap[p]) return (made[p] ||= wrap[p](t[p]));
    return Reflect.get(t, p);
  } });
  return { env: proxied, counts: c };
}
"#)]
extern "C" {
    fn meter_env(env: &JsValue, names: Vec<JsValue>) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

struct Inner {
    busy_ms: Cell<f64>,
    /// When the poll in progress started (NaN between polls).
    poll_started: Cell<f64>,
    counts: JsValue,
}

/// One invocation's meter; `Meter::off()` when metering is not asked for.
#[derive(Clone)]
pub struct Meter(Option<Rc<Inner>>);

impl Meter {
    /// Starts metering if the Worker asks for it, returning the Env to use from here on (the
    /// counting one when metering).
    pub fn start(env: Env) -> (Meter, Env) {
        let on = env
            .var(METER)
            .map(|v| v.to_string() == "1")
            .unwrap_or(false);
        if !on {
            return (Meter(None), env);
        }
        let names = [
            crate::bindings::DB,
            crate::bindings::PHOTOS,
            crate::bindings::MEDIA_JOBS,
        ]
        .map(JsValue::from)
        .to_vec();
        let made = meter_env(&env, names);
        let get = |k: &str| js_sys::Reflect::get(&made, &JsValue::from(k)).ok();
        match (get("env"), get("counts")) {
            (Some(metered), Some(counts)) if !metered.is_undefined() => (
                Meter(Some(Rc::new(Inner {
                    busy_ms: Cell::new(0.0),
                    poll_started: Cell::new(f64::NAN),
                    counts,
                }))),
                metered.unchecked_into(),
            ),
            _ => (Meter(None), env),
        }
    }

    /// Runs `fut`, adding the time of each of its polls to this meter.
    pub fn run<F: Future>(&self, fut: F) -> Timed<F> {
        Timed {
            fut: Box::pin(fut),
            meter: self.clone(),
        }
    }

    /// ` cpu=…ms d1=… …` for a log line (empty when metering is off). Includes the poll in
    /// progress, so a line logged at the end of the invocation covers all of it.
    pub fn report(&self) -> String {
        let Some(m) = &self.0 else {
            return String::new();
        };
        let started = m.poll_started.get();
        let running = if started.is_nan() {
            0.0
        } else {
            performance_now() - started
        };
        let n = |k: &str| {
            js_sys::Reflect::get(&m.counts, &JsValue::from(k))
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0)
        };
        format!(
            " cpu={:.2}ms d1={} rows_read={} rows_written={} r2_a={} r2_b={} r2_free={} queue={}",
            m.busy_ms.get() + running,
            n("d1"),
            n("rows_read"),
            n("rows_written"),
            n("r2_a"),
            n("r2_b"),
            n("r2_free"),
            n("queue"),
        )
    }

    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }
}

/// A future whose polls are timed into a `Meter`.
pub struct Timed<F> {
    fut: Pin<Box<F>>,
    meter: Meter,
}

impl<F: Future> Future for Timed<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let Some(m) = this.meter.0.clone() else {
            return this.fut.as_mut().poll(cx);
        };
        let t = performance_now();
        m.poll_started.set(t);
        let out = this.fut.as_mut().poll(cx);
        m.busy_ms.set(m.busy_ms.get() + (performance_now() - t));
        m.poll_started.set(f64::NAN);
        out
    }
}
