//! `/admin/audit`: every admin action, who and when, newest first.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminPage;
use crate::api::admin::admin_audit;
use crate::components::paging::{older_href, OlderLink};
use crate::model::admin::AuditView;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let before = use_query_map().read_untracked().get("before");
    let data = Resource::new(move || before.clone(), admin_audit);
    view! {
        <AdminPage
            title="Admin · Audit"
            current="/admin/audit"
            data
            section=|view| view! { <AuditSection view /> }.into_any()
        />
    }
}

#[component]
pub fn AuditSection(view: AuditView) -> impl IntoView {
    let older = view
        .next
        .as_ref()
        .map(|n| older_href("/admin/audit", &[], n));
    let body = if view.entries.is_empty() {
        view! { <p class="empty">"No admin actions yet."</p> }.into_any()
    } else {
        view! {
            <ol class="audit">
                {view
                    .entries
                    .into_iter()
                    .map(|e| {
                        view! {
                            <li>
                                <strong>{e.actor}</strong>
                                " "
                                {e.action}
                                " "
                                <code>{e.target}</code>
                                " · "
                                {e.at}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <OlderLink href=older still=true />
        }
        .into_any()
    };
    view! {
        <h2>"Audit trail"</h2>
        {body}
    }
}
