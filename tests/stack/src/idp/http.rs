//! The IdP's HTTP face (axum): Microsoft v2.0 paths, Google paths, introspection, and a
//! tiny device-login page for manual testing.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::grants::Reply;
use super::{DeviceState, Endpoint, Fields, Idp};

/// How long the authorize endpoint waits for a test to approve (manual mode).
const APPROVAL_WAIT: Duration = Duration::from_secs(120);

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let code =
            |status: u16| StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match self {
            Reply::Json(status, body) => (code(status), axum::Json(body)).into_response(),
            Reply::Text(status, text) => (code(status), text).into_response(),
            Reply::Html(status, html) => (code(status), axum::response::Html(html)).into_response(),
            Reply::Redirect(location) => {
                (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
            }
        }
    }
}

pub(crate) async fn serve(listener: tokio::net::TcpListener, idp: Idp) -> std::io::Result<()> {
    let app = Router::new()
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device_code))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize))
        .route("/device/code", post(google_device_code))
        .route("/token", post(google_token))
        .route("/o/oauth2/v2/auth", get(google_authorize))
        .route("/introspect", post(introspect))
        .route(
            "/devicelogin",
            get(device_login_page).post(device_login_submit),
        )
        .route("/device", get(device_login_page).post(device_login_submit))
        .with_state(idp);
    axum::serve(listener, app).await
}

fn client_id(fields: &Fields) -> Option<&str> {
    fields
        .iter()
        .find(|(key, _)| key == "client_id")
        .map(|(_, value)| value.as_str())
}

async fn apply_delay(idp: &Idp, client: Option<&str>, endpoint: Endpoint) -> Option<super::Fault> {
    let (delay, fault) = idp.shared.lock().faults_for(client, endpoint);
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    fault
}

async fn device_code(
    State(idp): State<Idp>,
    Path(tenant): Path<String>,
    Form(fields): Form<Fields>,
) -> Reply {
    let fault = apply_delay(&idp, client_id(&fields), Endpoint::DeviceCode).await;
    let mut inner = idp.shared.lock();
    let reply = inner.device_authorization(&idp.shared.base_url, &tenant, &fields, fault);
    inner.log(Endpoint::DeviceCode, Some(&tenant), &fields, &reply);
    reply
}

async fn token(
    State(idp): State<Idp>,
    Path(tenant): Path<String>,
    Form(fields): Form<Fields>,
) -> Reply {
    let fault = apply_delay(&idp, client_id(&fields), Endpoint::Token).await;
    let mut inner = idp.shared.lock();
    let reply = inner.token(&tenant, &fields, fault);
    inner.log(Endpoint::Token, Some(&tenant), &fields, &reply);
    reply
}

async fn authorize(
    State(idp): State<Idp>,
    Path(tenant): Path<String>,
    Query(query): Query<Fields>,
) -> Reply {
    let fault = apply_delay(&idp, client_id(&query), Endpoint::Authorize).await;
    let checked = idp.shared.lock().authorize_check(&tenant, &query, fault);
    let reply = match checked {
        Err(reply) => reply,
        Ok(request) if request.auto_approve => {
            let user = request.user.clone();
            idp.shared.lock().authorize_finish(&request, Some(user))
        }
        Ok(request) => {
            // "The browser" waits on the sign-in page until the test decides.
            let (decide, decision) = tokio::sync::oneshot::channel();
            idp.shared
                .lock()
                .add_pending_authorization(&request.client_id, decide);
            match tokio::time::timeout(APPROVAL_WAIT, decision).await {
                Ok(Ok(user)) => idp.shared.lock().authorize_finish(&request, user),
                _ => Reply::Html(
                    408,
                    "<html><body>Nobody approved the sign-in in time.</body></html>".into(),
                ),
            }
        }
    };
    idp.shared
        .lock()
        .log(Endpoint::Authorize, Some(&tenant), &query, &reply);
    reply
}

async fn google_device_code(state: State<Idp>, form: Form<Fields>) -> Reply {
    device_code(state, Path("google".into()), form).await
}

async fn google_token(state: State<Idp>, form: Form<Fields>) -> Reply {
    token(state, Path("google".into()), form).await
}

async fn google_authorize(state: State<Idp>, query: Query<Fields>) -> Reply {
    authorize(state, Path("google".into()), query).await
}

async fn introspect(State(idp): State<Idp>, Form(fields): Form<Fields>) -> Reply {
    let token = fields
        .iter()
        .find(|(key, _)| key == "token")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    let client = idp.shared.lock().token_client(&token);
    let fault = apply_delay(&idp, client.as_deref(), Endpoint::Introspect).await;
    let mut inner = idp.shared.lock();
    let reply = match fault {
        Some(_) => Reply::Text(500, "Internal Server Error".into()),
        None => inner.introspect(&fields),
    };
    let mut logged = fields.clone();
    if let Some(client) = client {
        logged.push(("client_id".into(), client));
    }
    inner.log(Endpoint::Introspect, None, &logged, &reply);
    reply
}

async fn device_login_page() -> Reply {
    Reply::Html(
        200,
        "<html><body><h1>postern test IdP: device sign-in</h1>\
         <form method=post>Code <input name=user_code> User <input name=user value=user@example.test>\
         <button name=action value=approve>Approve</button> <button name=action value=decline>Decline</button>\
         </form></body></html>"
            .into(),
    )
}

async fn device_login_submit(State(idp): State<Idp>, Form(fields): Form<Fields>) -> Reply {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    };
    let decision = match get("action") {
        "decline" => DeviceState::Declined,
        _ => DeviceState::Approved(get("user").to_owned()),
    };
    if idp.shared.lock().decide_device(get("user_code"), decision) {
        Reply::Html(
            200,
            "<html><body>Done. You can close this window.</body></html>".into(),
        )
    } else {
        Reply::Html(
            404,
            "<html><body>No pending sign-in has that code.</body></html>".into(),
        )
    }
}
