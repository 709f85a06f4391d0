//! `openwelfare admin create`: the first admin (and any later one) from
//! the command line. The password is read from standard input when asked
//! (never from an argument, which would end up in the shell's history);
//! otherwise a single-use link to set it is printed.

use time::OffsetDateTime;

use crate::accounts::model::{NewUser, TokenPurpose};
use crate::accounts::password::{check_policy, Passwords};
use crate::accounts::token::{random_token, sha256_hex};
use crate::accounts::{normalize_email, valid_email, Role};
use crate::config::Config;
use crate::store::Store;
use crate::Error;

/// What `admin create` did.
#[derive(Debug)]
pub struct Created {
    pub user_id: i64,
    /// False when an existing account was promoted.
    pub new: bool,
    /// The link to set a password, when none was given.
    pub set_password_link: Option<String>,
}

pub async fn create(
    store: &dyn Store,
    config: &Config,
    email: &str,
    name: Option<&str>,
    password: Option<&str>,
) -> Result<Created, Error> {
    let email = normalize_email(email);
    if !valid_email(&email) {
        return Err(Error::Usage(format!(
            "--email: \"{email}\" is not a valid e-mail address"
        )));
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("Amministratore");
    let hash = match password {
        Some(p) => {
            let p = p.trim_end_matches(['\r', '\n']);
            check_policy(p, &[&email, name]).map_err(|e| Error::Usage(format!("password: {e}")))?;
            let passwords = Passwords::new(1, 1).map_err(|e| Error::Usage(e.to_string()))?;
            Some(
                passwords
                    .hash(p)
                    .await
                    .map_err(|e| Error::Usage(e.to_string()))?,
            )
        }
        None => None,
    };
    let now = OffsetDateTime::now_utc();
    let (user_id, new) = match store.user_by_email(&email).await? {
        Some(user) => {
            store.set_role(user.id, user.id, Role::Admin, now).await?;
            store.mark_verified(user.id, now).await?;
            if let Some(hash) = &hash {
                store.set_password(user.id, hash).await?;
            }
            (user.id, false)
        }
        None => {
            let id = store
                .create_user(
                    &NewUser {
                        email: &email,
                        display_name: name,
                        password_hash: hash.as_deref(),
                        role: Role::Admin,
                        lang: "it",
                        verified_at: Some(now),
                    },
                    now,
                )
                .await?;
            (id, true)
        }
    };
    let set_password_link = if hash.is_none() {
        let token = random_token();
        store
            .create_token(user_id, TokenPurpose::Reset, &sha256_hex(&token), None, now)
            .await?;
        Some(format!(
            "{}/account/reimposta?token={token}",
            config.public_url.as_str().trim_end_matches('/')
        ))
    } else {
        None
    };
    Ok(Created {
        user_id,
        new,
        set_password_link,
    })
}
