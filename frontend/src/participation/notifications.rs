//! The notifications page: the unread count, the list (a live region)
//! and the forms that mark one or all as read.

use maud::{html, Markup};

use crate::account::Common;
use crate::forms::{full_page, inline_form};
use crate::i18n::Lang;

pub struct NotificationItem<'a> {
    pub id: i64,
    pub summary: &'a str,
    pub link: &'a str,
    pub when: &'a str,
    pub unread: bool,
}

/// The notifications page: a list (`data-live-list="notifications"
/// data-live-topic="user:<id>"`), a "mark all as read" form posting to
/// /notifiche/lette, and per unread item a form posting to
/// /notifiche/{id}/letta.
pub fn notifications(c: &Common, items: &[NotificationItem], unread: usize) -> Markup {
    let l = c.lang;
    let count = match (unread, l) {
        (0, _) => l
            .pick("Nessuna notifica non letta.", "No unread notifications.")
            .to_owned(),
        (1, _) => l
            .pick("1 notifica non letta.", "1 unread notification.")
            .to_owned(),
        (n, Lang::It) => format!("{n} notifiche non lette."),
        (n, Lang::En) => format!("{n} unread notifications."),
    };
    full_page(
        c,
        l.pick("Notifiche", "Notifications"),
        html! {},
        &[],
        html! {
            p class="unread-count" { (count) }
            @if unread > 0 {
                (inline_form(c, "/notifiche/lette", html! {
                    button type="submit" { (l.pick("Segna tutte come lette", "Mark all as read")) }
                }))
            }
            @if items.is_empty() {
                p class="empty" data-live-empty { (l.pick("Nessuna notifica.", "No notifications.")) }
            }
            ul class="notifications" data-live-list="notifications" {
                @for n in items {
                    li id={ "notification-" (n.id) } data-id=(n.id) class=[n.unread.then_some("unread")] {
                        @if n.unread {
                            span class="unread-mark" { span aria-hidden="true" { "● " } (l.pick("non letta", "unread")) }
                            " "
                        }
                        a href=(n.link) { (n.summary) }
                        " " span class="meta" { (n.when) }
                        @if n.unread {
                            " "
                            (inline_form(c, &format!("/notifiche/{}/letta", n.id), html! {
                                button type="submit" {
                                    (l.pick("Segna come letta", "Mark as read"))
                                    span class="visually-hidden" { ": " (n.summary) }
                                }
                            }))
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participation::tests::common;

    #[test]
    fn the_unread_count_in_words() {
        let c = common(Lang::It, &[]);
        let html = |c: &Common, n| notifications(c, &[], n).into_string();
        assert!(html(&c, 0).contains("Nessuna notifica non letta."));
        assert!(html(&c, 3).contains("3 notifiche non lette."));
        let c = common(Lang::En, &[]);
        assert!(html(&c, 1).contains("1 unread notification."));
        assert!(html(&c, 2).contains("2 unread notifications."));
    }
}
