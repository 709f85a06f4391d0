//! The account's settings and security: password, e-mail address, log
//! out everywhere, data export and deletion; the open sessions;
//! two-factor authentication (enrolment, recovery codes, turning it off).

use maud::{html, Markup, PreEscaped};

use super::shared::{
    account_nav, account_page, current_password, keys, new_password, one_time_code, submit,
};
use crate::forms::{csrf, error_for, error_text, field, inline_form, Common, Field};
use crate::tables::column_heads;

pub struct SettingsView<'a> {
    pub email: &'a str,
    /// An address change waiting for confirmation.
    pub pending_email: Option<&'a str>,
}

pub struct SessionRow<'a> {
    pub id: &'a str,
    pub created: &'a str,
    pub last_used: &'a str,
    pub user_agent: &'a str,
    pub current: bool,
}

pub struct SessionsView<'a> {
    pub sessions: &'a [SessionRow<'a>],
}

pub struct Enrolment<'a> {
    /// The secret in base32, for typing into an app by hand.
    pub secret: &'a str,
    /// The QR code of the otpauth:// URL, already an `<svg>` element.
    pub qr_svg: &'a str,
}

pub struct TwoFactorView<'a> {
    pub enabled: bool,
    pub required: bool,
    /// Present while enrolling: scan, then confirm with a code.
    pub enrolment: Option<Enrolment<'a>>,
    /// Shown once, right after enrolment or regeneration.
    pub recovery_codes: Option<&'a [String]>,
    pub recovery_remaining: usize,
}

pub fn settings(c: &Common, v: &SettingsView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Impostazioni", "Settings"),
        &[
            "current_password",
            "new_password",
            "new_email",
            "password",
            keys::DELETE_PASSWORD,
            "contributions",
        ],
        html! {
            (account_nav(c, "/account/impostazioni"))
            h2 { (l.pick("Cambia la password", "Change your password")) }
            form class="stack" method="post" action="/account/password" {
                (csrf(c))
                (field(current_password(c, "current_password")))
                (field(new_password(c, "new_password", l.pick("Nuova password", "New password"))))
                (submit(l.pick("Cambia la password", "Change the password")))
            }
            h2 { (l.pick("Cambia l'indirizzo e-mail", "Change your email address")) }
            p { (l.pick("Indirizzo attuale: ", "Current address: ")) strong { (v.email) } }
            @if let Some(pending) = v.pending_email {
                p class="notice" {
                    (l.pick("Nuovo indirizzo in attesa di conferma: ", "New address waiting for confirmation: "))
                    strong { (pending) } ". "
                    (l.pick("Apri il link che ti abbiamo inviato a quell'indirizzo.", "Open the link we sent to that address."))
                }
            }
            form class="stack" method="post" action="/account/email" {
                (csrf(c))
                (field(Field::keyed(c, "new_email", l.pick("Nuovo indirizzo e-mail", "New email address")).kind("email").auto("email").verbatim()
                    .hint(l.pick("Ti invieremo un link per confermarlo, valido per 24 ore.", "We will send a link to confirm it, valid for 24 hours."))))
                (field(current_password(c, "password")))
                (submit(l.pick("Cambia l'indirizzo", "Change the address")))
            }
            h2 { (l.pick("Esci da tutti i dispositivi", "Log out everywhere")) }
            p { (l.pick("Chiude tutte le sessioni aperte, compresa questa.", "Ends every open session, this one included.")) }
            (inline_form(c, "/account/esci-ovunque", html! {
                (submit(l.pick("Esci ovunque", "Log out everywhere")))
            }))
            h2 { (l.pick("I tuoi dati", "Your data")) }
            p { a href="/account/dati" download { (l.pick("Scarica i tuoi dati (JSON)", "Download your data (JSON)")) } }
            h2 { (l.pick("Elimina l'account", "Delete your account")) }
            p { (l.pick("L'eliminazione è definitiva e non si può annullare.", "Deletion is permanent and cannot be undone.")) }
            form class="stack" method="post" action="/account/elimina" {
                (csrf(c))
                (field(current_password(c, keys::DELETE_PASSWORD).name("password")))
                @let error = error_for(c, "contributions");
                fieldset aria-describedby=[error.map(|_| "field-contributions-error")] {
                    legend { (l.pick("I tuoi contributi", "Your contributions")) }
                    @if let Some(message) = error { (error_text("field-contributions-error", l, message)) }
                    div class="choice" {
                        input type="radio" id="field-contributions" name="contributions" value="anonymise" checked;
                        label for="field-contributions" { (l.pick("Mantieni i miei contributi come «utente eliminato»", "Keep my contributions as “deleted user”")) }
                    }
                    div class="choice" {
                        input type="radio" id="field-contributions-remove" name="contributions" value="remove";
                        label for="field-contributions-remove" { (l.pick("Cancella anche i miei contributi", "Delete my contributions too")) }
                    }
                }
                button type="submit" class="danger" { (l.pick("Elimina definitivamente l'account", "Delete the account permanently")) }
            }
        },
    )
}

pub fn sessions(c: &Common, v: &SessionsView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Sessioni", "Sessions"),
        &[],
        html! {
            (account_nav(c, "/account/sessioni"))
            p { (l.pick("I dispositivi da cui hai effettuato l'accesso. Se non ne riconosci uno, revocalo e cambia la password.",
                        "The devices you are logged in on. If you don't recognise one, revoke it and change your password.")) }
            table {
                caption { (l.pick("Sessioni aperte", "Open sessions")) }
                (column_heads(&[
                    l.pick("Dispositivo", "Device"), l.pick("Aperta il", "Started"),
                    l.pick("Ultimo uso", "Last used"), l.pick("Azione", "Action"),
                ], &[]))
                tbody {
                    @for s in v.sessions {
                        @let device = if s.user_agent.trim().is_empty() { l.pick("Dispositivo sconosciuto", "Unknown device") } else { s.user_agent };
                        tr {
                            th scope="row" {
                                (device)
                                @if s.current { " " strong { (l.pick("(questa sessione)", "(this session)")) } }
                            }
                            td { (s.created) }
                            td { (s.last_used) }
                            td {
                                (inline_form(c, &format!("/account/sessioni/{}/revoca", s.id), html! {
                                    button type="submit" {
                                        @if s.current {
                                            (l.pick("Esci da questa sessione", "Log out of this session"))
                                        } @else {
                                            (l.pick("Revoca", "Revoke"))
                                            span class="visually-hidden" {
                                                (l.pick(" la sessione ", " the session ")) (device)
                                                (l.pick(" del ", " of ")) (s.created)
                                            }
                                        }
                                    }
                                }))
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn two_factor(c: &Common, v: &TwoFactorView) -> Markup {
    let l = c.lang;
    let code_hint = l.pick(
        "Il codice di 6 cifre mostrato ora dalla tua app di autenticazione.",
        "The 6-digit code your authenticator app shows now.",
    );
    let any_code_hint = l.pick(
        "Il codice di 6 cifre della tua app di autenticazione, oppure un codice di recupero.",
        "The 6-digit code from your authenticator app, or a recovery code.",
    );
    account_page(
        c,
        l.pick("Verifica in due passaggi", "Two-factor authentication"),
        &["code", "password", keys::DISABLE_CODE],
        html! {
            (account_nav(c, "/account/2fa"))
            @if v.required {
                p class="notice" { (l.pick("Per moderatori e amministratori la verifica in due passaggi è obbligatoria.",
                                           "Two-factor authentication is mandatory for moderators and administrators.")) }
            }
            @if let Some(codes) = v.recovery_codes {
                section class="notice warning" aria-labelledby="recovery-codes" {
                    h2 id="recovery-codes" { (l.pick("I tuoi codici di recupero", "Your recovery codes")) }
                    p { strong { (l.pick("Salvali ora in un posto sicuro: non li mostreremo più.",
                                         "Save them now somewhere safe: we will not show them again.")) }
                        " " (l.pick("Se perdi il telefono, ogni codice ti fa accedere una sola volta.",
                                    "If you lose your phone, each code lets you log in once.")) }
                    ul class="codes" { @for code in codes { li { code { (code) } } } }
                }
            }
            @if v.enabled {
                p { (l.pick("Stato: ", "Status: ")) strong { (l.pick("attiva", "on")) } }
                p { (l.pick("Codici di recupero ancora utilizzabili: ", "Recovery codes left: ")) (v.recovery_remaining) }
                h2 { (l.pick("Nuovi codici di recupero", "New recovery codes")) }
                p { (l.pick("I nuovi codici sostituiscono tutti quelli precedenti.", "The new codes replace all the previous ones.")) }
                form class="stack" method="post" action="/account/2fa/codici" {
                    (csrf(c))
                    (field(one_time_code(c, "code", any_code_hint)))
                    (submit(l.pick("Genera nuovi codici", "Generate new codes")))
                }
                h2 { (l.pick("Disattiva", "Turn off")) }
                @if v.required {
                    p { (l.pick("Finché sei moderatore o amministratore non puoi disattivare la verifica in due passaggi.",
                                "While you are a moderator or an administrator you cannot turn off two-factor authentication.")) }
                } @else {
                    form class="stack" method="post" action="/account/2fa/disattiva" {
                        (csrf(c))
                        (field(current_password(c, "password")))
                        (field(one_time_code(c, keys::DISABLE_CODE, any_code_hint)))
                        (submit(l.pick("Disattiva la verifica in due passaggi", "Turn off two-factor authentication")))
                    }
                }
            } @else if let Some(e) = &v.enrolment {
                p { (l.pick("Per attivarla servono un'app di autenticazione sul telefono (per esempio FreeOTP, Aegis o Google Authenticator) e tre passaggi.",
                            "To turn it on you need an authenticator app on your phone (for example FreeOTP, Aegis or Google Authenticator) and three steps.")) }
                ol class="steps" {
                    li {
                        p { (l.pick("Nell'app, aggiungi un account e inquadra questo codice QR.", "In the app, add an account and scan this QR code.")) }
                        figure class="qr" {
                            (PreEscaped(e.qr_svg))
                            figcaption { (l.pick("Codice QR per aggiungere Open Welfare Bologna all'app di autenticazione",
                                                 "QR code to add Open Welfare Bologna to your authenticator app")) }
                        }
                    }
                    li {
                        p { (l.pick("Se non puoi inquadrarlo, scrivi nell'app questa chiave:", "If you cannot scan it, type this key into the app:")) }
                        p { code class="secret" { (e.secret) } }
                    }
                    li {
                        p { (l.pick("Scrivi qui il codice che l'app mostra, per confermare.", "Enter the code the app shows, to confirm.")) }
                        form class="stack" method="post" action="/account/2fa/conferma" {
                            (csrf(c))
                            (field(one_time_code(c, "code", code_hint)))
                            (submit(l.pick("Conferma e attiva", "Confirm and turn on")))
                        }
                    }
                }
            } @else {
                p { (l.pick("Stato: ", "Status: ")) strong { (l.pick("non attiva", "off")) } }
                p { (l.pick("Con la verifica in due passaggi, per accedere servono la password e un codice generato da un'app sul tuo telefono: chi scopre la password da sola non entra.",
                            "With two-factor authentication, logging in takes your password and a code made by an app on your phone: someone who only finds out your password cannot get in.")) }
                (inline_form(c, "/account/2fa/avvia", html! {
                    (submit(l.pick("Attiva la verifica in due passaggi", "Turn on two-factor authentication")))
                }))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::tests::{common, every_page, settings_html};
    use crate::i18n::Lang;
    use crate::page_checks::{error, get};

    #[test]
    fn the_delete_form_has_its_own_password_key() {
        let errors = [error(keys::DELETE_PASSWORD, "Password errata")];
        let html = settings_html(&common(Lang::It, &errors));
        assert!(html.contains(r##"href="#field-delete_password""##));
        assert!(html.contains(r#"id="field-delete_password" name="password""#));
        assert_eq!(html.matches("aria-invalid").count(), 1);
        assert!(html.contains(r#"value="anonymise" checked"#));
        assert!(html.contains(r#"class="danger""#));
    }

    #[test]
    fn two_factor_states() {
        let pages = every_page(Lang::It, &[], "x");
        let get = |n: &str| get(&pages, n);
        let enrol = get("2fa_enrol");
        assert!(
            enrol.contains("<figure class=\"qr\"><svg")
                && enrol.contains("<code class=\"secret\">JBSWY3DPEHPK3PXP</code>")
        );
        assert!(enrol.contains(r#"action="/account/2fa/conferma""#));
        assert!(!enrol.contains("inputmode"));
        let on = get("2fa_on");
        assert!(on.contains("<code>abcd-efgh</code>") && on.contains("/account/2fa/disattiva"));
        assert!(!get("2fa_required").contains("/account/2fa/disattiva"));
        assert!(get("2fa_off").contains(r#"action="/account/2fa/avvia""#));
        let profile = get("profile");
        assert!(
            profile.contains(r#"href="/account/2fa""#)
                && profile.contains("/account/verifica/invia")
        );
        assert!(
            profile.contains(r#"aria-current="page""#) && profile.contains(r#"href="/utenti/5""#)
        );
    }
}
