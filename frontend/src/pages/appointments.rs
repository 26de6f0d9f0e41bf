//! The appointment list: upcoming (soonest first) and past (latest first).

use leptos::prelude::*;
use leptos_router::components::A;
use portal_api_types::appointments::{AppointmentResponse, AppointmentStatus};

use crate::{
    api,
    components::{ErrorNote, Loading},
    i18n::{self, T},
    live,
    state::{ctx, tenant},
};

/// The status as a word.
pub fn status_text(status: AppointmentStatus) -> T {
    match status {
        AppointmentStatus::Booked => T::StatusBooked,
        AppointmentStatus::Confirmed => T::StatusConfirmed,
        AppointmentStatus::Cancelled => T::StatusCancelled,
        AppointmentStatus::Completed => T::StatusCompleted,
        AppointmentStatus::NoShow => T::StatusNoShow,
    }
}

/// The list screen with its two tabs.
#[component]
pub fn Appointments() -> impl IntoView {
    let ctx = ctx();
    let past = RwSignal::new(false);
    let list = LocalResource::new(move || api::appointments(past.get()));
    live::on_change(|l| l.appointments, move || list.refetch());
    let tab = move |is_past: bool, label: T| {
        view! {
            <button type="button" role="tab" class="tab"
                aria-selected=move || (past.get() == is_past).to_string()
                on:click=move |_| past.set(is_past)>
                {move || ctx.t(label)}
            </button>
        }
    };
    view! {
        <h1>{move || ctx.t(T::Appointments)}</h1>
        <div role="tablist" class="segmented">
            {tab(false, T::Upcoming)}
            {tab(true, T::Past)}
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) if page.items.is_empty() => {
                        let empty = if past.get_untracked() { T::NoPast } else { T::NoUpcoming };
                        view! { <p class="empty">{move || ctx.t(empty)}</p> }.into_any()
                    }
                    Ok(page) => view! {
                        <ul class="cards" data-testid="appointments">
                            {page.items.into_iter().map(|a| view! { <AppointmentCard appointment=a/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One appointment in the list: date, time, service and person, linking to the detail.
#[component]
fn AppointmentCard(
    /// The appointment to show.
    appointment: AppointmentResponse,
) -> impl IntoView {
    let ctx = ctx();
    let href = format!("/c/{}/appointments/{}", tenant().slug, appointment.id);
    let a = appointment;
    let cancelled = a.status == AppointmentStatus::Cancelled;
    let starts = a.starts_at.clone();
    view! {
        <li class="card appt" class:cancelled=cancelled>
            <A href=href>
                <span class="when">
                    {move || i18n::date(ctx.lang.get(), &starts)} " · " {i18n::time(&a.starts_at)}
                </span>
                <span class="what">{a.service.name.clone()}</span>
                <span class="muted">{move || ctx.t(T::With)} " " {a.staff.name.clone()} " · " {a.branch.name.clone()}</span>
                <span class="status">{move || ctx.t(status_text(a.status))}</span>
            </A>
        </li>
    }
}
