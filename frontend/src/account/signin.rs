//! Getting in: sign up, log in and its second step (the two-factor
//! code), the forgotten password and its reset.

use maud::{html, Markup};

use super::shared::{account_page, email, new_password, one_time_code, submit};
use crate::forms::{csrf, field, Common, Field};

pub struct SignupView<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
}

pub struct LoginView<'a> {
    pub email: &'a str,
    /// Where to go after logging in (a local path), kept in a hidden field.
    pub next: &'a str,
}

pub struct SecondFactorView<'a> {
    pub next: &'a str,
}

pub struct ForgotView<'a> {
    pub email: &'a str,
    /// The request was accepted: say a message was sent if the address is known.
    pub sent: bool,
}

pub struct ResetView<'a> {
    pub token: &'a str,
}

pub fn signup(c: &Common, v: &SignupView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Registrati", "Sign up"),
        &["email", "display_name", "password"],
        html! {
            p { (l.pick("Con un account puoi partecipare con commenti e segnalazioni.",
                        "With an account you can take part with comments and reports.")) }
            form class="stack" method="post" action="/account/registrati" {
                (csrf(c))
                (field(email(c, v.email)))
                (field(Field::keyed(c, "display_name", l.pick("Nome da mostrare", "Display name")).auto("nickname").value(v.display_name)
                    .hint(l.pick("Visibile a tutti accanto ai tuoi contributi.", "Shown to everyone next to your contributions."))))
                (field(new_password(c, "password", "Password")))
                (submit(l.pick("Crea l'account", "Create the account")))
            }
            p { (l.pick("Hai già un account? ", "Already have an account? ")) a href="/account/accedi" { (l.pick("Accedi", "Log in")) } }
        },
    )
}

pub fn login(c: &Common, v: &LoginView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Accedi", "Log in"),
        &["email", "password"],
        html! {
            form class="stack" method="post" action="/account/accedi" {
                (csrf(c))
                input type="hidden" name="next" value=(v.next);
                (field(email(c, v.email)))
                (field(Field::keyed(c, "password", "Password").kind("password").auto("current-password")))
                (submit(l.pick("Accedi", "Log in")))
            }
            ul class="links" {
                li { a href="/account/password-dimenticata" { (l.pick("Password dimenticata?", "Forgotten your password?")) } }
                li { a href="/account/registrati" { (l.pick("Non hai un account? Registrati", "No account yet? Sign up")) } }
            }
        },
    )
}

pub fn second_factor(c: &Common, v: &SecondFactorView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Codice di verifica", "Verification code"),
        &["code"],
        html! {
            p { (l.pick("Il tuo account è protetto dalla verifica in due passaggi.",
                        "Your account is protected by two-factor authentication.")) }
            form class="stack" method="post" action="/account/accedi/codice" {
                (csrf(c))
                input type="hidden" name="next" value=(v.next);
                // No inputmode=numeric: recovery codes contain letters.
                (field(one_time_code(c, "code", l.pick("Il codice di 6 cifre mostrato dalla tua app di autenticazione, oppure uno dei tuoi codici di recupero.",
                                                       "The 6-digit code shown by your authenticator app, or one of your recovery codes."))))
                (submit(l.pick("Verifica", "Verify")))
            }
            p { a href="/account/accedi" { (l.pick("Torna all'accesso", "Back to log in")) } }
        },
    )
}

pub fn forgot(c: &Common, v: &ForgotView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Password dimenticata", "Forgotten password"),
        &["email"],
        html! {
            @if v.sent {
                p {
                    (l.pick("Se esiste un account con l'indirizzo ", "If an account exists for "))
                    strong { (v.email) }
                    (l.pick(", ti abbiamo inviato un link per scegliere una nuova password. Il link è valido per 1 ora.",
                            ", we have sent it a link to choose a new password. The link is valid for 1 hour."))
                }
                p { (l.pick("Non trovi il messaggio? Controlla anche la cartella della posta indesiderata.",
                            "Can't find the message? Check your spam folder too.")) }
            } @else {
                p { (l.pick("Scrivi l'indirizzo e-mail del tuo account: ti invieremo un link per scegliere una nuova password.",
                            "Enter your account's email address: we will send you a link to choose a new password.")) }
                form class="stack" method="post" action="/account/password-dimenticata" {
                    (csrf(c))
                    (field(email(c, v.email)))
                    (submit(l.pick("Invia il link", "Send the link")))
                }
            }
            p { a href="/account/accedi" { (l.pick("Torna all'accesso", "Back to log in")) } }
        },
    )
}

pub fn reset(c: &Common, v: &ResetView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Nuova password", "New password"),
        &["password"],
        html! {
            form class="stack" method="post" action="/account/reimposta" {
                (csrf(c))
                input type="hidden" name="token" value=(v.token);
                (field(new_password(c, "password", l.pick("Nuova password", "New password"))))
                (submit(l.pick("Salva la nuova password", "Save the new password")))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::tests::common;
    use crate::i18n::Lang;
    use crate::page_checks::error;

    #[test]
    fn errors_are_summarised_and_tied_to_their_inputs() {
        let errors = [
            error("email", "Indirizzo non valido"),
            error("", "Riprova più tardi"),
        ];
        let c = common(Lang::It, &errors);
        let html = signup(
            &c,
            &SignupView {
                email: "x",
                display_name: "",
            },
        )
        .into_string();
        assert!(html.contains(r#"role="alert""#));
        assert!(html.contains(r##"<a href="#field-email">Indirizzo non valido</a>"##));
        assert!(html.contains("<li>Riprova più tardi</li>"));
        assert!(
            html.contains(r#"aria-describedby="field-email-error" aria-invalid="true""#),
            "{html}"
        );
        assert_eq!(html.matches("aria-invalid").count(), 1);
        assert!(html.contains("<title>Errore: Registrati"));
        let clean = signup(
            &common(Lang::It, &[]),
            &SignupView {
                email: "",
                display_name: "",
            },
        )
        .into_string();
        assert!(!clean.contains(r#"role="alert""#) && !clean.contains("aria-invalid"));
        assert!(
            clean
                .contains(r#"autocomplete="new-password" required minlength="12" maxlength="128""#),
            "{clean}"
        );
    }
}
