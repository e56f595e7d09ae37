use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::error_box::ErrorBox;
use crate::error::LumenError;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Title text="Not found" />
        <ErrorBox error=LumenError::NotFound />
    }
}
