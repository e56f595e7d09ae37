//! `Crypto` over the runtime's WebCrypto (`globalThis.crypto`; workerd has no `window`).

use app::ssr::digest::{hex, Sha256Stream};
use app::ssr::ports::{Crypto, PortError, PortResult};
use async_trait::async_trait;
use js_sys::futures::JsFuture;
use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CryptoKey, Pbkdf2Params, SubtleCrypto, WritableStream, WritableStreamDefaultWriter};
use worker::crypto::{DigestStream, DigestStreamAlgorithm};
use worker::send::{SendFuture, SendWrapper};

/// PBKDF2-HMAC-SHA256 derives this many bits: one SHA-256 block, as the port promises.
const OUTPUT_BITS: u32 = 256;

pub struct WebCrypto;

fn unavailable(step: &'static str) -> impl Fn(JsValue) -> PortError {
    move |e| PortError::Unavailable(format!("webcrypto {step}: {e:?}"))
}

fn subtle() -> Result<SubtleCrypto, JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    if !crypto.is_object() {
        return Err(JsValue::from_str("globalThis.crypto is missing"));
    }
    // Unchecked: an `instanceof Crypto` test needs the class as a global, which the
    // spec does not promise; `subtle` is read structurally either way.
    let subtle = crypto.unchecked_into::<web_sys::Crypto>().subtle();
    if !subtle.is_object() {
        return Err(JsValue::from_str("crypto.subtle is missing"));
    }
    Ok(subtle)
}

async fn derive(password: &[u8], salt: &[u8], iterations: u32) -> PortResult<Vec<u8>> {
    let subtle = subtle().map_err(unavailable("subtle"))?;
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let import = subtle
        .import_key_with_str("raw", &Uint8Array::from(password), "PBKDF2", false, &usages)
        .map_err(unavailable("importKey"))?;
    let key: CryptoKey = JsFuture::from(import)
        .await
        .map_err(unavailable("importKey"))?
        .unchecked_into();
    let params =
        Pbkdf2Params::new_with_str("PBKDF2", "SHA-256", iterations, &Uint8Array::from(salt));
    let bits = subtle
        .derive_bits_with_object(&params, &key, OUTPUT_BITS)
        .map_err(unavailable("deriveBits"))?;
    let bits = JsFuture::from(bits)
        .await
        .map_err(unavailable("deriveBits"))?
        .dyn_into::<ArrayBuffer>()
        .map_err(unavailable("deriveBits result"))?;
    Ok(Uint8Array::new(&bits).to_vec())
}

#[async_trait]
impl Crypto for WebCrypto {
    async fn pbkdf2_sha256(
        &self,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> PortResult<Vec<u8>> {
        SendFuture::new(derive(password, salt, iterations)).await
    }

    fn random_bytes(&self, n: usize) -> PortResult<Vec<u8>> {
        let mut bytes = vec![0u8; n];
        getrandom03::fill(&mut bytes)
            .map_err(|e| PortError::Unavailable(format!("getrandom: {e}")))?;
        Ok(bytes)
    }

    fn sha256_stream(&self) -> PortResult<Box<dyn Sha256Stream>> {
        let stream = DigestStream::new(DigestStreamAlgorithm::Sha256);
        let writer = stream
            .raw()
            .unchecked_ref::<WritableStream>()
            .get_writer()
            .map_err(unavailable("DigestStream writer"))?;
        Ok(Box::new(RuntimeSha256(SendWrapper::new((stream, writer)))))
    }
}

/// SHA-256 in the runtime's native code (`crypto.DigestStream`): hashing a 16 MB original
/// in wasm would cost the request tens of milliseconds of CPU.
struct RuntimeSha256(SendWrapper<(DigestStream, WritableStreamDefaultWriter)>);

#[async_trait]
impl Sha256Stream for RuntimeSha256 {
    async fn update(&mut self, bytes: &[u8]) -> PortResult<()> {
        let write = self.0 .1.write_with_chunk(&Uint8Array::from(bytes));
        SendFuture::new(JsFuture::from(write))
            .await
            .map(|_| ())
            .map_err(unavailable("DigestStream write"))
    }

    async fn finish(self: Box<Self>) -> PortResult<String> {
        let (stream, writer) = &*self.0;
        SendFuture::new(JsFuture::from(writer.close()))
            .await
            .map_err(unavailable("DigestStream close"))?;
        let digest = stream
            .digest()
            .await
            .map_err(|e| PortError::Unavailable(format!("DigestStream digest: {e}")))?;
        Ok(hex(&digest.to_vec()))
    }
}
