//! An association's verification: the request's status and details, and
//! the page where a user asks for it.

use maud::{html, Markup};

use super::shared::{account_nav, account_page, submit, website};
use crate::forms::{csrf, field, Common, Field};
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

pub struct AssociationInfo<'a> {
    pub name: &'a str,
    pub website: &'a str,
    pub tax_code: &'a str,
    pub status: RequestStatus,
    /// The admin's reason when rejected.
    pub note: Option<&'a str>,
}

pub struct AssociationRequestView<'a> {
    pub name: &'a str,
    pub website: &'a str,
    pub tax_code: &'a str,
    pub current: Option<AssociationInfo<'a>>,
}

impl RequestStatus {
    /// "in attesa" / "pending".
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            RequestStatus::Pending => lang.pick("in attesa", "pending"),
            RequestStatus::Approved => lang.pick("approvata", "approved"),
            RequestStatus::Rejected => lang.pick("rifiutata", "rejected"),
        }
    }
}

pub(super) fn association_info(l: Lang, a: &AssociationInfo) -> Markup {
    html! {
        dl {
            dt { (l.pick("Nome", "Name")) } dd { (a.name) }
            dt { (l.pick("Sito web", "Website")) } dd { (website(a.website)) }
            dt { (l.pick("Codice fiscale o partita IVA", "Tax code or VAT number")) } dd { (a.tax_code) }
            dt { (l.pick("Stato della richiesta", "Request status")) }
            dd {
                (a.status.label(l))
                @if let Some(note) = a.note.filter(|n| !n.is_empty()) {
                    " — " span class="prewrap" { (note) }
                }
            }
        }
    }
}

pub fn association_request(c: &Common, v: &AssociationRequestView) -> Markup {
    let l = c.lang;
    account_page(
        c,
        l.pick("Profilo associazione", "Association profile"),
        &["name", "website", "tax_code"],
        html! {
            (account_nav(c, "/account/associazione"))
            p { (l.pick("Le associazioni del Terzo settore possono chiedere la verifica: un amministratore controlla i dati e, se li approva, il tuo profilo pubblico mostra il nome dell'associazione.",
                        "Voluntary-sector associations (Terzo settore) can ask to be verified: an administrator checks the details and, once approved, your public profile shows the association's name.")) }
            @if let Some(current) = &v.current {
                h2 { (l.pick("La tua richiesta", "Your request")) }
                (association_info(l, current))
            }
            h2 { @if v.current.is_some() { (l.pick("Aggiorna i dati", "Update the details")) } @else { (l.pick("Chiedi la verifica", "Ask for verification")) } }
            form class="stack" method="post" action="/account/associazione" {
                (csrf(c))
                (field(Field::keyed(c, "name", l.pick("Nome dell'associazione", "Name of the association")).auto("organization").value(v.name).max(200)))
                (field(Field::keyed(c, "website", l.pick("Sito web", "Website")).kind("url").auto("url").value(v.website).optional().verbatim()
                    .hint(l.pick("L'indirizzo completo, per esempio https://www.esempio.it", "The full address, for example https://www.example.org"))))
                (field(Field::keyed(c, "tax_code", l.pick("Codice fiscale o partita IVA", "Tax code or VAT number")).value(v.tax_code).max(16).verbatim()))
                (submit(l.pick("Invia la richiesta", "Send the request")))
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
    fn the_request_shows_its_status_and_the_admins_note() {
        let pages = every_page(Lang::It, &[], "Anna");
        let html = get(&pages, "association");
        assert!(html.contains("rifiutata — <span class=\"prewrap\">Dati incompleti</span>"));
        assert!(html.contains(
            r#"<a href="https://example.org/?a=1&amp;b=2" rel="nofollow ugc noopener">"#
        ));
        assert!(html.contains("Aggiorna i dati"));
    }
}
