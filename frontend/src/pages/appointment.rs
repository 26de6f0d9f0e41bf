//! One appointment: details and history, cancel with a reason (the policy shown first),
//! reschedule with a day-by-day slot picker in the branch's time, ICS/PDF and Google Calendar.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_params_map;
use portal_api_types::appointments::{
    AppointmentDetail, AppointmentResponse, AppointmentStatus, RescheduleAppointment, Slot,
};

use crate::{
    api::{self, ApiError},
    browser,
    components::{ErrorNote, Loading},
    i18n::{self, Lang, T},
    live,
    pages::appointments::status_text,
    state::{ctx, on_session_error, tenant},
};

/// The detail screen.
#[component]
pub fn Appointment() -> impl IntoView {
    let ctx = ctx();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let detail = LocalResource::new(move || {
        let id = id();
        async move { api::appointment(&id).await }
    });
    // Another appointment's change leaves this one (and any open dialog) alone.
    if let Some(l) = live::use_live() {
        live::on_change(
            |l| l.appointments,
            move || {
                let changed = l.changed_appointment.get_untracked();
                let here = params.with_untracked(|p| p.get("id").unwrap_or_default());
                if changed.is_none_or(|c| c == here) {
                    detail.refetch();
                }
            },
        );
    }
    let back = format!("/c/{}", tenant().slug);
    // Outside the detail, so the confirmation survives the reload that follows a change.
    let done = RwSignal::new(None::<T>);
    view! {
        <a class="back" href=back>{move || ctx.t(T::Back)}</a>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <Detail detail=d done=done on_change=move || detail.refetch()/> }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Which dialog is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    None,
    Cancel,
    Reschedule,
}

/// The loaded appointment with its actions.
#[component]
fn Detail(
    /// Appointment and history.
    detail: AppointmentDetail,
    /// The confirmation of the last change, if any.
    done: RwSignal<Option<T>>,
    /// Reloads after a change.
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let a = detail.appointment.clone();
    let panel = RwSignal::new(Panel::None);
    let active = matches!(
        a.status,
        AppointmentStatus::Booked | AppointmentStatus::Confirmed
    );
    let upcoming =
        chrono::DateTime::parse_from_rfc3339(&a.starts_at).is_ok_and(|t| t > chrono::Utc::now());
    let starts = a.starts_at.clone();
    let header_a = a.clone();
    let history = detail.history.clone();
    let phone = a.branch.phone.clone().unwrap_or_default();
    let policy = move |allowed: bool, deadline: String, open: T, closed: T| {
        let phone = phone.clone();
        view! {
            <p class="policy">
                {move || if allowed {
                    format!("{} {}.", ctx.t(open), i18n::date_time(ctx.lang.get(), &deadline))
                } else {
                    format!("{} {}", ctx.t(closed), phone)
                }}
            </p>
        }
    };
    let cancel_rule = a.can_cancel.clone();
    let resched_rule = a.can_reschedule.clone();
    let id = a.id.to_string();
    let id2 = id.clone();
    let ra = a.clone();
    view! {
        <article class="card" aria-labelledby="appt-title">
            <h1 id="appt-title">{header_a.service.name.clone()}</h1>
            <p class="when big">{move || i18n::date_time(ctx.lang.get(), &starts)} " – " {i18n::time(&header_a.ends_at)}</p>
            <dl class="facts">
                <dt>{move || ctx.t(T::Status)}</dt><dd data-testid="status">{move || ctx.t(status_text(header_a.status))}</dd>
                <dt>{move || ctx.t(T::With)}</dt><dd>{header_a.staff.name.clone()}</dd>
                <dt>{move || ctx.t(T::Where)}</dt><dd>{header_a.branch.name.clone()} <br/> {header_a.branch.address.join(", ")}</dd>
                <dt>{move || ctx.t(T::TimeZone)}</dt><dd>{header_a.timezone.clone()}</dd>
                <dt>{move || ctx.t(T::Reference)}</dt><dd>{header_a.reference.clone()}</dd>
            </dl>
            {move || done.get().map(|t| view! { <p class="ok" role="status">{move || ctx.t(t)}</p> })}
            {active.then(|| view! {
                <section aria-label=move || ctx.t(T::Downloads)>
                    <h2>{move || ctx.t(T::Downloads)}</h2>
                    <Downloads appointment=a.clone()/>
                </section>
            })}
            {(active && upcoming).then(|| view! {
                <div class="actions">
                    {policy(resched_rule.allowed, resched_rule.deadline.clone(), T::ReschedulePolicy, T::RescheduleClosed)}
                    <button type="button" class="secondary" data-testid="reschedule" disabled=!resched_rule.allowed
                        aria-expanded=move || (panel.get() == Panel::Reschedule).to_string()
                        on:click=move |_| panel.set(Panel::Reschedule)>{move || ctx.t(T::Reschedule)}</button>
                    {policy(cancel_rule.allowed, cancel_rule.deadline.clone(), T::CancelPolicy, T::CancelClosed)}
                    <button type="button" class="danger" data-testid="cancel"
                        aria-expanded=move || (panel.get() == Panel::Cancel).to_string()
                        on:click=move |_| panel.set(Panel::Cancel)>{move || ctx.t(T::Cancel)}</button>
                </div>
            })}
            <Show when=move || panel.get() == Panel::Cancel>
                <CancelForm id=id.clone() on_done=move || { panel.set(Panel::None); done.set(Some(T::Cancelled)); on_change(); }
                    on_close=move || panel.set(Panel::None)/>
            </Show>
            <Show when=move || panel.get() == Panel::Reschedule>
                <Reschedule appointment=ra.clone() id=id2.clone()
                    on_done=move || { panel.set(Panel::None); done.set(Some(T::Rescheduled)); on_change(); }/>
            </Show>
            <h2>{move || ctx.t(T::History)}</h2>
            <ol class="history">
                {history.into_iter().map(|h| {
                    let kind = match h.kind.as_str() {
                        "booked" => T::HistBooked,
                        "rescheduled" => T::HistRescheduled,
                        "cancelled" => T::HistCancelled,
                        _ => T::HistChanged,
                    };
                    let by = if h.by == portal_api_types::appointments::Party::Customer { T::ByCustomer } else { T::ByBusiness };
                    view! {
                        <li>
                            <span>{move || ctx.t(kind)} " " {move || ctx.t(by)}</span>
                            <span class="muted">" · " {move || i18n::date_time(ctx.lang.get(), &h.at)}</span>
                            {h.reason.clone().map(|r| view! { <span class="muted">" · " {r}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </article>
    }
}

/// The cancel dialog: optional reason, explicit confirmation, refusals explained.
#[component]
fn CancelForm(
    /// Appointment id.
    id: String,
    /// Called after a successful cancellation.
    on_done: impl Fn() + Copy + Send + Sync + 'static,
    /// Closes the form without cancelling.
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.clone();
        let text = reason.get_untracked().trim().to_owned();
        busy.set(true);
        spawn_local(async move {
            match api::cancel(&id, (!text.is_empty()).then_some(text)).await {
                Ok(_) => on_done(),
                Err(e) => {
                    on_session_error(&e);
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel" on:submit=submit>
            <label for="reason">{move || ctx.t(T::CancelReason)}</label>
            <textarea id="reason" name="reason" maxlength="500" rows="3"
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <div class="row">
                <button type="submit" class="danger" data-testid="cancel-confirm" disabled=move || busy.get()>{move || ctx.t(T::CancelConfirm)}</button>
                <button type="button" class="secondary" on:click=move |_| on_close()>{move || ctx.t(T::Keep)}</button>
            </div>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </form>
    }
}

/// The slot picker: days as a row of buttons, then the free times of the chosen day.
#[component]
fn Reschedule(
    /// The appointment being moved.
    appointment: AppointmentResponse,
    /// Its id.
    id: String,
    /// Called after the move.
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let any_staff = RwSignal::new(false);
    let from = RwSignal::new(None::<String>);
    let chosen_day = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let slot_id = id.clone();
    let slots = LocalResource::new(move || {
        let id = slot_id.clone();
        let from = from.get();
        let any = any_staff.get();
        async move { api::slots(&id, from.as_deref(), any).await }
    });
    let current = appointment.starts_at.clone();
    let pick = move |slot: Slot| {
        let id = id.clone();
        let body = match chrono::DateTime::parse_from_rfc3339(&slot.starts_at) {
            Ok(starts_at) => RescheduleAppointment {
                starts_at,
                staff_id: Some(slot.staff.id),
            },
            Err(_) => return,
        };
        spawn_local(async move {
            match api::reschedule(&id, &body).await {
                Ok(_) => on_done(),
                Err(e) => {
                    on_session_error(&e);
                    error.set(Some(e));
                    slots.refetch();
                }
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="resched-title">
            <h2 id="resched-title">{move || ctx.t(T::Reschedule)}</h2>
            <label class="check">
                <input type="checkbox" prop:checked=move || any_staff.get()
                    on:change=move |ev| any_staff.set(event_target_checked(&ev))/>
                {move || ctx.t(T::AnyStaff)}
            </label>
            <Transition fallback=Loading>
                {move || {
                    let pick = pick.clone();
                    let current = current.clone();
                    Suspend::new(async move {
                        match slots.await {
                            Ok(list) => {
                                let days = group_by_day(&list.slots);
                                let last = list.slots.last().map(|s| s.ends_at.clone());
                                if days.is_empty() {
                                    return view! {
                                        <p class="empty">{move || ctx.t(T::NoSlots)}</p>
                                        <LaterButton last=last from=from chosen=chosen_day/>
                                    }.into_any();
                                }
                                let first = days[0].0.clone();
                                view! {
                                    <h3>{move || ctx.t(T::ChooseDay)}</h3>
                                    <div class="days" role="group" aria-label=move || ctx.t(T::ChooseDay)>
                                        {days.iter().map(|(day, slots)| {
                                            let day = day.clone();
                                            let label_src = slots[0].starts_at.clone();
                                            let d2 = day.clone();
                                            let f2 = first.clone();
                                            view! {
                                                <button type="button" class="day"
                                                    aria-pressed=move || (chosen_day.get().unwrap_or(f2.clone()) == d2).to_string()
                                                    on:click=move |_| chosen_day.set(Some(day.clone()))>
                                                    {move || i18n::date(ctx.lang.get(), &label_src)}
                                                </button>
                                            }
                                        }).collect_view()}
                                    </div>
                                    <h3>{move || ctx.t(T::ChooseTime)}</h3>
                                    <div class="times" role="group" aria-label=move || ctx.t(T::ChooseTime)>
                                        {move || {
                                            let day = chosen_day.get().unwrap_or(first.clone());
                                            days.iter().find(|(d, _)| *d == day).map(|(_, slots)| {
                                                slots.iter().filter(|s| s.starts_at != current).map(|s| {
                                                    let slot = s.clone();
                                                    let pick = pick.clone();
                                                    let label = format!("{} {} {}", i18n::time(&s.starts_at), ctx.t(T::With), s.staff.name);
                                                    let aria = format!("{} {}", ctx.t(T::MoveTo), i18n::date_time(ctx.lang.get(), &s.starts_at));
                                                    view! {
                                                        <button type="button" class="slot" aria-label=aria
                                                            on:click=move |_| pick(slot.clone())>{label}</button>
                                                    }
                                                }).collect_view()
                                            })
                                        }}
                                    </div>
                                    <LaterButton last=last from=from chosen=chosen_day/>
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        }
                    })
                }}
            </Transition>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </section>
    }
}

/// Loads the next week of slots.
#[component]
fn LaterButton(
    /// End of the last slot shown (the next page starts there).
    last: Option<String>,
    /// The query start to move.
    from: RwSignal<Option<String>>,
    /// The chosen day (reset on paging).
    chosen: RwSignal<Option<String>>,
) -> impl IntoView {
    let ctx = ctx();
    let next = last.or_else(|| {
        // Nothing in this week: look a week further.
        from.get_untracked()
            .and_then(|f| chrono::DateTime::parse_from_rfc3339(&f).ok())
            .map(|f| (f + chrono::Duration::days(7)).to_rfc3339())
            .or_else(|| Some((chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339()))
    });
    view! {
        <button type="button" class="link" on:click=move |_| { chosen.set(None); from.set(next.clone()); }>
            {move || ctx.t(T::LaterDays)}
        </button>
    }
}

/// Slots grouped by their local date (the date part of the RFC 3339 text, already in the
/// branch's offset), in order.
pub fn group_by_day(slots: &[Slot]) -> Vec<(String, Vec<Slot>)> {
    let mut days: Vec<(String, Vec<Slot>)> = Vec::new();
    for slot in slots {
        let day = slot.starts_at.get(..10).unwrap_or_default().to_owned();
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(slot.clone()),
            _ => days.push((day, vec![slot.clone()])),
        }
    }
    days
}

/// ICS, PDF and a Google Calendar link.
#[component]
fn Downloads(
    /// The appointment.
    appointment: AppointmentResponse,
) -> impl IntoView {
    let ctx = ctx();
    let error = RwSignal::new(None::<ApiError>);
    let id = appointment.id.to_string();
    let reference = appointment.reference.clone();
    let get = move |kind: &'static str| {
        let id = id.clone();
        let reference = reference.clone();
        move |_| {
            let id = id.clone();
            let reference = reference.clone();
            spawn_local(async move {
                match api::confirmation(&id, kind).await {
                    Ok(bytes) => {
                        let mime = if kind == "pdf" {
                            "application/pdf"
                        } else {
                            "text/calendar"
                        };
                        let _ =
                            browser::download(&bytes, mime, &format!("termin-{reference}.{kind}"));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let google = google_calendar_url(&appointment, ctx.lang.get_untracked());
    view! {
        <div class="row wrap">
            <button type="button" class="secondary" data-testid="ics" on:click=get("ics")>{move || ctx.t(T::DownloadIcs)}</button>
            <button type="button" class="secondary" data-testid="pdf" on:click=get("pdf")>{move || ctx.t(T::DownloadPdf)}</button>
            <a class="button secondary" href=google target="_blank" rel="noopener">{move || ctx.t(T::GoogleCalendar)}</a>
        </div>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
    }
}

/// A "create event" link for Google Calendar (times in UTC, which needs no time-zone database).
pub fn google_calendar_url(a: &AppointmentResponse, lang: Lang) -> String {
    let utc = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| {
                use chrono::{Datelike, Timelike};
                let t = t.with_timezone(&chrono::Utc);
                format!(
                    "{}{:02}{:02}T{:02}{:02}{:02}Z",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                )
            })
            .unwrap_or_default()
    };
    let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
    let details = format!("{} {} · {}", T::With.get(lang), a.staff.name, a.reference);
    format!(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text={}&dates={}/{}&details={}&location={}&ctz={}",
        enc(&a.service.name),
        utc(&a.starts_at),
        utc(&a.ends_at),
        enc(&details),
        enc(&format!(
            "{}, {}",
            a.branch.name,
            a.branch.address.join(", ")
        )),
        enc(&a.timezone),
    )
}
