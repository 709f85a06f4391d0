//! Profiles: your own (address, role, display name, presentation, the
//! association) and the public one that others see.

use maud::{html, Markup};

use super::association::{association_info, AssociationInfo};
use super::shared::{account_nav, account_page, submit, website, Role};
use crate::forms::{csrf, field, inline_form, Common, Field};

pub struct ProfileView<'a> {
    pub user_id: i64,
    pub email: &'a str,
    pub display_name: &'a str,
    pub bio: &'a str,
    pub role: Role,
    pub email_verified: bool,
    pub totp_enabled: bool,
    /// Moderators and admins must enrol before they can use their powers.
    pub totp_required: bool,
    pub association: Option<AssociationInfo<'a>>,
}

pub struct PublicProfileView<'a> {
    pub display_name: &'a str,
    pub bio: &'a str,
    pub role: Role,
    pub association: Option<(&'a str, &'a str)>,
    pub member_since: &'a str,
}

pub fn profile(c: &Common, v: &ProfileView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Il tuo profilo", "Your profile"),
        &["display_name", "bio"],
        html! {
            @if v.totp_required && !v.totp_enabled {
                section class="notice warning" aria-labelledby="totp-required" {
                    h2 id="totp-required" { (l.pick("Attiva la verifica in due passaggi", "Turn on two-factor authentication")) }
                    p { (l.pick("Moderatori e amministratori devono attivare la verifica in due passaggi prima di poter usare i propri poteri.",
                                "Moderators and administrators must turn on two-factor authentication before they can use their powers.")) }
                    p { a href="/account/2fa" { (l.pick("Attivala ora", "Turn it on now")) } }
                }
            }
            (account_nav(c, "/account"))
            h2 { "Account" }
            dl {
                dt { (l.pick("Indirizzo e-mail", "Email address")) }
                dd {
                    (v.email) " "
                    @if v.email_verified {
                        (l.pick("(verificato)", "(verified)"))
                    } @else {
                        strong { (l.pick("(non ancora verificato)", "(not verified yet)")) }
                    }
                }
                dt { (l.pick("Ruolo", "Role")) } dd { (v.role.label(l)) }
                dt { (l.pick("Profilo pubblico", "Public profile")) }
                dd { a href={ "/utenti/" (v.user_id) } { (l.pick("Vedi il tuo profilo pubblico", "See your public profile")) } }
            }
            @if !v.email_verified {
                (inline_form(c, "/account/verifica/invia", html! {
                    (submit(l.pick("Invia di nuovo il link di verifica", "Send the verification link again")))
                }))
            }
            h2 { (l.pick("Come ti vedono gli altri", "How others see you")) }
            form class="stack" method="post" action="/account/profilo" {
                (csrf(c))
                (field(Field::keyed(c, "display_name", l.pick("Nome da mostrare", "Display name")).auto("nickname").value(v.display_name)))
                (field(Field::keyed(c, "bio", l.pick("Presentazione", "About you")).textarea(5).value(v.bio).optional().max(500)
                    .hint(l.pick("Visibile a tutti; al massimo 500 caratteri.", "Shown to everyone; at most 500 characters."))))
                (submit(l.pick("Salva il profilo", "Save the profile")))
            }
            h2 { (l.pick("Associazione", "Association")) }
            @if let Some(a) = &v.association {
                (association_info(l, a))
                p { a href="/account/associazione" { (l.pick("Gestisci il profilo dell'associazione", "Manage the association profile")) } }
            } @else {
                p {
                    (l.pick("Rappresenti un'associazione del Terzo settore? ", "Do you represent a voluntary-sector association? "))
                    a href="/account/associazione" { (l.pick("Chiedi la verifica", "Ask for verification")) }
                }
            }
        },
    )
}

pub fn public_profile(c: &Common, v: &PublicProfileView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        v.display_name,
        &[],
        html! {
            dl {
                dt { (l.pick("Ruolo", "Role")) } dd { (v.role.label(l)) }
                @if let Some((name, site)) = v.association {
                    dt { (l.pick("Associazione", "Association")) }
                    dd {
                        (name)
                        @if !site.trim().is_empty() { " — " (website(site)) }
                    }
                }
                dt { (l.pick("Su Open Welfare Bologna dal", "On Open Welfare Bologna since")) } dd { (v.member_since) }
            }
            @if !v.bio.trim().is_empty() {
                h2 { (l.pick("Presentazione", "About")) }
                p class="prewrap" { (v.bio) }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::account::tests::every_page;
    use crate::i18n::Lang;
    use crate::page_checks::get;

    #[test]
    fn the_profile_warns_about_two_factor_only_when_required_and_off() {
        let pages = every_page(Lang::It, &[], "Anna");
        let get = |n: &str| get(&pages, n);
        let profile = get("profile");
        assert!(profile.contains(r#"aria-labelledby="totp-required""#));
        assert!(profile.contains("(non ancora verificato)"));
        let plain = get("profile_plain");
        assert!(!plain.contains("totp-required"));
        assert!(!plain.contains("/account/verifica/invia"));
        assert!(plain.contains(r#"<a href="/account/associazione">Chiedi la verifica</a>"#));
    }
}
