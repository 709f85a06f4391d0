//! The OpenAPI document of `/api/v1`, generated from the handlers' and
//! types' annotations in `api` (the official data), `auth_api` (tokens)
//! and `lab_api` (annotations, discussions, follows, notifications), the
//! bell's unread count (`lab`), and this document itself. The schemas are
//! the ones the paths name (utoipa collects them, and what they refer to).

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Open Welfare Bologna API",
        version = "1",
        description = "Bologna's official social-services open data by quartiere, and the lab: annotations, discussions, follows and notifications."
    ),
    paths(
        openapi,
        super::api::list_datasets,
        super::api::get_dataset,
        super::api::list_areas,
        super::api::resolve_area,
        super::api::observations,
        super::auth_api::token,
        super::auth_api::refresh,
        super::auth_api::logout,
        super::auth_api::me,
        super::lab_api::list_annotations,
        super::lab_api::create_annotation,
        super::lab_api::get_annotation,
        super::lab_api::edit_annotation,
        super::lab_api::delete_annotation,
        super::lab_api::get_discussion,
        super::lab_api::create_post,
        super::lab_api::get_post,
        super::lab_api::edit_post,
        super::lab_api::delete_post,
        super::lab_api::toggle_useful,
        super::lab_api::list_follows,
        super::lab_api::follow,
        super::lab_api::unfollow,
        super::lab_api::list_notifications,
        super::lab_api::mark_read,
        super::lab::follows::unread_count,
        super::moderation_api::reasons,
        super::moderation_api::report,
        super::moderation_api::log,
        super::moderation_api::queue,
        super::moderation_api::decide
    ),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

/// The `bearer` security scheme the account routes name.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json")))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
