//! `/admin/repair`: one page of R2 compared with D1 (objects with no row, rows whose
//! original is missing) and a button that repairs what that page found. Keys and ids
//! only: the console never shows anyone's photos.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminPage;
use crate::api::admin::admin_repair_view;
use crate::components::form::ServerForm;
use crate::components::paging::encode;
use crate::model::admin::RepairView;

#[component]
pub fn AdminRepairPage() -> impl IntoView {
    let at = use_query_map().read_untracked().get("at");
    let data = Resource::new(move || at.clone(), admin_repair_view);
    view! {
        <AdminPage
            title="Admin · Repair"
            current="/admin/repair"
            data
            section=|view| view! { <RepairSection view /> }.into_any()
        />
    }
}

#[component]
pub fn RepairSection(view: RepairView) -> impl IntoView {
    let next = view
        .next
        .as_ref()
        .map(|n| format!("/admin/repair?at={}", encode(n)));
    let clean = view.orphans.is_empty() && view.missing.is_empty();
    let found = (!clean).then(|| {
        view! {
            <h3>{format!("Objects with no row ({})", view.orphans.len())}</h3>
            <ul class="repair-list">
                {view
                    .orphans
                    .iter()
                    .map(|k| view! { <li><code>{k.clone()}</code></li> })
                    .collect_view()}
            </ul>
            <h3>{format!("Photos whose original is missing ({})", view.missing.len())}</h3>
            <ul class="repair-list">
                {view
                    .missing
                    .iter()
                    .map(|m| {
                        view! {
                            <li>
                                <code>{m.photo_id.clone()}</code>
                                " of "
                                <code>{m.owner_id.clone()}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <ServerForm action="/api/admin_repair" class="inline" label="Repair this page">
                <input type="hidden" name="at" value=view.at.clone() />
                <button type="submit">"Remove orphans and mark missing originals failed"</button>
            </ServerForm>
        }
    });
    view! {
        <h2>"Repair"</h2>
        <p class="hint">
            {format!(
                "Storage compared with the database, a page of {} at a time: {} objects checked.",
                view.listing,
                view.checked,
            )}
            " Objects written in the last hour are left alone (uploads in progress)."
        </p>
        {clean.then(|| view! { <p class="empty">"Nothing to repair on this page."</p> })}
        {found}
        {next.map(|href| view! { <p><a href=href rel="next">"Next page"</a></p> })}
    }
}
