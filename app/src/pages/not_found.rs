use leptos::prelude::*;

use crate::components::error_box::ErrorBox;
use crate::error::LumenError;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <ErrorBox error=LumenError::NotFound /> }
}
