//! The e-mail messages, in Italian and English, as plain text and as a
//! simple HTML alternative. Pure: the server fills in the links (absolute
//! URLs with their token) and sends the result.
//!
//! In the text version every link stands alone on its own line, so mail
//! programs can make it clickable and nothing breaks it. The HTML version
//! loads nothing from outside.

use maud::{html, Markup};

use crate::i18n::Lang;
use crate::layout::document;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, Clone, Copy)]
pub enum MailKind<'a> {
    /// Confirm the address after sign-up (link valid 24 h).
    Verify {
        display_name: &'a str,
        link: &'a str,
    },
    /// Reset the password (link valid 1 h).
    Reset { link: &'a str },
    /// Confirm a new address (link valid 24 h).
    ConfirmNewEmail { link: &'a str },
    /// Sent to the OLD address when the address changes: says to which (masked) address, and what to do if it was not you.
    EmailChanged { new_email_masked: &'a str },
    /// Sent when the password changed: what to do if it was not you.
    PasswordChanged,
    /// What happened on something the user follows: each item (summary,
    /// absolute link), and the one-click unsubscribe link.
    Digest {
        title: &'a str,
        weekly: bool,
        items: &'a [(String, String)],
        unsubscribe: &'a str,
    },
    /// The admin's decision on an association request.
    AssociationDecision {
        approved: bool,
        name: &'a str,
        note: Option<&'a str>,
    },
}

/// A piece of a message.
enum Block<'a> {
    Para(String),
    /// A link to follow: written on its own line in the text version.
    Link(&'a str),
}

const SITE: &str = "Open Welfare Bologna";

pub fn render(lang: Lang, kind: &MailKind) -> Mail {
    let l = lang;
    let p = |it: &str, en: &str| Block::Para(l.pick(it, en).to_owned());
    // Why the message came, for messages a stranger can cause by typing an address.
    let someone_used = || {
        p(
            "Hai ricevuto questo messaggio perché qualcuno ha usato questo indirizzo su Open Welfare Bologna. Se non sei tu, ignoralo: non succederà nulla.",
            "You received this message because someone used this address on Open Welfare Bologna. If it wasn't you, ignore it: nothing will happen.",
        )
    };
    let (subject, blocks): (String, Vec<Block>) = match *kind {
        MailKind::Verify { display_name, link } => (
            l.pick("Conferma il tuo indirizzo e-mail", "Confirm your email address").to_owned(),
            vec![
                Block::Para(format!("{} {display_name},", l.pick("Ciao", "Hello"))),
                p(
                    "grazie per la registrazione a Open Welfare Bologna. Per confermare il tuo indirizzo e-mail apri questo link, valido per 24 ore:",
                    "thank you for signing up to Open Welfare Bologna. To confirm your email address, open this link, valid for 24 hours:",
                ),
                Block::Link(link),
                someone_used(),
            ],
        ),
        MailKind::Reset { link } => (
            l.pick("Scegli una nuova password", "Choose a new password").to_owned(),
            vec![
                p("Ciao,", "Hello,"),
                p(
                    "per scegliere una nuova password per il tuo account su Open Welfare Bologna apri questo link, valido per 1 ora:",
                    "to choose a new password for your account on Open Welfare Bologna, open this link, valid for 1 hour:",
                ),
                Block::Link(link),
                p(
                    "Se non l'hai chiesto tu, la tua password resta quella di prima.",
                    "If you didn't ask for it, your password stays as it was.",
                ),
                someone_used(),
            ],
        ),
        MailKind::ConfirmNewEmail { link } => (
            l.pick("Conferma il nuovo indirizzo e-mail", "Confirm your new email address").to_owned(),
            vec![
                p("Ciao,", "Hello,"),
                p(
                    "per usare questo indirizzo con il tuo account su Open Welfare Bologna apri questo link, valido per 24 ore:",
                    "to use this address with your account on Open Welfare Bologna, open this link, valid for 24 hours:",
                ),
                Block::Link(link),
                p(
                    "Finché non apri il link, l'account continua a usare l'indirizzo di prima.",
                    "Until you open the link, the account keeps using the previous address.",
                ),
                someone_used(),
            ],
        ),
        MailKind::EmailChanged { new_email_masked } => (
            l.pick("L'indirizzo e-mail del tuo account è cambiato", "Your account's email address has changed").to_owned(),
            vec![
                p("Ciao,", "Hello,"),
                Block::Para(format!(
                    "{} {new_email_masked}. {}",
                    l.pick(
                        "l'indirizzo e-mail del tuo account su Open Welfare Bologna è stato cambiato in",
                        "the email address of your account on Open Welfare Bologna has been changed to",
                    ),
                    l.pick(
                        "Da ora i nostri messaggi arriveranno lì e non più qui.",
                        "From now on our messages will go there, not here.",
                    )
                )),
                p(
                    "Se l'hai cambiato tu, non devi fare nulla.",
                    "If you changed it, you don't need to do anything.",
                ),
                p(
                    "Se non l'hai cambiato tu, qualcuno potrebbe essere entrato nel tuo account: rispondi subito a questo messaggio e ti aiuteremo a recuperarlo.",
                    "If it wasn't you, someone may have got into your account: reply to this message straight away and we will help you get it back.",
                ),
            ],
        ),
        MailKind::PasswordChanged => (
            l.pick("La password del tuo account è cambiata", "Your account's password has changed").to_owned(),
            vec![
                p("Ciao,", "Hello,"),
                p(
                    "la password del tuo account su Open Welfare Bologna è stata cambiata.",
                    "the password of your account on Open Welfare Bologna has been changed.",
                ),
                p(
                    "Se l'hai cambiata tu, non devi fare nulla.",
                    "If you changed it, you don't need to do anything.",
                ),
                p(
                    "Se non l'hai cambiata tu, scegli subito una nuova password con «Password dimenticata?» nella pagina di accesso: il link arriverà a questo indirizzo. Poi, nelle impostazioni dell'account, usa «Esci ovunque» e controlla la verifica in due passaggi.",
                    "If it wasn't you, choose a new password straight away with “Forgotten your password?” on the log-in page: the link will come to this address. Then, in your account settings, use “Log out everywhere” and check your two-factor authentication.",
                ),
            ],
        ),
        MailKind::Digest {
            title,
            weekly,
            items,
            unsubscribe,
        } => {
            let mut blocks = vec![Block::Para(format!(
                "{} «{title}»:",
                if weekly {
                    l.pick("Le novità della settimana su", "This week's news on")
                } else {
                    l.pick("Le novità di oggi su", "Today's news on")
                }
            ))];
            for (summary, link) in items {
                blocks.push(Block::Para(summary.clone()));
                blocks.push(Block::Link(link));
            }
            blocks.push(p(
                "Ricevi questo riepilogo perché segui questo argomento. Per non riceverlo più, apri questo link (non serve accedere):",
                "You receive this digest because you follow this subject. To stop it, open this link (no need to log in):",
            ));
            blocks.push(Block::Link(unsubscribe));
            let subject = format!(
                "{} {title}",
                if weekly {
                    l.pick("Riepilogo settimanale:", "Weekly digest:")
                } else {
                    l.pick("Riepilogo del giorno:", "Daily digest:")
                }
            );
            (subject, blocks)
        }
        MailKind::AssociationDecision { approved, name, note } => {
            let mut blocks = vec![p("Ciao,", "Hello,")];
            let subject = if approved {
                blocks.push(Block::Para(format!(
                    "{} «{name}» {}",
                    l.pick("la richiesta di verifica per", "the verification request for"),
                    l.pick(
                        "è stata approvata: il tuo profilo pubblico ora mostra il nome dell'associazione.",
                        "has been approved: your public profile now shows the association's name.",
                    )
                )));
                format!("{} {name}", l.pick("Associazione verificata:", "Association verified:"))
            } else {
                blocks.push(Block::Para(format!(
                    "{} «{name}» {}",
                    l.pick("la richiesta di verifica per", "the verification request for"),
                    l.pick("non è stata approvata.", "has not been approved.")
                )));
                if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
                    blocks.push(Block::Para(format!("{} {note}", l.pick("Motivo:", "Reason:"))));
                }
                blocks.push(p(
                    "Puoi correggere i dati e inviare di nuovo la richiesta dalla pagina «Associazione» del tuo account.",
                    "You can correct the details and send the request again from the “Association” page of your account.",
                ));
                format!("{} {name}", l.pick("Richiesta non approvata:", "Request not approved:"))
            };
            (subject, blocks)
        }
    };
    // No line breaks in a header, whatever a name contains.
    let subject: String = format!("{subject} · {SITE}")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Mail {
        text: text(&blocks),
        html: html_version(l, &subject, &blocks).into_string(),
        subject,
    }
}

fn text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Para(text) => out.push_str(text),
            Block::Link(link) => out.push_str(link.trim()),
        }
        out.push_str("\n\n");
    }
    out.push_str("-- \n");
    out.push_str(SITE);
    out.push('\n');
    out
}

fn html_version(l: Lang, subject: &str, blocks: &[Block]) -> Markup {
    document(
        l,
        html! { (subject) },
        html! {},
        html! {
            body {
                @for block in blocks {
                    @match block {
                        Block::Para(text) => { p { (text) } }
                        Block::Link(link) => {
                            p { a href=(link.trim()) { (l.pick("Apri il link", "Open the link")) } }
                            p {
                                (l.pick("Se il link non funziona, copia questo indirizzo nel browser:",
                                        "If the link doesn't work, copy this address into your browser:"))
                                br;
                                (link.trim())
                            }
                        }
                    }
                }
                p { "-- " br; (SITE) }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://welfare.example/account/verifica?token=abc_DEF-123&lang=en";

    fn all(link: &str) -> Vec<MailKind<'_>> {
        vec![
            MailKind::Verify {
                display_name: "Anna",
                link,
            },
            MailKind::Reset { link },
            MailKind::ConfirmNewEmail { link },
            MailKind::EmailChanged {
                new_email_masked: "a***@e***.it",
            },
            MailKind::PasswordChanged,
            MailKind::AssociationDecision {
                approved: true,
                name: "Auser",
                note: None,
            },
            MailKind::AssociationDecision {
                approved: false,
                name: "Auser",
                note: Some("Manca il codice fiscale"),
            },
        ]
    }

    #[test]
    fn links_appear_whole_on_their_own_line_and_in_the_html() {
        for lang in Lang::ALL {
            for kind in all(LINK).iter().take(3) {
                let mail = render(lang, kind);
                assert!(mail.text.lines().any(|line| line == LINK), "{}", mail.text);
                let escaped = LINK.replace('&', "&amp;");
                assert!(
                    mail.html.contains(&format!(r#"<a href="{escaped}">"#)),
                    "{}",
                    mail.html
                );
                assert_eq!(
                    mail.html.matches(&escaped).count(),
                    2,
                    "as a link and written out"
                );
                assert!(!mail.html.contains(LINK));
            }
        }
    }

    #[test]
    fn both_languages_with_the_signature_and_the_reason_for_the_message() {
        for kind in all(LINK) {
            let it = render(Lang::It, &kind);
            let en = render(Lang::En, &kind);
            assert_ne!(it.subject, en.subject);
            assert_ne!(it.text, en.text);
            assert!(
                it.html.contains(r#"<html lang="it">"#) && en.html.contains(r#"<html lang="en">"#)
            );
            for mail in [&it, &en] {
                assert!(mail.text.ends_with("-- \nOpen Welfare Bologna\n"));
                assert!(mail.subject.ends_with("Open Welfare Bologna"));
                assert!(
                    !mail.html.contains("src=")
                        && !mail.html.contains("<link")
                        && !mail.html.contains("style")
                );
            }
        }
        for kind in all(LINK).iter().take(2) {
            assert!(render(Lang::It, kind)
                .text
                .contains("qualcuno ha usato questo indirizzo"));
            assert!(render(Lang::En, kind)
                .text
                .contains("If it wasn't you, ignore it"));
        }
        let masked = render(
            Lang::It,
            &MailKind::EmailChanged {
                new_email_masked: "a***@e***.it",
            },
        );
        assert!(masked.text.contains("a***@e***.it"));
        let rejected = render(Lang::En, &all(LINK)[6]);
        assert!(rejected.text.contains("Reason: Manca il codice fiscale"));
    }

    #[test]
    fn user_input_is_escaped_in_html_and_kept_out_of_headers() {
        let mail = render(
            Lang::It,
            &MailKind::Verify {
                display_name: "<b>",
                link: LINK,
            },
        );
        assert!(mail.html.contains("Ciao &lt;b&gt;,") && !mail.html.contains("<b>"));
        assert!(mail.text.contains("Ciao <b>,"));
        let mail = render(
            Lang::It,
            &MailKind::AssociationDecision {
                approved: true,
                name: "X\r\nBcc: y@z",
                note: None,
            },
        );
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
    }
}
