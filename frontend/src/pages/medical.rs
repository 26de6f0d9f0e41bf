//! Medical history (healthcare companies only): the consent step, the form with the server's
//! field limits, and the list of earlier versions, each viewable. Every call needs a recent
//! sign-in; the refusal offers "sign in again", which returns here.

use leptos::{prelude::*, task::spawn_local};
use portal_api_types::{
    medical::{EmergencyContact, Insurance, MedicalHistory, MedicalHistoryVersion},
    text::BoundedText,
};

use crate::{
    api::{self, ApiError},
    components::{ErrorNote, Loading, SaveStatus},
    i18n::{self, T},
    state::ctx,
};

fn invalid() -> ApiError {
    ApiError::Problem(portal_api_types::Problem::new(
        portal_api_types::ErrorCode::ValidationFailed,
        "invalid input",
    ))
}

/// The form's input does not fit the limits (shown as `validation_failed`).
struct Invalid;

/// An optional field: empty is `None`, otherwise it must fit the limit.
fn optional<const MAX: usize>(text: &str) -> Result<Option<BoundedText<MAX>>, Invalid> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    BoundedText::parse(text).map(Some).map_err(|_| Invalid)
}

fn text<const MAX: usize>(value: &Option<BoundedText<MAX>>) -> String {
    value
        .as_ref()
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default()
}

/// The screen.
#[component]
pub fn Medical() -> impl IntoView {
    let ctx = ctx();
    let current = LocalResource::new(api::medical_history);
    let error = RwSignal::new(None::<ApiError>);
    let consent = move |granted: bool| {
        error.set(None);
        spawn_local(async move {
            match api::set_medical_consent(granted).await {
                Ok(_) => current.refetch(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <h1>{move || ctx.t(T::MedicalHistory)}</h1>
        <p class="muted">{move || ctx.t(T::MedicalIntro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match current.await {
                    Ok(c) if !c.consent.granted => view! { <ConsentStep on_consent=move || consent(true)/> }.into_any(),
                    Ok(c) => {
                        let since = c.consent.granted_at.map(|t| t.to_rfc3339()).unwrap_or_default();
                        view! {
                            <MedicalForm current=c.current.map(|v| v.content).unwrap_or_default() on_saved=move || current.refetch()/>
                            <Versions/>
                            <section class="card">
                                <h2>{move || ctx.t(T::MedicalConsentTitle)}</h2>
                                <p class="muted">{move || ctx.t(T::MedicalConsentSince)} " " {move || i18n::date_time(ctx.lang.get(), &since)}</p>
                                <button type="button" class="secondary" data-testid="medical-withdraw" on:click=move |_| consent(false)>{move || ctx.t(T::MedicalConsentWithdraw)}</button>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
    }
}

/// The explicit consent (GDPR Art. 9) before anything is stored.
#[component]
fn ConsentStep(
    /// Called when the customer consents.
    on_consent: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let agreed = RwSignal::new(false);
    view! {
        <form class="card" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); if agreed.get_untracked() { on_consent() } }>
            <h2>{move || ctx.t(T::MedicalConsentTitle)}</h2>
            <label class="check">
                <input type="checkbox" id="medical-consent" prop:checked=move || agreed.get()
                    on:change=move |ev| agreed.set(event_target_checked(&ev))/>
                {move || ctx.t(T::MedicalConsentText)}
            </label>
            <button type="submit" class="primary" data-testid="medical-consent" disabled=move || !agreed.get()>{move || ctx.t(T::MedicalConsentGive)}</button>
        </form>
    }
}

/// One labelled input (or text area) with its limit.
fn field(
    id: &'static str,
    label: T,
    max: usize,
    value: RwSignal<String>,
    area: bool,
) -> impl IntoView {
    let ctx = ctx();
    let hint = format!("{id}-hint");
    let input = if area {
        view! {
            <textarea id=id name=id rows="3" maxlength=max.to_string() aria-describedby=hint.clone()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id name=id maxlength=max.to_string() aria-describedby=hint.clone()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        }
        .into_any()
    };
    view! {
        <label for=id>{move || ctx.t(label)}</label>
        {input}
        <p class="muted small" id=hint>{move || ctx.t(T::MaxChars)} " " {max}</p>
    }
}

/// The form; saving writes a new version.
#[component]
fn MedicalForm(
    /// The newest version's content (empty before the first).
    current: MedicalHistory,
    /// Called after a save.
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let allergies = RwSignal::new(text(&current.allergies));
    let medications = RwSignal::new(text(&current.medications));
    let conditions = RwSignal::new(text(&current.conditions));
    let provider = RwSignal::new(
        current
            .insurance
            .as_ref()
            .map(|i| i.provider.as_str().to_owned())
            .unwrap_or_default(),
    );
    let number = RwSignal::new(
        current
            .insurance
            .as_ref()
            .map(|i| text(&i.number))
            .unwrap_or_default(),
    );
    let contact = RwSignal::new(
        current
            .emergency_contact
            .as_ref()
            .map(|c| c.name.as_str().to_owned())
            .unwrap_or_default(),
    );
    let contact_phone = RwSignal::new(
        current
            .emergency_contact
            .as_ref()
            .map(|c| c.phone.as_str().to_owned())
            .unwrap_or_default(),
    );
    let relationship = RwSignal::new(
        current
            .emergency_contact
            .as_ref()
            .map(|c| text(&c.relationship))
            .unwrap_or_default(),
    );
    let notes = RwSignal::new(text(&current.notes));
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let build = move || -> Result<MedicalHistory, Invalid> {
        let provider = optional::<100>(&provider.get_untracked())?;
        let number = optional::<50>(&number.get_untracked())?;
        let contact = optional::<100>(&contact.get_untracked())?;
        let contact_phone = optional::<32>(&contact_phone.get_untracked())?;
        let relationship = optional::<50>(&relationship.get_untracked())?;
        Ok(MedicalHistory {
            allergies: optional(&allergies.get_untracked())?,
            medications: optional(&medications.get_untracked())?,
            conditions: optional(&conditions.get_untracked())?,
            insurance: match (provider, number) {
                (Some(provider), number) => Some(Insurance { provider, number }),
                (None, None) => None,
                (None, Some(_)) => return Err(Invalid),
            },
            emergency_contact: match (contact, contact_phone, relationship) {
                (Some(name), Some(phone), relationship) => Some(EmergencyContact {
                    name,
                    phone,
                    relationship,
                }),
                (None, None, None) => None,
                _ => return Err(Invalid),
            },
            notes: optional(&notes.get_untracked())?,
        })
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        error.set(None);
        let body = match build() {
            Ok(body) => body,
            Err(Invalid) => {
                error.set(Some(invalid()));
                return;
            }
        };
        busy.set(true);
        spawn_local(async move {
            match api::save_medical_history(&body).await {
                Ok(_) => {
                    saved.set(true);
                    on_saved();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" on:submit=save data-testid="medical-form">
            {field("allergies", T::Allergies, 2000, allergies, true)}
            {field("medications", T::Medications, 2000, medications, true)}
            {field("conditions", T::Conditions, 2000, conditions, true)}
            <fieldset>
                <legend>{move || ctx.t(T::Insurance)}</legend>
                {field("insurance-provider", T::Insurance, 100, provider, false)}
                {field("insurance-number", T::InsuranceNumber, 50, number, false)}
            </fieldset>
            <fieldset>
                <legend>{move || ctx.t(T::EmergencyContact)}</legend>
                {field("contact-name", T::Name, 100, contact, false)}
                {field("contact-phone", T::Phone, 32, contact_phone, false)}
                {field("contact-relationship", T::Relationship, 50, relationship, false)}
            </fieldset>
            {field("notes", T::Notes, 4000, notes, true)}
            <button type="submit" class="primary" disabled=move || busy.get()>{move || ctx.t(T::Save)}</button>
            <SaveStatus saved=saved error=error/>
        </form>
    }
}

/// The versions, newest first; "show" opens one read-only.
#[component]
fn Versions() -> impl IntoView {
    let ctx = ctx();
    let list = LocalResource::new(api::medical_versions);
    let shown = RwSignal::new(None::<Result<MedicalHistoryVersion, ApiError>>);
    let show = move |n: i32| {
        spawn_local(async move { shown.set(Some(api::medical_version(n).await)) });
    };
    view! {
        <section class="card">
            <h2>{move || ctx.t(T::Versions)}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) if l.items.is_empty() => view! { <p class="empty">{move || ctx.t(T::NoVersions)}</p> }.into_any(),
                        Ok(mut l) => {
                            l.items.sort_by_key(|v| std::cmp::Reverse(v.version));
                            view! {
                            <ul class="versions" data-testid="medical-versions">
                                {l.items.into_iter().map(|v| {
                                    let at = v.created_at.to_rfc3339();
                                    let by = if v.written_by == "customer" { T::WrittenByYou } else { T::WrittenByStaff };
                                    let n = v.version;
                                    view! {
                                        <li class="row wrap">
                                            <span>{move || ctx.t(T::Version)} " " {n} " · " {move || i18n::date_time(ctx.lang.get(), &at)} " · " {move || ctx.t(by)}</span>
                                            <button type="button" class="link" on:click=move |_| show(n)
                                                aria-label=move || format!("{} {} {n}", ctx.t(T::Show), ctx.t(T::Version))>
                                                {move || ctx.t(T::Show)}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Transition>
            {move || shown.get().map(|r| match r {
                Ok(v) => view! { <VersionView version=v/> }.into_any(),
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
            })}
        </section>
    }
}

/// One version, read-only.
#[component]
fn VersionView(
    /// The version to show.
    version: MedicalHistoryVersion,
) -> impl IntoView {
    let ctx = ctx();
    let c = version.content;
    let insurance = c.insurance.map(|i| match i.number {
        Some(n) => format!("{} ({})", i.provider.as_str(), n.as_str()),
        None => i.provider.as_str().to_owned(),
    });
    let contact = c.emergency_contact.map(|e| match e.relationship {
        Some(r) => format!("{}, {} ({})", e.name.as_str(), e.phone.as_str(), r.as_str()),
        None => format!("{}, {}", e.name.as_str(), e.phone.as_str()),
    });
    let rows = [
        (T::Allergies, c.allergies.map(String::from)),
        (T::Medications, c.medications.map(String::from)),
        (T::Conditions, c.conditions.map(String::from)),
        (T::Insurance, insurance),
        (T::EmergencyContact, contact),
        (T::Notes, c.notes.map(String::from)),
    ];
    let n = version.version;
    view! {
        <div class="panel" data-testid="medical-version" tabindex="-1">
            <h3>{move || ctx.t(T::Version)} " " {n}</h3>
            <dl class="facts">
                {rows.into_iter().map(|(label, value)| view! {
                    <dt>{move || ctx.t(label)}</dt>
                    <dd class="body">{value.unwrap_or_else(|| "–".to_owned())}</dd>
                }).collect_view()}
            </dl>
        </div>
    }
}
