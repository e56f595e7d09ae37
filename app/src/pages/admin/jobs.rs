//! `/admin`: media jobs: counts by state, processing-time percentiles over the last day,
//! the latest failures with their reasons, and re-run one or all.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminPage;
use crate::api::admin::admin_jobs;
use crate::components::form::ServerForm;
use crate::components::paging::{older_href, OlderLink};
use crate::model::admin::JobsView;

#[component]
pub fn AdminJobsPage() -> impl IntoView {
    let before = use_query_map().read_untracked().get("before");
    let data = Resource::new(move || before.clone(), admin_jobs);
    view! {
        <AdminPage
            title="Admin · Jobs"
            current="/admin"
            data
            section=|view| view! { <JobsSection view /> }.into_any()
        />
    }
}

fn ms_text(ms: Option<i64>) -> String {
    ms.map_or_else(|| "–".into(), |v| format!("{v} ms"))
}

/// The jobs section (the design catalogue shows it with seeded data).
#[component]
pub fn JobsSection(view: JobsView) -> impl IntoView {
    let older = view.next.as_ref().map(|n| older_href("/admin", &[], n));
    let failures = if view.failures.is_empty() {
        view! { <p class="empty">"No failed jobs."</p> }.into_any()
    } else {
        view! {
            <ServerForm action="/api/admin_rerun_all" class="inline" label="Re-run all failed jobs">
                <button type="submit">"Re-run all failed"</button>
            </ServerForm>
            <div class="table-scroll">
                <table class="admin-table">
                    <thead>
                        <tr>
                            <th scope="col">"Photo"</th>
                            <th scope="col">"Owner"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Attempts"</th>
                            <th scope="col">"Reason"</th>
                            <th scope="col">"Ended"</th>
                            <th scope="col"></th>
                        </tr>
                    </thead>
                    <tbody>
                        {view
                            .failures
                            .into_iter()
                            .map(|j| {
                                let id = j.photo_id.clone();
                                let class = format!("job job-{}", j.state);
                                view! {
                                    <tr class=class>
                                        <td><code>{j.photo_id}</code></td>
                                        <td>{j.owner}</td>
                                        <td>{j.state}</td>
                                        <td>{j.attempts}</td>
                                        <td class="reason">{j.reason}</td>
                                        <td>{j.finished}</td>
                                        <td>
                                            <ServerForm action="/api/admin_rerun" record=id.clone() label="Re-run">
                                                <input type="hidden" name="id" value=id />
                                                <button type="submit">"Re-run"</button>
                                            </ServerForm>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <OlderLink href=older still=true />
        }
        .into_any()
    };
    view! {
        <h2>"Jobs"</h2>
        <dl class="admin-counts">
            {view
                .counts
                .into_iter()
                .map(|(state, n)| view! { <div><dt>{state}</dt><dd>{n}</dd></div> })
                .collect_view()}
        </dl>
        <p>
            {format!(
                "Processing time over the last day ({} jobs): p50 {}, p90 {}, p99 {}.",
                view.done_last_day,
                ms_text(view.p50_ms),
                ms_text(view.p90_ms),
                ms_text(view.p99_ms),
            )}
        </p>
        <h2>"Latest failures"</h2>
        {failures}
    }
}
