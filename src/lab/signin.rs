//! The researcher's sign-in on the server (the mock needs none: its researcher is this
//! browser). With the researcher's own account, not a demo user's: the console then keeps
//! studies in the server's database and reads everyone's events.

use super::i18n::LabMsg;
use super::keeper::{Keeper, Studies};
use hongbao_engine::Lang;
use leptos::prelude::*;

#[component]
pub fn SignIn(lang: RwSignal<Lang>, studies: Studies) -> impl IntoView {
    let t = move |m: LabMsg| move || m.text(lang.get());
    let (user, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let sign_in = Action::new_local(move |(user, password): &(String, String)| {
        let (user, password) = (user.clone(), password.clone());
        let keeper = studies.keeper();
        async move {
            let Keeper::Server(research) = keeper else {
                return Ok(());
            };
            research
                .sign_in(&user, &password)
                .await
                .map_err(|e| e.message)?;
            // The server's studies first, then the views that read them.
            studies.reload().await;
            studies.researcher.set(research.researcher());
            Ok::<(), String>(())
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch((
            user.get_untracked().trim().to_owned(),
            password.get_untracked(),
        ));
    };
    view! {
        <form class="hb-lab-form hb-lab-signin" data-testid="lab-signin" on:submit=submit>
            <p class="hb-lab-hint">{t(LabMsg::SignInHint)}</p>
            <label>
                {t(LabMsg::Username)}
                <input
                    data-testid="lab-signin-user"
                    autocomplete="username"
                    prop:value=move || user.get()
                    on:input=move |ev| user.set(event_target_value(&ev))
                />
            </label>
            <label>
                {t(LabMsg::Password)}
                <input
                    type="password"
                    data-testid="lab-signin-password"
                    autocomplete="current-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </label>
            <button class="hb-button" type="submit" data-testid="lab-signin-submit" disabled=move || sign_in.pending().get()>
                {t(LabMsg::SignIn)}
            </button>
            {move || {
                sign_in.value().get().and_then(Result::err).map(|message| view! {
                    <p class="hb-lab-error" role="alert" data-testid="lab-signin-error">{message}</p>
                })
            }}
        </form>
    }
}
