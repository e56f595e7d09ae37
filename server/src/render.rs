//! `MediaService` over HTTP: the native media service (`LUMEN_PROCESSING = "service"`).
//!
//! The consumer's CPU per job stays small whatever the photo's size: the original goes from
//! R2 to the service as the fetch body (R2's stream, never read into wasm); the answer is
//! taken whole as one ArrayBuffer by the runtime, only its small JSON head is copied into
//! wasm, and each variant goes to R2 as a view into that buffer.

use app::ssr::ports::{MediaService, PortError, PortResult, RenderError, Rendered};
use async_trait::async_trait;
use js_sys::futures::JsFuture;
use js_sys::{ArrayBuffer, Function, Object, Reflect, Uint8Array};
use media::wire::{self, Meta, Settings};
use wasm_bindgen::{JsCast, JsValue};
use worker::send::{SendFuture, SendWrapper};
use worker::{Bucket, ResponseBody};

/// Longest failure reason taken from the service's answer.
const MAX_REASON: usize = 300;

/// The service's origin (checked by `platform::processing`) and the shared secret.
pub struct HttpMediaService {
    bucket: SendWrapper<Bucket>,
    origin: String,
    secret: String,
}

impl HttpMediaService {
    pub fn new(bucket: Bucket, origin: String, secret: String) -> Self {
        Self {
            bucket: SendWrapper::new(bucket),
            origin,
            secret,
        }
    }
}

fn js_err(step: &'static str) -> impl Fn(JsValue) -> RenderError {
    move |e| RenderError::Transient(format!("{step}: {}", describe(&e)))
}

fn describe(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn nonce() -> Result<String, RenderError> {
    let mut bytes = [0u8; 16];
    getrandom03::fill(&mut bytes).map_err(|e| RenderError::Transient(format!("nonce: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), RenderError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(js_err("request"))
}

/// The answer's reason, shortened to a sentence for the photo.
async fn reason(res: &web_sys::Response) -> String {
    let text = match res.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let text = text.trim();
    match text.char_indices().nth(MAX_REASON) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[async_trait]
impl MediaService for HttpMediaService {
    async fn render(
        &self,
        original_key: &str,
        settings: &Settings,
    ) -> Result<Box<dyn Rendered>, RenderError> {
        SendFuture::new(async move {
            let object = self
                .bucket
                .get(original_key)
                .execute()
                .await
                .map_err(|e| RenderError::Transient(format!("r2: {e}")))?;
            let Some(object) = object else {
                return Err(RenderError::Refused("The original file is missing.".into()));
            };
            let (size, etag) = (object.size(), object.etag());
            let body = match object.body().map(|b| b.response_body()) {
                Some(Ok(ResponseBody::Stream(stream))) => JsValue::from(stream),
                Some(Err(e)) => return Err(RenderError::Transient(format!("r2: {e}"))),
                _ => JsValue::from(Uint8Array::new_with_length(0)),
            };

            let path = format!(
                "{}?{}",
                wire::PATH,
                settings.to_query(&[("src", original_key), ("etag", &etag)])
            );
            let date = (worker::Date::now().as_millis() / 1000) as i64;
            let nonce = nonce()?;
            let message = wire::canonical("POST", &path, date, &nonce, size, wire::UNSIGNED);
            let signature = wire::sign(self.secret.as_bytes(), &message);

            let headers = Object::new();
            set(
                &headers,
                wire::H_DATE,
                &JsValue::from_str(&date.to_string()),
            )?;
            set(&headers, wire::H_NONCE, &JsValue::from_str(&nonce))?;
            set(
                &headers,
                wire::H_LENGTH,
                &JsValue::from_str(&size.to_string()),
            )?;
            set(&headers, wire::H_DIGEST, &JsValue::from_str(wire::UNSIGNED))?;
            set(&headers, wire::H_SIGNATURE, &JsValue::from_str(&signature))?;
            set(
                &headers,
                "content-type",
                &JsValue::from_str("application/octet-stream"),
            )?;
            let init = Object::new();
            set(&init, "method", &JsValue::from_str("POST"))?;
            set(&init, "headers", &headers)?;
            set(&init, "body", &body)?;

            let fetch: Function = Reflect::get(&js_sys::global(), &JsValue::from_str("fetch"))
                .map_err(js_err("fetch"))?
                .dyn_into()
                .map_err(js_err("fetch"))?;
            let url = JsValue::from_str(&format!("{}{path}", self.origin));
            let promise: js_sys::Promise = fetch
                .call2(&JsValue::UNDEFINED, &url, &init)
                .map_err(js_err("unreachable"))?
                .dyn_into()
                .map_err(js_err("fetch"))?;
            let res: web_sys::Response = JsFuture::from(promise)
                .await
                .map_err(js_err("unreachable"))?
                .dyn_into()
                .map_err(js_err("fetch"))?;

            match res.status() {
                200 => {}
                401 => {
                    let why = reason(&res).await;
                    worker::console_error!("media service 401: {why}");
                    return Err(RenderError::Refused(
                        "The media service refused this Worker's request (401): check that \
                         LUMEN_SERVICE_SECRET is the same on the Worker and the service, and \
                         both clocks."
                            .into(),
                    ));
                }
                status @ (400 | 413 | 422) => {
                    let why = reason(&res).await;
                    return Err(RenderError::Refused(if why.is_empty() {
                        format!("The media service refused this image ({status}).")
                    } else {
                        why
                    }));
                }
                status => {
                    let why = reason(&res).await;
                    return Err(RenderError::Transient(format!("{status} {why}")));
                }
            }
            let buffer: ArrayBuffer = JsFuture::from(res.array_buffer().map_err(js_err("read"))?)
                .await
                .map_err(js_err("read"))?
                .dyn_into()
                .map_err(js_err("read"))?;
            let total = buffer.byte_length() as usize;
            let copy = |at: usize, len: usize| -> Result<Vec<u8>, RenderError> {
                if at + len > total {
                    return Err(RenderError::Transient("short answer".into()));
                }
                Ok(
                    Uint8Array::new_with_byte_offset_and_length(&buffer, at as u32, len as u32)
                        .to_vec(),
                )
            };
            let bad = |e: String| RenderError::Transient(format!("answer: {e}"));
            let len = wire::meta_len(&copy(0, wire::PREFIX_LEN)?).map_err(bad)?;
            let json = copy(wire::PREFIX_LEN, len)?;
            let (meta, spans) = wire::parse_meta(&json, total).map_err(bad)?;
            let rendered: Box<dyn Rendered> = Box::new(HttpRendered {
                meta,
                spans,
                buffer: SendWrapper::new(buffer),
                bucket: SendWrapper::new(AsRef::<JsValue>::as_ref(&*self.bucket).clone()),
            });
            Ok(rendered)
        })
        .await
    }
}

/// The service's answer, kept in JS until each variant is stored.
struct HttpRendered {
    meta: Meta,
    spans: Vec<(usize, usize)>,
    buffer: SendWrapper<ArrayBuffer>,
    bucket: SendWrapper<JsValue>,
}

fn unavailable(e: JsValue) -> PortError {
    PortError::Unavailable(format!("r2: {}", describe(&e)))
}

#[async_trait]
impl Rendered for HttpRendered {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    async fn store(&self, index: usize, key: &str) -> PortResult<()> {
        SendFuture::new(async move {
            let (Some(&(at, len)), Some(v)) =
                (self.spans.get(index), self.meta.variants.get(index))
            else {
                return Err(PortError::Unavailable(format!("no variant {index}")));
            };
            let view =
                Uint8Array::new_with_byte_offset_and_length(&self.buffer, at as u32, len as u32);
            // workers-rs' `put` takes bytes only as a wasm Vec; R2's own `put` takes the view.
            let raw: &JsValue = &self.bucket;
            let put: Function = Reflect::get(raw, &JsValue::from_str("put"))
                .map_err(unavailable)?
                .dyn_into()
                .map_err(unavailable)?;
            let http = Object::new();
            Reflect::set(
                &http,
                &JsValue::from_str("contentType"),
                &JsValue::from_str(&v.mime),
            )
            .map_err(unavailable)?;
            let options = Object::new();
            Reflect::set(&options, &JsValue::from_str("httpMetadata"), &http)
                .map_err(unavailable)?;
            let promise: js_sys::Promise = put
                .call3(raw, &JsValue::from_str(key), &view, &options)
                .map_err(unavailable)?
                .dyn_into()
                .map_err(unavailable)?;
            JsFuture::from(promise).await.map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}
