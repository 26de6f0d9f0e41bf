//! The application frame: routes and the layout. The shared context (language, tenant, session)
//! lives in [`crate::state`], which pages, components, the lazy loader and live updates import
//! instead of this file.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{A, Outlet, ParentRoute, Route, Router, Routes},
    hooks::{use_location, use_navigate, use_params_map},
    path,
};
use portal_api_types::public::PublicCompany;

use crate::{
    api::{self, ApiError},
    browser,
    i18n::{Lang, T},
    lazy::{Lazy, Screen},
    pages,
    state::{Auth, Ctx, Tenant, ctx, tenant},
};

/// The root component: language, session check and routes.
#[component]
pub fn App() -> impl IntoView {
    let lang = browser::load("portal-lang")
        .map(|t| Lang::from_tag(&t))
        .unwrap_or_else(|| Lang::negotiate(browser::languages().iter().map(String::as_str)));
    browser::set_document_lang(lang.tag());
    let ctx = Ctx {
        lang: RwSignal::new(lang),
        auth: RwSignal::new(Auth::Checking),
        stale: RwSignal::new(false),
        expired: RwSignal::new(false),
        unread: RwSignal::new(0),
    };
    provide_context(ctx);
    crate::live::provide(ctx);
    let stale = ctx.stale;
    api::on_stale(move |s| stale.set(s));
    // A reload loses the in-memory token; the HttpOnly cookie gets a new one if the session lives.
    let hint = browser::load(api::SESSION_HINT).is_some();
    spawn_local(async move {
        if !hint {
            ctx.auth.set(Auth::SignedOut);
            return;
        }
        let state = match api::refresh().await {
            Ok(true) => Auth::SignedIn,
            Ok(false) => {
                ctx.expired.set(true);
                Auth::SignedOut
            }
            Err(ApiError::Offline) => Auth::Offline,
            Err(_) => Auth::SignedOut,
        };
        ctx.auth.set(state);
    });

    view! {
        <Router>
            <Routes fallback=|| view! { <pages::home::Home/> }>
                <Route path=path!("/") view=pages::home::Home/>
                <ParentRoute path=path!("/c/:slug") view=TenantLayout>
                    <Route path=path!("") view=|| view! { <RequireAuth><pages::appointments::Appointments/></RequireAuth> }/>
                    <Route path=path!("signin") view=pages::signin::SignIn/>
                    <Route path=path!("appointments/:id") view=|| view! { <RequireAuth><Lazy screen=Screen::Appointment/></RequireAuth> }/>
                    <Route path=path!("profile") view=|| view! { <RequireAuth><Lazy screen=Screen::Profile/></RequireAuth> }/>
                    <Route path=path!("preferences") view=|| view! { <RequireAuth><Lazy screen=Screen::Preferences/></RequireAuth> }/>
                    <Route path=path!("privacy") view=|| view! { <RequireAuth><Lazy screen=Screen::Privacy/></RequireAuth> }/>
                    <Route path=path!("messages") view=|| view! { <RequireAuth><Lazy screen=Screen::Messages/></RequireAuth> }/>
                    <Route path=path!("messages/:id") view=|| view! { <RequireAuth><Lazy screen=Screen::Message/></RequireAuth> }/>
                    <Route path=path!("support") view=|| view! { <RequireAuth><Lazy screen=Screen::Support/></RequireAuth> }/>
                    <Route path=path!("medical-history") view=|| view! { <RequireAuth><Lazy screen=Screen::Medical/></RequireAuth> }/>
                    <Route path=path!("devices") view=|| view! { <RequireAuth><Lazy screen=Screen::Devices/></RequireAuth> }/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Renders its children once a session exists (or offline); otherwise sends the customer to the
/// sign-in, which brings them back here afterwards.
#[component]
pub fn RequireAuth(
    /// The protected page.
    children: ChildrenFn,
) -> impl IntoView {
    let ctx = ctx();
    let navigate = use_navigate();
    let location = use_location();
    let tenant = tenant();
    Effect::new(move |_| {
        if ctx.auth.get() == Auth::SignedOut {
            let here = location.pathname.get_untracked();
            let next = String::from(js_sys::encode_uri_component(&here));
            navigate(
                &format!("/c/{}/signin?next={next}", tenant.slug),
                Default::default(),
            );
        }
    });
    move || match ctx.auth.get() {
        Auth::SignedIn | Auth::Offline => children().into_any(),
        Auth::Checking | Auth::SignedOut => {
            view! { <p class="muted" role="status">{ctx.t(T::Loading)}</p> }.into_any()
        }
    }
}

/// `/c/{slug}`: the company's name and colours, navigation and the page.
#[component]
fn TenantLayout() -> impl IntoView {
    let ctx = ctx();
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    provide_context(Tenant { slug: slug() });
    browser::store("portal-slug", &slug());
    let company = LocalResource::new(move || {
        let slug = slug();
        async move { api::company(&slug).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(c)) = company.get() {
            apply_branding(&c);
        }
    });
    Effect::new(move |_| {
        if ctx.auth.get() == Auth::SignedIn {
            spawn_local(async move {
                if let Ok(c) = api::unread_count().await {
                    ctx.unread.set(c.unread_count);
                }
            });
        }
    });
    let base = move || format!("/c/{}", slug());
    let signed_in = move || ctx.auth.get() == Auth::SignedIn;
    // Phones: the "more" sheet of the bottom tab bar; it closes on every navigation.
    let more = RwSignal::new(false);
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        more.set(false);
    });
    let navigate = use_navigate();
    let sign_out = move |_: leptos::ev::MouseEvent| {
        let navigate = navigate.clone();
        let target = format!("{}/signin", base());
        spawn_local(async move {
            let _ = api::sign_out().await;
            browser::clear_api_cache().await;
            ctx.auth.set(Auth::SignedOut);
            navigate(&target, Default::default());
        });
    };
    let company_name = move || match company.get() {
        Some(Ok(c)) => c.name,
        _ => String::new(),
    };
    let healthcare = move || matches!(company.get(), Some(Ok(c)) if c.industry == "healthcare");
    let unknown =
        move || matches!(company.get(), Some(Err(ApiError::Problem(p))) if p.status == 404);

    view! {
        <a class="skip" href="#main">{move || ctx.t(T::SkipToContent)}</a>
        <header class="bar">
            <div class="bar-inner">
                <A href=base attr:class="brand">{company_name}</A>
                <LangSwitch/>
            </div>
            <Show when=signed_in>
                <nav class="tabs" aria-label=move || ctx.t(T::Menu)
                    on:keydown=move |ev| if ev.key() == "Escape" { more.set(false) }>
                    <A href=base exact=true>{move || ctx.t(T::Appointments)}</A>
                    <A href=move || format!("{}/messages", base())>
                        {move || ctx.t(T::Messages)}
                        <Show when=move || { ctx.unread.get() > 0 }>
                            " " <span class="badge" data-testid="unread-badge">
                                <span class="sr">{move || ctx.t(T::UnreadMessages)} " "</span>{move || ctx.unread.get()}
                            </span>
                        </Show>
                    </A>
                    <A href=move || format!("{}/support", base())>{move || ctx.t(T::Support)}</A>
                    <button type="button" class="more" aria-controls="more-menu"
                        aria-expanded=move || more.get().to_string()
                        on:click=move |_| more.update(|open| *open = !*open)>
                        {move || ctx.t(T::More)}
                    </button>
                    <div id="more-menu" class="sheet" class:open=move || more.get()>
                    <Show when=healthcare>
                        <A href=move || format!("{}/medical-history", base())>{move || ctx.t(T::MedicalHistory)}</A>
                    </Show>
                    <A href=move || format!("{}/profile", base())>{move || ctx.t(T::Profile)}</A>
                    <A href=move || format!("{}/preferences", base())>{move || ctx.t(T::Preferences)}</A>
                    <A href=move || format!("{}/devices", base())>{move || ctx.t(T::Devices)}</A>
                    <A href=move || format!("{}/privacy", base())>{move || ctx.t(T::Privacy)}</A>
                    <button type="button" class="link" on:click=sign_out.clone()>{move || ctx.t(T::SignOut)}</button>
                    </div>
                </nav>
            </Show>
        </header>
        <Show when=move || ctx.stale.get() || ctx.auth.get() == Auth::Offline>
            <p class="banner" role="status">{move || ctx.t(T::Offline)}</p>
        </Show>
        <main id="main" tabindex="-1">
            <Show when=unknown fallback=|| view! { <Outlet/> }>
                <p class="error" role="alert">{move || ctx.t(T::UnknownCompany)}</p>
            </Show>
        </main>
    }
}

fn apply_branding(company: &PublicCompany) {
    browser::set_title(&company.name);
    if let Some(color) = company
        .brand_color
        .as_deref()
        .filter(|c| c.len() == 7 && c.starts_with('#'))
    {
        browser::set_css_var("--brand", color);
    }
}

/// The language switch: a real button announcing the language it switches to.
#[component]
fn LangSwitch() -> impl IntoView {
    let ctx = ctx();
    let other = move || match ctx.lang.get() {
        Lang::De => Lang::En,
        Lang::En => Lang::De,
    };
    view! {
        <button
            type="button"
            class="lang"
            aria-label=move || ctx.t(T::SwitchLanguage)
            lang=move || other().tag()
            on:click=move |_| ctx.set_lang(other())
        >
            {move || match other() { Lang::De => "Deutsch", Lang::En => "English" }}
        </button>
    }
}
