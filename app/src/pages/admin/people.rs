//! `/admin/people`: everyone, newest sign-up first, with their photos and bytes; suspend
//! and unsuspend. Counts only: the console never shows anyone's photos.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{size, AdminPage};
use crate::api::admin::admin_people;
use crate::components::form::ServerForm;
use crate::components::paging::{older_href, OlderLink};
use crate::model::admin::{PeopleView, PersonItem};

#[component]
pub fn AdminPeoplePage() -> impl IntoView {
    let before = use_query_map().read_untracked().get("before");
    let data = Resource::new(move || before.clone(), admin_people);
    view! {
        <AdminPage
            title="Admin · People"
            current="/admin/people"
            data
            section=|view| view! { <PeopleSection view /> }.into_any()
        />
    }
}

/// A table of people; `actions`: the suspend buttons (the storage page lists without them).
#[component]
pub fn PeopleTable(people: Vec<PersonItem>, actions: bool) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="admin-table">
                <thead>
                    <tr>
                        <th scope="col">"Person"</th>
                        <th scope="col">"Joined"</th>
                        <th scope="col">"Last seen"</th>
                        <th scope="col">"Photos"</th>
                        <th scope="col">"Originals"</th>
                        <th scope="col">"Variants"</th>
                        {actions.then(|| view! { <th scope="col">"Status"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {people
                        .into_iter()
                        .map(|p| {
                            let action = (actions && !p.is_you)
                                .then(|| suspend_form(&p.id, p.suspended));
                            view! {
                                <tr class:suspended=p.suspended>
                                    <td>
                                        <a href=format!("/u/{}", p.username)>{p.username.clone()}</a>
                                    </td>
                                    <td>{p.joined}</td>
                                    <td>{p.last_seen.unwrap_or_else(|| "–".into())}</td>
                                    <td>{p.photos}</td>
                                    <td>{size(p.original_bytes)}</td>
                                    <td>{size(p.variant_bytes)}</td>
                                    {actions
                                        .then(|| {
                                            view! {
                                                <td>
                                                    {if p.suspended { "suspended" } else { "active" }}
                                                    " "
                                                    {action}
                                                </td>
                                            }
                                        })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn suspend_form(id: &str, suspended: bool) -> impl IntoView {
    let id = id.to_string();
    let (action, label) = if suspended {
        ("/api/admin_unsuspend", "Unsuspend")
    } else {
        ("/api/admin_suspend", "Suspend")
    };
    // Deleting is offered only once suspended: stop a person first, then remove them.
    let delete = suspended.then(|| {
        let id = id.clone();
        view! {
            <ServerForm action="/api/admin_delete_account" record=id.clone() class="inline" label="Delete account">
                <input type="hidden" name="id" value=id />
                <label>
                    "Type their username to delete the account and everything in it "
                    <input type="text" name="confirm" required autocomplete="off" />
                </label>
                <button type="submit">"Delete account"</button>
            </ServerForm>
        }
        .into_any()
    });
    view! {
        <ServerForm action=action record=id.clone() class="inline" label=label>
            <input type="hidden" name="id" value=id />
            <button type="submit">{label}</button>
        </ServerForm>
        {delete}
    }
    // Type-erased: the admin tables are too deep for the hydrate build otherwise.
    .into_any()
}

#[component]
pub fn PeopleSection(view: PeopleView) -> impl IntoView {
    let older = view
        .next
        .as_ref()
        .map(|n| older_href("/admin/people", &[], n));
    view! {
        <h2>"People"</h2>
        <p>"A suspended person cannot sign in, and their photos are hidden from everyone else."</p>
        <PeopleTable people=view.people actions=true />
        <OlderLink href=older still=true />
    }
}
