//! Asking to be recognised as an association: the form (name, website,
//! codice fiscale or partita IVA) and the state of the latest request.

use axum::extract::{Query, State};
use axum::response::Response;
use openwelfare_frontend::account::{self as views, FieldError};
use serde::Deserialize;
use time::OffsetDateTime;

use super::ctx::{association_info, see_other, Ctx, MsgQuery};
use super::rules::clean_line;
use crate::accounts::{fiscal, User};
use crate::http::error::Error;
use crate::http::extract::{CheckedForm, Verified};
use crate::http::state::AppState;

pub async fn association_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Verified(me): Verified,
    Query(q): Query<MsgQuery>,
) -> Result<Response, Error> {
    render_association(&state, &ctx, &me.user, q.notice(&ctx), &[], ("", "", "")).await
}

async fn render_association(
    state: &AppState,
    ctx: &Ctx,
    me: &User,
    notice: Option<String>,
    errors: &[FieldError],
    (name, website, tax_code): (&str, &str, &str),
) -> Result<Response, Error> {
    let current = state.store.latest_association_request(me.id).await?;
    let view = views::AssociationRequestView {
        name,
        website,
        tax_code,
        current: current.as_ref().map(association_info),
    };
    Ok(ctx.form_page(notice, errors, views::association_request, &view))
}

#[derive(Deserialize, Default)]
pub struct AssociationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    tax_code: String,
}

pub async fn association_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Verified(me): Verified,
    CheckedForm(form): CheckedForm<AssociationForm>,
) -> Result<Response, Error> {
    let me = me.user;
    let name = clean_line(&form.name, 400);
    let website = clean_line(&form.website, 400);
    let mut errors = Vec::new();
    if !(2..=200).contains(&name.chars().count()) {
        errors.push(ctx.error(
            "name",
            "Scrivi il nome dell'associazione (da 2 a 200 caratteri).",
            "Enter the association's name (2 to 200 characters).",
        ));
    }
    let site_ok = url::Url::parse(&website).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some_and(|h| h.contains('.'))
            && website.len() <= 200
    });
    if !site_ok {
        errors.push(ctx.error(
            "website",
            "Scrivi l'indirizzo completo del sito, come https://esempio.it.",
            "Enter the website's full address, such as https://example.org.",
        ));
    }
    let tax_code = match fiscal::validate(&form.tax_code) {
        Ok((code, _)) => Some(code),
        Err(e) => {
            errors.push(FieldError {
                field: "tax_code",
                message: format!(
                    "{} ({e})",
                    ctx.lang.pick(
                        "Codice fiscale o partita IVA non valido",
                        "Invalid codice fiscale or partita IVA"
                    )
                ),
            });
            None
        }
    };
    let Some(tax_code) = tax_code.filter(|_| errors.is_empty()) else {
        let shown = (name.as_str(), website.as_str(), form.tax_code.as_str());
        return render_association(&state, &ctx, &me, None, &errors, shown).await;
    };
    state
        .store
        .create_association_request(me.id, &name, &website, &tax_code, OffsetDateTime::now_utc())
        .await?;
    Ok(see_other("/account/associazione?msg=request-sent"))
}
