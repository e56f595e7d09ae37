use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::photos::list_photos;
use crate::components::error_box::ErrorBox;
use crate::components::photo_card::PhotoGrid;

#[component]
pub fn FeedPage() -> impl IntoView {
    let photos = Resource::new(|| (), |_| list_photos());
    view! {
        <Title text="" />
        <h1 class="visually-hidden">"Latest photos"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading photos…"</p> }>
            {move || Suspend::new(async move {
                match photos.await {
                    Ok(cards) => view! { <PhotoGrid cards /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
