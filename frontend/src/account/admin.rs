//! The administrator's pages: the users (role, suspension) and the
//! associations' verification requests (approve, reject with a reason).

use maud::{html, Markup};

use super::shared::{account_page, nav_list, website, Role};
use crate::forms::{inline_form, Common};
use crate::tables::column_heads;

pub struct UserRow<'a> {
    pub id: i64,
    pub display_name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub banned: bool,
    pub email_verified: bool,
    pub totp_enabled: bool,
}

pub struct AdminUsersView<'a> {
    pub me: i64,
    pub users: &'a [UserRow<'a>],
}

pub struct AssociationRequestRow<'a> {
    pub id: i64,
    pub user_display_name: &'a str,
    pub name: &'a str,
    pub website: &'a str,
    pub tax_code: &'a str,
    pub created: &'a str,
}

pub struct AdminAssociationsView<'a> {
    pub requests: &'a [AssociationRequestRow<'a>],
}

fn admin_nav(c: &Common, current: &str) -> Markup {
    let l = c.lang;
    let links = [
        ("/admin/utenti", l.pick("Utenti", "Users")),
        (
            "/admin/associazioni",
            l.pick("Richieste delle associazioni", "Association requests"),
        ),
    ];
    nav_list(
        l.pick("Amministrazione", "Administration"),
        &links,
        current,
        html! {},
    )
}

pub fn admin_users(c: &Common, v: &AdminUsersView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Utenti", "Users"),
        &[],
        html! {
            (admin_nav(c, "/admin/utenti"))
            table {
                caption { (l.pick("Utenti registrati", "Registered users")) }
                (column_heads(&[
                    l.pick("Nome", "Name"), l.pick("E-mail", "Email"), l.pick("Ruolo", "Role"),
                    l.pick("Stato", "State"), l.pick("Azioni", "Actions"),
                ], &[]))
                tbody {
                    @for u in v.users {
                        @let who = format!("{} ({})", u.display_name, u.email);
                        tr {
                            th scope="row" { a href={ "/utenti/" (u.id) } { (u.display_name) } }
                            td { (u.email) }
                            td { (u.role.label(l)) }
                            td {
                                (if u.email_verified { l.pick("e-mail verificata", "email verified") } else { l.pick("e-mail non verificata", "email not verified") })
                                ", "
                                (if u.totp_enabled { l.pick("2FA attiva", "2FA on") } else { l.pick("2FA non attiva", "2FA off") })
                                @if u.banned { ", " strong { (l.pick("account sospeso", "suspended")) } }
                            }
                            td {
                                @if u.id == v.me {
                                    (l.pick("(sei tu)", "(you)"))
                                } @else {
                                    (inline_form(c, &format!("/admin/utenti/{}/ruolo", u.id), html! {
                                        label for={ "role-" (u.id) } class="visually-hidden" { (l.pick("Ruolo di ", "Role of ")) (who) }
                                        select id={ "role-" (u.id) } name="role" {
                                            @for r in Role::ALL {
                                                option value=(r.value()) selected[r == u.role] { (r.label(l)) }
                                            }
                                        }
                                        button type="submit" {
                                            (l.pick("Cambia ruolo", "Change role"))
                                            span class="visually-hidden" { (l.pick(" di ", " of ")) (who) }
                                        }
                                    }))
                                    @let (action, label) = if u.banned {
                                        ("riattiva", l.pick("Riattiva", "Reinstate"))
                                    } else {
                                        ("sospendi", l.pick("Sospendi", "Suspend"))
                                    };
                                    (inline_form(c, &format!("/admin/utenti/{}/{}", u.id, action), html! {
                                        button type="submit" class=[(!u.banned).then_some("danger")] {
                                            (label) span class="visually-hidden" { " " (who) }
                                        }
                                    }))
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn admin_associations(c: &Common, v: &AdminAssociationsView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Richieste delle associazioni", "Association requests"),
        &[],
        html! {
            (admin_nav(c, "/admin/associazioni"))
            @if v.requests.is_empty() {
                p { (l.pick("Nessuna richiesta in attesa.", "No requests waiting.")) }
            } @else {
                table {
                    caption { (l.pick("Richieste in attesa", "Requests waiting")) }
                    (column_heads(&[
                        l.pick("Associazione", "Association"), l.pick("Richiesta da", "Requested by"), l.pick("Sito web", "Website"),
                        l.pick("Codice fiscale o partita IVA", "Tax code or VAT number"), l.pick("Data", "Date"), l.pick("Decisione", "Decision"),
                    ], &[]))
                    tbody {
                        @for r in v.requests {
                            tr {
                                th scope="row" { (r.name) }
                                td { (r.user_display_name) }
                                td { (website(r.website)) }
                                td { (r.tax_code) }
                                td { (r.created) }
                                td {
                                    (inline_form(c, &format!("/admin/associazioni/{}/approva", r.id), html! {
                                        button type="submit" {
                                            (l.pick("Approva", "Approve"))
                                            span class="visually-hidden" { " " (r.name) }
                                        }
                                    }))
                                    (inline_form(c, &format!("/admin/associazioni/{}/rifiuta", r.id), html! {
                                        label for={ "note-" (r.id) } {
                                            (l.pick("Motivo", "Reason"))
                                            span class="visually-hidden" { (l.pick(" del rifiuto di ", " for rejecting ")) (r.name) }
                                        }
                                        input type="text" id={ "note-" (r.id) } name="note" maxlength="500" autocomplete="off";
                                        button type="submit" class="danger" {
                                            (l.pick("Rifiuta", "Reject"))
                                            span class="visually-hidden" { " " (r.name) }
                                        }
                                    }))
                                }
                            }
                        }
                    }
                }
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
    fn row_buttons_have_distinct_names_and_the_admin_cannot_act_on_themselves() {
        let pages = every_page(Lang::It, &[], "Bruno");
        let admin = get(&pages, "admin_users");
        assert!(!admin.contains("/admin/utenti/1/"));
        assert!(
            admin.contains(r#"action="/admin/utenti/2/ruolo""#)
                && admin.contains(r#"action="/admin/utenti/2/sospendi""#)
        );
        assert!(admin.contains(r#"action="/admin/utenti/3/riattiva""#));
        assert!(admin.contains(r#"<option value="moderator" selected>"#));
        assert!(admin.contains("Cambia ruolo<span class=\"visually-hidden\"> di Bruno (b@x.it)"));
        let sessions = get(&pages, "sessions");
        assert!(sessions.contains(r#"action="/account/sessioni/s2/revoca""#));
        assert!(sessions.contains("Esci da questa sessione"));
        assert!(sessions
            .contains("Revoca<span class=\"visually-hidden\"> la sessione Bruno del 2 marzo 2026"));
    }
}
