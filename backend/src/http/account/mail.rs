//! Mail from the account pages: a message sent in the background, and the
//! single-use links (verify an address, reset a password, confirm a new
//! address) made and mailed in one step.

use openwelfare_frontend::i18n::Lang;
use openwelfare_frontend::mail::MailKind;
use time::OffsetDateTime;

use crate::accounts::model::TokenPurpose;
use crate::accounts::token::{random_token, sha256_hex};
use crate::accounts::User;
use crate::http::state::AppState;
use crate::store::StoreError;

/// Render and send a message in the background; a failure is logged and
/// never shown (it would tell who has an account). With the development
/// folder transport the log says where the message went, never its link
/// (a link carries a single-use token).
pub fn send_mail(state: &AppState, to: &str, lang: Lang, kind: MailKind, link: Option<&str>) {
    if let (Some(folder), Some(_)) = (state.auth.mailer.folder(), link) {
        // Where development mail goes; never the link itself, which holds a token.
        tracing::info!(folder = %folder.display(), "development mail written to a folder");
    }
    state.auth.mailer.post(to, lang, kind);
}

pub(crate) fn user_lang(user: &User) -> Lang {
    Lang::parse(&user.lang).unwrap_or_default()
}

/// Make a single-use token for `user` and mail its link.
pub(super) async fn mail_token(
    state: &AppState,
    user: &User,
    to: &str,
    purpose: TokenPurpose,
    new_email: Option<&str>,
) -> Result<(), StoreError> {
    let token = random_token();
    let now = OffsetDateTime::now_utc();
    state
        .store
        .create_token(user.id, purpose, &sha256_hex(&token), new_email, now)
        .await?;
    let lang = user_lang(user);
    let path = match purpose {
        TokenPurpose::Verify => "/account/verifica",
        TokenPurpose::Reset => "/account/reimposta",
        TokenPurpose::Email => "/account/email/conferma",
    };
    let link = state.auth.link(&format!("{path}?token={token}"));
    let kind = match purpose {
        TokenPurpose::Verify => MailKind::Verify {
            display_name: &user.display_name,
            link: &link,
        },
        TokenPurpose::Reset => MailKind::Reset { link: &link },
        TokenPurpose::Email => MailKind::ConfirmNewEmail { link: &link },
    };
    send_mail(state, to, lang, kind, Some(&link));
    Ok(())
}
