//! `/admin/storage`: bytes and photo counts in total and for the largest accounts,
//! originals and variants apart, against the free plan's allowance.

use leptos::prelude::*;

use super::people::PeopleTable;
use super::{size, AdminPage};
use crate::api::admin::admin_storage;
use crate::model::admin::StorageView;

#[component]
pub fn AdminStoragePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| admin_storage());
    view! {
        <AdminPage
            title="Admin · Storage"
            current="/admin/storage"
            data
            section=|view| view! { <StorageSection view /> }.into_any()
        />
    }
}

#[component]
pub fn StorageSection(view: StorageView) -> impl IntoView {
    view! {
        <h2>"Storage"</h2>
        <dl class="admin-counts">
            <div><dt>"People"</dt><dd>{view.people}</dd></div>
            <div><dt>"Photos"</dt><dd>{view.photos}</dd></div>
            <div><dt>"Originals"</dt><dd>{size(view.original_bytes)}</dd></div>
            <div><dt>{format!("Variants ({})", view.variants)}</dt><dd>{size(view.variant_bytes)}</dd></div>
        </dl>
        <h2>"Against the free plan"</h2>
        <ul class="allowances">
            {view
                .allowances
                .into_iter()
                .map(|a| {
                    let pct = a.used.saturating_mul(100) / a.allowed.max(1);
                    view! {
                        <li>
                            {format!("{}: {} of {} ({pct} %)", a.what, size(a.used), size(a.allowed))}
                            <meter min="0" max=a.allowed.to_string() value=a.used.to_string()></meter>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <p class="hint">
            "D1's reads and writes per day are counted by Cloudflare only: see the dashboard's D1 metrics."
        </p>
        <h2>"Largest accounts"</h2>
        <PeopleTable people=view.largest actions=false />
    }
}
