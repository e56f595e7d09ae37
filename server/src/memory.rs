//! The isolate's wasm memory, logged after uploads and media jobs so that `make bench` can
//! check them against a Worker's 128 MB.

/// The wasm memory size in MiB. It never shrinks, so it is the isolate's peak so far.
pub fn wasm_mib() -> u64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map(|b| u64::from(b.byte_length()))
                .unwrap_or(0)
        })
        .unwrap_or(0)
        >> 20
}
