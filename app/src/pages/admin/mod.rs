//! `/admin…`: the admin console, a page per section (issue 15). Every page asks a server
//! function that answers 404 to anyone but an admin, and shows that as the not-found page.
//! Plain SSR pages with plain forms: the same with JS on and off.

pub mod audit;
pub mod jobs;
pub mod people;
pub mod repair;
pub mod samples;
pub mod storage;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::error_box::ErrorBox;
use crate::error::LumenError;

/// A console page: its title, the sections, then `section` of what `data` loads (or the
/// error: a non-admin's 404). Every section page is this with its own server function.
#[component]
pub fn AdminPage<T>(
    title: &'static str,
    current: &'static str,
    data: Resource<Result<T, LumenError>>,
    section: fn(T) -> AnyView,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    view! {
        <Title text=title />
        <h1>"Admin"</h1>
        <AdminNav current />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => section(view),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The console's sections, the current one marked.
#[component]
pub fn AdminNav(current: &'static str) -> impl IntoView {
    let sections = [
        ("/admin", "Jobs"),
        ("/admin/storage", "Storage"),
        ("/admin/people", "People"),
        ("/admin/audit", "Audit"),
        ("/admin/repair", "Repair"),
    ];
    view! {
        <nav class="admin-nav" aria-label="Admin sections">
            {sections
                .into_iter()
                .map(|(href, label)| {
                    view! {
                        <a href=href aria-current=(href == current).then_some("page")>{label}</a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// Every section with sample data (a failed job, a dead one), for the design catalogue.
#[component]
pub fn AdminSamples() -> impl IntoView {
    // Type-erased one by one: together the sections' view types are too deep to compile.
    let sections = vec![
        view! { <AdminNav current="/admin" /> }.into_any(),
        view! { <jobs::JobsSection view=samples::jobs() /> }.into_any(),
        view! { <storage::StorageSection view=samples::storage() /> }.into_any(),
        view! { <people::PeopleSection view=samples::people() /> }.into_any(),
        view! { <audit::AuditSection view=samples::audit() /> }.into_any(),
        view! { <repair::RepairSection view=samples::repair() /> }.into_any(),
    ];
    view! { <div class="design-stack">{sections}</div> }
}

/// Bytes in words: `1.2 MB` (powers of 1000, as the free plan's allowances are stated).
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_well() {
        assert_eq!(super::size(999), "999 B");
        assert_eq!(super::size(1_250_000), "1.2 MB");
        assert_eq!(super::size(10_000_000_000), "10.0 GB");
    }
}
