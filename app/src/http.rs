//! Letting pages set the HTTP status of the server-rendered response. The Worker
//! provides an [`HttpStatus`] in context; in the browser there is none and it is a no-op.

use std::sync::Arc;

use leptos::prelude::*;

#[derive(Clone)]
pub struct HttpStatus(pub Arc<dyn Fn(u16) + Send + Sync>);

pub fn set_http_status(code: u16) {
    if let Some(HttpStatus(set)) = use_context::<HttpStatus>() {
        set(code);
    }
}
